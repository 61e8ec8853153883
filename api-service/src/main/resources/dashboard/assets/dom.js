// Sluice dashboard, part of the no-build console at /dashboard/ (ES modules, no bundler).
// DOM helpers: every text from the server goes in through text nodes, never innerHTML.

export function h(tag, attrs, ...children) {
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

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

export function time(unix) {
  if (unix === null || unix === undefined) return '—';
  const iso = new Date(unix * 1000).toISOString();
  return h('time', { datetime: iso }, iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  let s = Math.round(Number(seconds));
  if (s < 60) return h('span', { class: 'nowrap' }, s + ' s');
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hh = Math.floor(s / 3600); s -= hh * 3600;
  const m = Math.floor(s / 60);
  return h('span', { class: 'nowrap' }, [d && d + ' d', hh && hh + ' h', m && m + ' min'].filter(Boolean).join(' '));
}

export function limitText(limit) {
  if (!limit) return '—';
  const amount = limit.tokens !== undefined && limit.tokens !== null ? `${limit.tokens} tokens` : `${limit.requests}`;
  return `${amount} / ${limit.per_seconds} s`;
}

export function badge(text) {
  return h('span', { class: 'badge ' + text }, text);
}

/** A table whose cells carry their column's name, so that it reads as cards at phone width. */
export function table(columns, rows, emptyText) {
  if (!rows.length) return h('p', { class: 'empty' }, emptyText);
  return h('table', { class: 'cards' },
    h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
    h('tbody', {}, rows.map(row => {
      const tr = h('tr', row.attrs || {});
      columns.forEach((c, i) => tr.append(h('td', { 'data-label': c.label, class: c.num ? 'num' : null }, row.cells[i])));
      return tr;
    })));
}

export function field(label, name, value, attrs) {
  const id = 'f-' + name;
  return h('div', { class: 'field' }, h('label', { for: id }, label),
    h('input', Object.assign({ id, name, value: value || '' }, attrs || {})));
}

/** A filter form that writes its values into the URL's hash, so a search can be bookmarked and reloaded. */
export function filters(path, fields, submitLabel) {
  const form = h('form', { class: 'filters', role: 'search' }, fields, h('button', { type: 'submit' }, submitLabel));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const values = Object.fromEntries(new FormData(form).entries());
    location.hash = '#' + path + query(values);
  });
  return form;
}

export function progress(counts) {
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
