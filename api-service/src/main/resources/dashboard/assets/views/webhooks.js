// Sluice dashboard, part of the no-build console at /dashboard/ (ES modules, no bundler).
// Webhook delivery attempts, with redeliver.
import { api, act, every, page } from '../app.js';
import { h, badge, field, filters, query, table, time } from '../dom.js';

export function deliveryTable(list) {
  return table([{ label: 'When' }, { label: 'Tenant' }, { label: 'Subject' }, { label: 'Event' }, { label: 'Attempt', num: true },
    { label: 'Status' }, { label: 'Response' }, { label: 'Error' }, { label: 'Actions' }],
  list.map(({ tenant_id, subject_id, delivery: d }) => ({ attrs: { 'data-delivery': d.id }, cells: [
    time(d.created_at), h('span', { class: 'mono' }, tenant_id),
    subject_id.startsWith('batch_') ? h('a', { href: '#/batches/' + subject_id, class: 'mono' }, subject_id)
      : h('a', { href: '#/jobs/' + subject_id, class: 'mono' }, subject_id),
    d.event_type, d.attempt, badge(d.status), d.response_status ?? '—', d.error || '—',
    h('button', { type: 'button', class: 'secondary', 'aria-label': 'Redeliver ' + d.id,
      onclick: () => act(`Send event ${d.event_id} (${d.event_type}) to ${d.url} again?`, async () => {
        await api('POST', `/admin/webhook-deliveries/${d.id}/redeliver`);
        return `Event ${d.event_id} is due again; the new attempt shows here once a worker has made it.`;
      }) }, 'Redeliver')] })), 'No webhook attempt recorded.');
}

export async function webhooks(params) {
  const list = await api('GET', '/admin/webhook-deliveries' + query({ status: params.get('status'),
    tenant: params.get('tenant'), limit: 100 }));
  const status = h('select', { id: 'f-status', name: 'status' }, ['', 'delivered', 'failed', 'refused'].map(s =>
    h('option', { value: s, selected: params.get('status') === s && s !== '' }, s || 'any')));
  page('Webhook deliveries', 'Every attempt to deliver a webhook, newest first.',
    filters('/webhooks', [h('div', { class: 'field' }, h('label', { for: 'f-status' }, 'Status'), status),
      field('Tenant id', 'tenant', params.get('tenant'))], 'Filter'),
    deliveryTable(list.data));
  every(5000, () => webhooks(params));
}
