// Sluice dashboard, part of the no-build console at /dashboard/ (ES modules, no bundler).
// Every 429 the workers received.
import { api, every, page } from '../app.js';
import { h, field, filters, limitText, query, table, time } from '../dom.js';

export async function rateLimits(params) {
  const list = await api('GET', '/admin/rate-limit-events' + query({ model: params.get('model'), limit: 100 }));
  page('Rate-limit events', 'Every 429 the workers received, newest first, and the limit learned from it.',
    filters('/rate-limits', [field('Model', 'model', params.get('model'))], 'Filter'),
    table([{ label: 'When' }, { label: 'Model' }, { label: 'Key' }, { label: 'Job' }, { label: 'Message' },
      { label: 'Learned' }, { label: 'Paused until' }],
    list.data.map(e => ({ cells: [time(e.occurred_at), h('span', { class: 'mono' }, e.model), h('span', { class: 'mono' }, e.credential),
      e.job_id ? h('a', { href: '#/jobs/' + e.job_id, class: 'mono' }, e.job_id) : '—', e.message || '—',
      h('span', { class: 'nowrap' }, limitText(e.learned)), time(e.paused_until)] })), 'No 429 recorded.'));
  every(5000, () => rateLimits(params));
}
