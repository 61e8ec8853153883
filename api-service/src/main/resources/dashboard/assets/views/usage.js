// Sluice dashboard, part of the no-build console at /dashboard/ (ES modules, no bundler).
// Usage by tenant and model over days, as charts (uPlot, from its WebJar) and rows.
import { api, page, stopRefreshing } from '../app.js';
import { h, field, filters, query, table } from '../dom.js';

export async function usage(params) {
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
  stopRefreshing();
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
