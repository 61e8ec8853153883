// Sluice dashboard: renders each view from the admin API (/admin/**) with the session cookie. No build step.
// Every text from the server goes in through textContent, never innerHTML.
'use strict';

const view = document.getElementById('view');
const notice = document.getElementById('notice');
let refreshTimer = null;
let editing = false;
// Counts view changes: an answer that arrives after the operator moved on to another view is dropped.
let generation = 0;

class Stale extends Error {}

// ---------- helpers ----------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)sluice_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

async function api(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (method !== 'GET') init.headers['X-CSRF-Token'] = csrf();
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const asked = generation;
  const res = await fetch(path, init);
  if (asked !== generation) throw new Stale('the view changed');
  if (res.status === 401) {
    location.assign('/dashboard/');
    throw new Error('Signed out.');
  }
  const json = res.headers.get('Content-Type')?.includes('json') ? await res.json() : null;
  if (asked !== generation) throw new Stale('the view changed');
  if (!res.ok) throw new Error(json?.error?.message || `${method} ${path} answered ${res.status}`);
  return json;
}

function say(text, isError) {
  notice.replaceChildren(h('div', { class: 'msg' + (isError ? ' error' : '') }, text));
}

/** Asks once, runs the change, and says what it did (or why it did not). */
async function act(question, run) {
  if (!window.confirm(question)) return;
  try {
    say(await run());
    await render();
  } catch (e) {
    say(e.message, true);
  }
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

function time(unix) {
  if (unix === null || unix === undefined) return '—';
  const iso = new Date(unix * 1000).toISOString();
  return h('time', { datetime: iso }, iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  let s = Math.round(Number(seconds));
  if (s < 60) return s + ' s';
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hh = Math.floor(s / 3600); s -= hh * 3600;
  const m = Math.floor(s / 60);
  return [d && d + ' d', hh && hh + ' h', m && m + ' min'].filter(Boolean).join(' ');
}

function limitText(limit) {
  return limit ? `${limit.requests} / ${limit.per_seconds} s` : '—';
}

function badge(text) {
  return h('span', { class: 'badge ' + text }, text);
}

/** A table whose cells carry their column's name, so that it reads as cards at phone width. */
function table(columns, rows, emptyText) {
  if (!rows.length) return h('p', { class: 'empty' }, emptyText);
  return h('table', { class: 'cards' },
    h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
    h('tbody', {}, rows.map(row => {
      const tr = h('tr', row.attrs || {});
      columns.forEach((c, i) => tr.append(h('td', { 'data-label': c.label, class: c.num ? 'num' : null }, row.cells[i])));
      return tr;
    })));
}

function field(label, name, value, attrs) {
  const id = 'f-' + name;
  return h('div', { class: 'field' }, h('label', { for: id }, label),
    h('input', Object.assign({ id, name, value: value || '' }, attrs || {})));
}

/** A filter form that writes its values into the URL's hash, so a search can be bookmarked and reloaded. */
function filters(path, fields, submitLabel) {
  const form = h('form', { class: 'filters', role: 'search' }, fields, h('button', { type: 'submit' }, submitLabel));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const values = Object.fromEntries(new FormData(form).entries());
    location.hash = '#' + path + query(values);
  });
  return form;
}

function progress(counts) {
  const total = counts.total || 0;
  const ok = counts.completed || 0, bad = counts.failed || 0;
  const pct = n => total ? (100 * n / total).toFixed(1) + '%' : '0%';
  return h('div', {},
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(total),
      'aria-valuenow': String(ok + bad), 'aria-label': 'Batch progress' },
      h('span', { class: 'ok', style: 'width:' + pct(ok) }), h('span', { class: 'bad', style: 'width:' + pct(bad) })),
    h('div', { class: 'progress-label' }, `${ok + bad} of ${total} done · ${ok} succeeded · ${bad} failed`
      + (counts.queued !== null && counts.queued !== undefined ? ` · ${counts.queued} queued · ${counts.running} running` : '')));
}

