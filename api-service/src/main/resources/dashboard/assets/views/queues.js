// Sluice dashboard, part of the no-build console at /dashboard/ (ES modules, no bundler).
// The queues overview: per model counts, Pause/Resume and limits edited in place.
import { api, act, every, page, setEditing } from '../app.js';
import { h, badge, duration, field, limitText, table } from '../dom.js';

export async function overview() {
  const [queues, limits] = await Promise.all([api('GET', '/admin/queues'), api('GET', '/admin/limits')]);
  const byModel = Object.fromEntries(limits.data.map(l => [l.model, l]));
  const rows = [];
  for (const q of queues.data) {
    const l = byModel[q.model] || {};
    const name = q.model;
    rows.push({ attrs: { 'data-model': name }, cells: [
      h('span', { class: 'mono' }, name),
      q.waiting,
      (q.tenants || []).length
        ? h('span', { 'data-tenants': '' }, q.tenants.map(tenantText).join(' · '))
        : '—',
      q.in_flight, q.consumers,
      h('span', {}, limitText(q.limit), ' ', h('span', { class: 'note' }, `(${q.limit_source})`),
        (q.limits || []).length > 1
          ? h('div', { class: 'note', 'data-limits': '' }, q.limits.map(setEntryText).join(' · '))
          : null,
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
  page('Queues', 'One row per model: counts come from PostgreSQL; the tenants waiting share a model by weight. Refreshes every 3 s.',
    table([{ label: 'Model' }, { label: 'Waiting', num: true }, { label: 'Tenants waiting' }, { label: 'In flight', num: true },
      { label: 'Consumers', num: true }, { label: 'Limit' }, { label: '429s (1 h)', num: true },
      { label: 'Oldest waiting' }, { label: 'ETA' }, { label: 'State' }, { label: 'Actions' }],
    rows, 'No model has been submitted or configured yet.'),
    h('p', { class: 'note' }, `Default limit: ${limitText(limits.default_limit)} (SLUICE_DEFAULT_LIMIT). ETA is a floor: `
      + 'it does not count latency, 429 pauses or concurrency caps.'));
  every(3000, overview);
}

// A tenant waiting on a model and its fair share: "analytics 1000 (75 %)".
function tenantText(t) {
  return `${t.tenant_name || t.tenant_id} ${t.waiting} (${Math.round(t.share * 100)} %)`;
}

// One limit of a model's set: "30000 tokens / 60 s (learned, 1200 used)".
function setEntryText(l) {
  const amount = l.tokens !== undefined ? `${l.tokens} tokens` : `${l.requests}`;
  return `${amount} / ${l.per_seconds} s (${l.source}, ${l.used} used)`;
}

// A set written as SLUICE_DEFAULT_LIMIT is: "15/60s, 30000 tokens/60s".
function setText(limits) {
  return (limits || []).map(l => l.tokens !== undefined ? `${l.tokens} tokens/${l.per_seconds}s` : `${l.requests}/${l.per_seconds}s`).join(', ');
}

function editLimit(row, model, current) {
  if (row.nextElementSibling?.classList.contains('editor')) return;
  setEditing(true);
  const configured = current.configured || {};
  const close = () => { setEditing(false); editor.remove(); };
  const form = h('form', { 'aria-label': 'Limit of ' + model },
    field('Requests', 'requests', configured.requests, { type: 'number', min: '1', placeholder: String(current.requests || '') }),
    field('Per seconds', 'per_seconds', configured.per_seconds, { type: 'number', min: '0.001', step: 'any', placeholder: String(current.per_seconds || '') }),
    field('Max concurrency', 'max_concurrency', current.max_concurrency, { type: 'number', min: '1', placeholder: 'none' }),
    field('Or every limit', 'limits', '', { placeholder: setText((current.limits || []).filter(l => l.source === 'configured')) || '15/60s, 30000 tokens/60s' }),
    h('button', { type: 'submit' }, 'Save limit'),
    h('button', { type: 'button', class: 'secondary', onclick: close }, 'Cancel'),
    h('p', { class: 'note' }, 'Leave requests and seconds empty to go back to the default; or give every window at once, as SLUICE_DEFAULT_LIMIT is written.'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const v = Object.fromEntries(new FormData(form).entries());
    const num = x => x === '' ? null : Number(x);
    const body = (v.limits || '').trim() !== ''
      ? { model, limits: v.limits.trim() }
      : { model, requests: num(v.requests), per_seconds: num(v.per_seconds) };
    if (v.max_concurrency !== '') body.max_concurrency = num(v.max_concurrency);
    const words = body.limits ? body.limits : body.requests === null ? 'the default limit' : `${body.requests} per ${body.per_seconds} s`;
    act(`Set ${model} to ${words}?`, async () => {
      const saved = await api('PUT', '/admin/limits', body);
      setEditing(false);
      return saved.limits && saved.limits.length > 1
        ? `Limits of ${model} are now ${saved.limits.map(setEntryText).join(', ')}.`
        : `Limit of ${model} is now ${saved.requests} per ${saved.per_seconds} s (${saved.source}).`;
    });
  });
  const editor = h('tr', { class: 'editor' }, h('td', { colspan: '10' }, form));
  row.after(editor);
  form.querySelector('input').focus();
}
