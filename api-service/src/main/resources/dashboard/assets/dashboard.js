// Sluice dashboard, part of the no-build console at /dashboard/ (ES modules, no bundler).
// Entry point: routes the URL's hash to a view.
import { newView, onRerender, clearNotice, page, viewElement, Stale, stopRefreshing } from './app.js';
import { h } from './dom.js';
import { overview } from './views/queues.js';
import { batches, batch } from './views/batches.js';
import { job, failed } from './views/jobs.js';
import { rateLimits } from './views/rate-limits.js';
import { usage } from './views/usage.js';
import { webhooks } from './views/webhooks.js';
import { tenants } from './views/tenants.js';

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
  newView();
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
      stopRefreshing();
      page('Something went wrong', null, h('p', { class: 'msg error' }, e.message));
    }
    return;
  }
  page('Not found', null, h('p', {}, 'No such view. ', h('a', { href: '#/' }, 'Back to the queues.')));
}

onRerender(render);
window.addEventListener('hashchange', () => { clearNotice(); render().then(() => viewElement.focus({ preventScroll: true })); });
render();

