// Sluice dashboard, part of the no-build console at /dashboard/ (ES modules, no bundler).
// Batches: search, live progress, cancel, and one batch in detail.
import { api, act, every, page } from '../app.js';
import { h, badge, field, filters, progress, query, table, time } from '../dom.js';
import { jobTable } from './jobs.js';
import { deliveryTable } from './webhooks.js';

export async function batches(params) {
  const list = await api('GET', '/admin/batches' + query({ id: params.get('id'), tenant: params.get('tenant'),
    metadata: params.get('metadata'), limit: 50 }));
  const rows = list.data.map(({ tenant_id, batch: b }) => ({ attrs: { 'data-batch': b.id }, cells: [
    h('a', { href: '#/batches/' + b.id, class: 'mono' }, b.id),
    h('span', { class: 'mono' }, tenant_id),
    badge(b.status),
    progress(b.request_counts),
    b.metadata ? h('span', { class: 'mono' }, Object.entries(b.metadata).map(([k, v]) => `${k}=${v}`).join(', ')) : '—',
    time(b.created_at),
    cancelButton(b)
  ] }));
  page('Batches', 'Every tenant\'s batches, newest first. Progress updates every 2 s.',
    filters('/batches', [field('Batch id', 'id', params.get('id')), field('Tenant id', 'tenant', params.get('tenant')),
      field('Metadata (key=value, or text)', 'metadata', params.get('metadata'))], 'Search'),
    table([{ label: 'Batch' }, { label: 'Tenant' }, { label: 'Status' }, { label: 'Progress' }, { label: 'Metadata' },
      { label: 'Created' }, { label: 'Actions' }], rows, 'No batch matches.'));
  every(2000, () => batches(params));
}

function cancelButton(b) {
  if (b.status !== 'in_progress') return '—';
  return h('button', { type: 'button', class: 'danger', 'aria-label': 'Cancel batch ' + b.id,
    onclick: () => act(`Cancel batch ${b.id}? Its queued jobs are cancelled; running ones finish.`, async () => {
      const r = await api('POST', `/admin/batches/${b.id}/cancel`);
      return `Batch ${b.id} is ${r.batch.status}.`;
    }) }, 'Cancel');
}

export async function batch(id) {
  const [{ tenant_id, batch: b }, jobs, deliveries] = await Promise.all([
    api('GET', '/admin/batches/' + id), api('GET', '/admin/jobs' + query({ batch_id: id, limit: 100 })),
    api('GET', '/admin/webhook-deliveries' + query({ subject_id: id, limit: 100 }))]);
  page('Batch ' + b.id, null,
    h('dl', { class: 'facts' },
      h('dt', {}, 'Status'), h('dd', {}, badge(b.status)),
      h('dt', {}, 'Progress'), h('dd', {}, progress(b.request_counts)),
      h('dt', {}, 'Tenant'), h('dd', { class: 'mono' }, tenant_id),
      h('dt', {}, 'Endpoint'), h('dd', { class: 'mono' }, b.endpoint),
      h('dt', {}, 'Metadata'), h('dd', { class: 'mono' }, b.metadata ? JSON.stringify(b.metadata) : '—'),
      h('dt', {}, 'Priority'), h('dd', {}, b.priority),
      h('dt', {}, 'Created'), h('dd', {}, time(b.created_at)),
      h('dt', {}, 'Expires'), h('dd', {}, time(b.expires_at)),
      h('dt', {}, 'Estimated completion'), h('dd', {}, time(b.estimated_completion_at)),
      h('dt', {}, 'Finished'), h('dd', {}, time(b.completed_at || b.cancelled_at || b.expired_at || b.failed_at)),
      h('dt', {}, 'Usage'), h('dd', {}, b.usage ? `${b.usage.total_tokens} tokens` : '—'),
      h('dt', {}, 'Output / error file'), h('dd', { class: 'mono' }, `${b.output_file_id || '—'} / ${b.error_file_id || '—'}`),
      h('dt', {}, 'Actions'), h('dd', {}, cancelButton(b))),
    h('h2', {}, 'Jobs'),
    jobTable([...jobs.data].sort((a, b) => (a.line_no ?? 0) - (b.line_no ?? 0)), 'No jobs.'),
    jobs.has_more ? h('p', { class: 'note' }, 'Showing the newest 100 jobs.') : null,
    h('h2', {}, 'Webhook deliveries'),
    deliveryTable(deliveries.data));
  every(2000, () => batch(id));
}