/** Re-renders the view every {@code ms}, except while the operator types in a field or edits a limit. */
function every(ms, fn) {
  clearInterval(refreshTimer);
  refreshTimer = setInterval(() => {
    const typing = view.contains(document.activeElement) && /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (!editing && !typing && !document.hidden) fn().catch(e => { if (!(e instanceof Stale)) say(e.message, true); });
  }, ms);
}

/** Replaces the view, keeping keyboard focus on the same control (by id or label) across a refresh. */
function page(title, sub, ...content) {
  const focused = view.contains(document.activeElement) ? document.activeElement : null;
  const key = focused && (focused.id ? '#' + CSS.escape(focused.id)
    : focused.getAttribute('aria-label') ? `[aria-label="${CSS.escape(focused.getAttribute('aria-label'))}"]` : null);
  view.replaceChildren(...[h('h1', {}, title), sub ? h('p', { class: 'sub' }, sub) : null, ...content]
    .filter(x => x !== null && x !== undefined && x !== false));
  if (key) view.querySelector(key)?.focus({ preventScroll: true });
}

// ---------- views ----------

async function overview() {
  const [queues, limits] = await Promise.all([api('GET', '/admin/queues'), api('GET', '/admin/limits')]);
  const byModel = Object.fromEntries(limits.data.map(l => [l.model, l]));
  const rows = [];
  for (const q of queues.data) {
    const l = byModel[q.model] || {};
    const name = q.model;
    rows.push({ attrs: { 'data-model': name }, cells: [
      h('span', { class: 'mono' }, name),
      q.waiting, q.in_flight, q.consumers,
      h('span', {}, limitText(q.limit), ' ', h('span', { class: 'note' }, `(${q.limit_source})`),
        l.max_concurrency ? h('div', { class: 'note' }, `max ${l.max_concurrency} in flight`) : null),
      q.rate_limited_last_hour,
      duration(q.oldest_waiting_age_seconds),
      q.paused ? '—' : duration(q.estimated_drain_seconds),
      q.paused ? badge('paused') : badge('active'),
      h('div', { class: 'actions' },
        q.paused
          ? h('button', { type: 'button', 'aria-label': 'Resume ' + name, onclick: () => act(`Resume ${name}? Workers start dispatching it again.`,
              async () => { await api('POST', '/admin/resume', { model: name }); return `Resumed ${name}.`; }) }, 'Resume')
          : h('button', { type: 'button', class: 'danger', 'aria-label': 'Pause ' + name, onclick: () => act(`Pause ${name}? Workers stop dispatching it; waiting jobs stay queued.`,
              async () => { await api('POST', '/admin/pause', { model: name }); return `Paused ${name}.`; }) }, 'Pause'),
        h('button', { type: 'button', class: 'secondary', 'aria-label': 'Edit limit of ' + name,
          onclick: e => editLimit(e.target.closest('tr'), name, l) }, 'Edit limit'))
    ] });
  }
  page('Queues', 'One row per model: counts come from PostgreSQL. Refreshes every 3 s.',
    table([{ label: 'Model' }, { label: 'Waiting', num: true }, { label: 'In flight', num: true },
      { label: 'Consumers', num: true }, { label: 'Limit' }, { label: '429s (1 h)', num: true },
      { label: 'Oldest waiting' }, { label: 'ETA' }, { label: 'State' }, { label: 'Actions' }],
    rows, 'No model has been submitted or configured yet.'),
    h('p', { class: 'note' }, `Default limit: ${limitText(limits.default_limit)} (SLUICE_DEFAULT_LIMIT). ETA is a floor: `
      + 'it does not count latency, 429 pauses or concurrency caps.'));
  every(3000, overview);
}

