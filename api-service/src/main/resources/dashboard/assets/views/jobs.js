// Sluice dashboard, part of the no-build console at /dashboard/ (ES modules, no bundler).
// Jobs: one job in full, and failed jobs with retry by filter.
import { api, act, page, stopRefreshing } from '../app.js';
import { h, badge, field, filters, limitText, query, table, time } from '../dom.js';

export function jobTable(jobs, emptyText) {
  return table([{ label: 'Job' }, { label: 'Line', num: true }, { label: 'Custom id' }, { label: 'Model' },
    { label: 'Status' }, { label: 'Attempts', num: true }, { label: 'Outcome' }, { label: 'Finished' }],
  jobs.map(j => ({ attrs: { 'data-job': j.id }, cells: [
    h('a', { href: '#/jobs/' + j.id, class: 'mono' }, j.id), j.line_no ?? '—', j.custom_id ?? '—',
    h('span', { class: 'mono' }, j.model), badge(j.status), j.attempts,
    j.error ? `${j.error.code || ''} ${j.error.message || ''}`.trim()
      : (j.response_status ? 'HTTP ' + j.response_status : '—'),
    time(j.completed_at)] })), emptyText);
}

export async function job(id) {
  const d = await api('GET', '/admin/jobs/' + id);
  const j = d.job;
  page('Job ' + j.id, null,
    h('dl', { class: 'facts' },
      h('dt', {}, 'Status'), h('dd', {}, badge(j.status)),
      h('dt', {}, 'Batch'), h('dd', {}, j.batch_id ? h('a', { href: '#/batches/' + j.batch_id, class: 'mono' }, j.batch_id) : 'single job'),
      h('dt', {}, 'Tenant'), h('dd', { class: 'mono' }, j.tenant_id),
      h('dt', {}, 'Model · endpoint'), h('dd', { class: 'mono' }, `${j.model} · ${j.url}`),
      h('dt', {}, 'Custom id · line'), h('dd', {}, `${j.custom_id ?? '—'} · ${j.line_no ?? '—'}`),
      h('dt', {}, 'Attempts'), h('dd', {}, String(j.attempts)),
      h('dt', {}, 'Created'), h('dd', {}, time(j.created_at)),
      h('dt', {}, 'First started'), h('dd', {}, time(j.started_at)),
      h('dt', {}, 'Finished'), h('dd', {}, time(j.completed_at)),
      h('dt', {}, 'Last attempt latency'), h('dd', {}, j.latency_ms === null ? '—' : j.latency_ms + ' ms'),
      h('dt', {}, 'Usage'), h('dd', {}, j.usage ? `${j.usage.prompt_tokens} prompt + ${j.usage.completion_tokens} completion` : '—'),
      h('dt', {}, 'From cache'), h('dd', {}, d.cached ? 'yes' : 'no'),
      h('dt', {}, 'Retried as'), h('dd', { class: 'mono' }, d.retried_as || '—')),
    h('h2', {}, 'Request'),
    h('pre', { 'aria-label': 'Request body' }, JSON.stringify(d.request, null, 2)),
    h('h2', {}, d.response ? `Answer (HTTP ${d.response.status_code})` : 'Answer'),
    d.response ? h('pre', { 'aria-label': 'Answer body' }, JSON.stringify(d.response.body, null, 2)) : h('p', { class: 'empty' }, 'No answer yet.'),
    j.error ? h('p', { class: 'msg error' }, `Error ${j.error.code || ''}: ${j.error.message || ''}`) : null,
    h('h2', {}, 'Attempts'),
    h('p', { class: 'note' }, `${j.attempts} upstream call(s). Sluice stores the count, the first start, the end and `
      + 'the last attempt\'s latency, not each attempt; 429s are stored one by one (below) and do not count as attempts.'),
    table([{ label: 'When' }, { label: 'Outcome' }, { label: 'Limit learned' }, { label: 'Retry after' }],
      d.rate_limit_events.map(e => ({ cells: [time(e.occurred_at), '429 ' + (e.message || ''), limitText(e.learned),
        e.retry_after_seconds === null ? '—' : e.retry_after_seconds + ' s'] })), 'No 429 met this job.'));
  stopRefreshing();
}

export async function failed(params) {
  const filter = { model: params.get('model'), batch_id: params.get('batch_id'), tenant: params.get('tenant') };
  const list = await api('GET', '/admin/jobs' + query(Object.assign({ status: 'failed', limit: 100 }, filter)));
  const described = Object.entries(filter).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ') || 'no filter';
  page('Failed jobs', 'Failed jobs of every tenant, newest first. Retrying makes new jobs (one new batch per old batch).',
    filters('/failed', [field('Model', 'model', filter.model), field('Batch id', 'batch_id', filter.batch_id),
      field('Tenant id', 'tenant', filter.tenant)], 'Filter'),
    h('div', { class: 'actions' }, h('button', { type: 'button', id: 'retry-matching', disabled: list.data.length === 0,
      onclick: () => act(`Retry every failed job matching ${described} that was not retried yet?`, async () => {
        const body = Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
        const r = await api('POST', '/admin/jobs/retry', body);
        return `Retried ${r.retried} failed job(s) as ${r.batches.length} new batch(es) and ${r.jobs.length} new job(s)`
          + (r.batches.length ? ': ' + r.batches.join(', ') : '') + (r.has_more ? '. More match: retry again.' : '.');
      }) }, 'Retry all matching')),
    h('h2', {}, `${list.data.length}${list.has_more ? '+' : ''} failed job(s)`),
    jobTable(list.data, 'No failed job matches.'));
  stopRefreshing();
}
