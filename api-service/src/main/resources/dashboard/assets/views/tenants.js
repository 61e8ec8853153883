// Sluice dashboard, part of the no-build console at /dashboard/ (ES modules, no bundler).
// Tenants as their API keys make them, with a place for weights and quotas.
import { api, page, stopRefreshing } from '../app.js';
import { h, badge, query, table } from '../dom.js';

export async function tenants() {
  const keys = await api('GET', '/admin/api-keys');
  const byTenant = new Map();
  for (const k of keys.data) {
    if (!byTenant.has(k.tenant_id)) byTenant.set(k.tenant_id, []);
    byTenant.get(k.tenant_id).push(k);
  }
  page('Tenants', 'A tenant is made with its first API key (POST /admin/api-keys).',
    table([{ label: 'Tenant' }, { label: 'Name' }, { label: 'Keys' }, { label: 'Weight' }, { label: 'Quotas' }, { label: 'Usage' }],
      [...byTenant].map(([id, ks]) => ({ attrs: { 'data-tenant': id }, cells: [
        h('span', { class: 'mono' }, id), ks[0].name,
        h('div', {}, ks.map(k => h('div', { class: 'mono' }, `${k.key_prefix}… `, k.revoked_at ? badge('revoked') : badge('active')))),
        h('span', { class: 'note' }, 'not yet'), h('span', { class: 'note' }, 'not yet'),
        h('a', { href: '#/usage' + query({ tenant: id }) }, 'usage')] })), 'No tenant yet.'),
    h('p', { class: 'note' }, 'Fair-share weights and per-tenant quotas are not part of Sluice yet; their columns stay empty until they are.'));
  stopRefreshing();
}