function editLimit(row, model, current) {
  if (row.nextElementSibling?.classList.contains('editor')) return;
  editing = true;
  const configured = current.configured || {};
  const close = () => { editing = false; editor.remove(); };
  const form = h('form', { 'aria-label': 'Limit of ' + model },
    field('Requests', 'requests', configured.requests, { type: 'number', min: '1', placeholder: String(current.requests || '') }),
    field('Per seconds', 'per_seconds', configured.per_seconds, { type: 'number', min: '0.001', step: 'any', placeholder: String(current.per_seconds || '') }),
    field('Max concurrency', 'max_concurrency', current.max_concurrency, { type: 'number', min: '1', placeholder: 'none' }),
    h('button', { type: 'submit' }, 'Save limit'),
    h('button', { type: 'button', class: 'secondary', onclick: close }, 'Cancel'),
    h('p', { class: 'note' }, 'Leave requests and seconds empty to go back to the default.'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const v = Object.fromEntries(new FormData(form).entries());
    const num = x => x === '' ? null : Number(x);
    const body = { model, requests: num(v.requests), per_seconds: num(v.per_seconds) };
    if (v.max_concurrency !== '') body.max_concurrency = num(v.max_concurrency);
    const words = body.requests === null ? 'the default limit' : `${body.requests} per ${body.per_seconds} s`;
    act(`Set ${model} to ${words}?`, async () => {
      const saved = await api('PUT', '/admin/limits', body);
      editing = false;
      return `Limit of ${model} is now ${saved.requests} per ${saved.per_seconds} s (${saved.source}).`;
    });
  });
  const editor = h('tr', { class: 'editor' }, h('td', { colspan: '10' }, form));
  row.after(editor);
  form.querySelector('input').focus();
}

