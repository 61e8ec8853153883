// Sluice dashboard, part of the no-build console at /dashboard/ (ES modules, no bundler).
// Tenants (GET /admin/tenants) with their keys, weight, and each quota's use, limit and source.
import { api, page, stopRefreshing } from '../app.js';
import { h, badge, query, table } from '../dom.js';

const QUOTAS = [
  ['queued_jobs', 'queued jobs', n => String(n)],
  ['stored_bytes', 'stored', bytes],
  ['event_streams', 'event streams', n => String(n)],
  ['waiting_facade_calls', 'waiting calls', n => String(n)],
];

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? String(n) : n.toFixed(1)) + ' ' + units[i];
}

function quotas(tenant) {
  return h('div', {}, QUOTAS.map(([key, label, fmt]) => {
    const q = tenant.quotas[key];
    return h('div', { 'data-quota': key }, `${label}: ${fmt(q.used)} / ${fmt(q.limit)} `,
      q.source === 'override' ? badge('override') : '');
  }));
}

export async function tenants() {
  const [list, keys] = await Promise.all([api('GET', '/admin/tenants'), api('GET', '/admin/api-keys')]);
  const keysOf = new Map();
  for (const k of keys.data) {
    if (!keysOf.has(k.tenant_id)) keysOf.set(k.tenant_id, []);
    keysOf.get(k.tenant_id).push(k);
  }
  page('Tenants', 'A tenant is made with its first API key (POST /admin/api-keys); PATCH /admin/tenants/{id} sets its weight and quotas.',
    table([{ label: 'Tenant' }, { label: 'Name' }, { label: 'Keys' }, { label: 'Weight' }, { label: 'Quotas (used / limit)' }, { label: 'Usage' }],
      list.data.map(t => ({ attrs: { 'data-tenant': t.id }, cells: [
        h('span', { class: 'mono' }, t.id), t.name,
        h('div', {}, (keysOf.get(t.id) || []).map(k => h('div', { class: 'mono' }, `${k.key_prefix}… `, k.revoked_at ? badge('revoked') : badge('active')))),
        String(t.weight), quotas(t),
        h('a', { href: '#/usage' + query({ tenant: t.id }) }, 'usage')] })), 'No tenant yet.'),
    h('p', { class: 'note' }, 'Weights are stored; fair sharing of a contended model by weight is being built. Quotas are enforced: over one, a request gets 429 quota_exceeded.'));
  stopRefreshing();
}