async function batches(params) {
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

async function batch(id) {
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

function jobTable(jobs, emptyText) {
  return table([{ label: 'Job' }, { label: 'Line', num: true }, { label: 'Custom id' }, { label: 'Model' },
    { label: 'Status' }, { label: 'Attempts', num: true }, { label: 'Outcome' }, { label: 'Finished' }],
  jobs.map(j => ({ attrs: { 'data-job': j.id }, cells: [
    h('a', { href: '#/jobs/' + j.id, class: 'mono' }, j.id), j.line_no ?? '—', j.custom_id ?? '—',
    h('span', { class: 'mono' }, j.model), badge(j.status), j.attempts,
    j.error ? `${j.error.code || ''} ${j.error.message || ''}`.trim()
      : (j.response_status ? 'HTTP ' + j.response_status : '—'),
    time(j.completed_at)] })), emptyText);
}

async function job(id) {
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
  clearInterval(refreshTimer);
}

async function failed(params) {
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
  clearInterval(refreshTimer);
}

async function rateLimits(params) {
  const list = await api('GET', '/admin/rate-limit-events' + query({ model: params.get('model'), limit: 100 }));
  page('Rate-limit events', 'Every 429 the workers received, newest first, and the limit learned from it.',
    filters('/rate-limits', [field('Model', 'model', params.get('model'))], 'Filter'),
    table([{ label: 'When' }, { label: 'Model' }, { label: 'Key' }, { label: 'Job' }, { label: 'Message' },
      { label: 'Learned' }, { label: 'Paused until' }],
    list.data.map(e => ({ cells: [time(e.occurred_at), h('span', { class: 'mono' }, e.model), h('span', { class: 'mono' }, e.credential),
      e.job_id ? h('a', { href: '#/jobs/' + e.job_id, class: 'mono' }, e.job_id) : '—', e.message || '—',
      limitText(e.learned), time(e.paused_until)] })), 'No 429 recorded.'));
  every(5000, () => rateLimits(params));
}

async function usage(params) {
  const report = await api('GET', '/admin/usage' + query({ from: params.get('from'), to: params.get('to'),
    tenant: params.get('tenant'), model: params.get('model') }));
  const days = [];
  for (let d = new Date(report.from + 'T00:00:00Z'); d <= new Date(report.to + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + 1)) {
    days.push(d.toISOString().slice(0, 10));
  }
  const series = key => {
    const names = [...new Set(report.data.map(r => key(r)))].sort();
    return { names, values: names.map(n => days.map(day => report.data.filter(r => key(r) === n && r.day === day)
      .reduce((sum, r) => sum + r.requests, 0))) };
  };
  const byModel = series(r => r.model);
  const byTenant = series(r => `${r.tenant_name} (${r.tenant_id})`);
  page('Usage', `Requests finished per UTC day, ${report.from} to ${report.to}; tokens in the table below.`,
    filters('/usage', [field('From', 'from', params.get('from') || report.from, { type: 'date' }),
      field('To', 'to', params.get('to') || report.to, { type: 'date' }), field('Tenant id', 'tenant', params.get('tenant')),
      field('Model', 'model', params.get('model'))], 'Show'),
    h('div', { class: 'grid2' },
      h('figure', { class: 'chart', id: 'chart-models' }, h('figcaption', {}, 'Requests by model')),
      h('figure', { class: 'chart', id: 'chart-tenants' }, h('figcaption', {}, 'Requests by tenant'))),
    h('h2', {}, `Totals: ${report.totals.requests} requests, ${report.totals.total_tokens} tokens `
      + `(${report.totals.cache_hits} cache hits, ${report.totals.cached_total_tokens} of those tokens)`),
    table([{ label: 'Day' }, { label: 'Tenant' }, { label: 'Model' }, { label: 'Requests', num: true },
      { label: 'Failed', num: true }, { label: 'Prompt tokens', num: true }, { label: 'Completion tokens', num: true },
      { label: 'Cache hits', num: true }],
    report.data.map(r => ({ cells: [h('time', { datetime: r.day }, r.day), `${r.tenant_name} (${r.tenant_id})`, h('span', { class: 'mono' }, r.model),
      r.requests, r.failed, r.prompt_tokens, r.completion_tokens, r.cache_hits] })), 'Nothing finished in this range.'));
  chart(document.getElementById('chart-models'), days, byModel);
  chart(document.getElementById('chart-tenants'), days, byTenant);
  clearInterval(refreshTimer);
}

const PALETTE = ['#1f5fbf', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#4d7c0f'];

function chart(figure, days, { names, values }) {
  if (!window.uPlot || !names.length) {
    figure.append(h('p', { class: 'note' }, names.length ? 'The chart library did not load.' : 'No data.'));
    return;
  }
  const xs = days.map(d => Date.parse(d + 'T00:00:00Z') / 1000);
  const width = Math.max(260, figure.clientWidth - 20);
  new window.uPlot({
    width, height: 240,
    scales: { x: { time: true } },
    axes: [{}, { label: 'requests' }],
    series: [{}].concat(names.map((n, i) => ({ label: n, stroke: PALETTE[i % PALETTE.length], width: 2,
      points: { show: true } }))),
  }, [xs, ...values], figure);
}

function deliveryTable(list) {
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

async function webhooks(params) {
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

async function tenants() {
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
  clearInterval(refreshTimer);
}

// ---------- routing ----------

const routes = [
  [/^\/?$/, () => overview(), '#/'],
  [/^\/batches$/, p => batches(p), '#/batches'],
  [/^\/batches\/([\w-]+)$/, (p, id) => batch(id), '#/batches'],
  [/^\/jobs\/([\w-]+)$/, (p, id) => job(id), null],
  [/^\/failed$/, p => failed(p), '#/failed'],
  [/^\/rate-limits$/, p => rateLimits(p), '#/rate-limits'],
  [/^\/usage$/, p => usage(p), '#/usage'],
  [/^\/webhooks$/, p => webhooks(p), '#/webhooks'],
  [/^\/tenants$/, () => tenants(), '#/tenants'],
];

async function render() {
  generation++;
  clearInterval(refreshTimer);
  const raw = location.hash.replace(/^#/, '');
  const [path, search] = raw.split('?');
  const params = new URLSearchParams(search || '');
  for (const [pattern, run, nav] of routes) {
    const m = (path || '/').match(pattern);
    if (!m) continue;
    document.querySelectorAll('header nav a').forEach(a => {
      if (a.getAttribute('href') === nav) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
    try {
      await run(params, m[1]);
    } catch (e) {
      if (e instanceof Stale) return;
      clearInterval(refreshTimer);
      page('Something went wrong', null, h('p', { class: 'msg error' }, e.message));
    }
    return;
  }
  page('Not found', null, h('p', {}, 'No such view. ', h('a', { href: '#/' }, 'Back to the queues.')));
}

window.addEventListener('hashchange', () => { editing = false; notice.replaceChildren(); render().then(() => view.focus({ preventScroll: true })); });
render();
