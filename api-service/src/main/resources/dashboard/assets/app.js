// Sluice dashboard, part of the no-build console at /dashboard/ (ES modules, no bundler).
// Shared state of the page: the admin API client, notices, confirmations, refreshing and view changes.
import { h } from './dom.js';

const view = document.getElementById('view');
const notice = document.getElementById('notice');
let refreshTimer = null;
let editing = false;
let rerender = async () => {};
// Counts view changes: an answer that arrives after the operator moved on to another view is dropped.
let generation = 0;

/** Thrown for an answer meant for a view the operator has left. */
export class Stale extends Error {}

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)sluice_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

export async function api(method, path, body) {
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

export function say(text, isError) {
  notice.replaceChildren(h('div', { class: 'msg' + (isError ? ' error' : '') }, text));
}

/** Asks once, runs the change, and says what it did (or why it did not). */
export async function act(question, run) {
  if (!window.confirm(question)) return;
  try {
    say(await run());
    await rerender();
  } catch (e) {
    say(e.message, true);
  }
}

/** Re-renders the view every {@code ms}, except while the operator types in a field or edits a limit. */
export function every(ms, fn) {
  stopRefreshing();
  refreshTimer = setInterval(() => {
    const typing = view.contains(document.activeElement) && /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (!editing && !typing && !document.hidden) fn().catch(e => { if (!(e instanceof Stale)) say(e.message, true); });
  }, ms);
}

/** Replaces the view, keeping keyboard focus on the same control (by id or label) across a refresh. */
export function page(title, sub, ...content) {
  const focused = view.contains(document.activeElement) ? document.activeElement : null;
  const key = focused && (focused.id ? '#' + CSS.escape(focused.id)
    : focused.getAttribute('aria-label') ? `[aria-label="${CSS.escape(focused.getAttribute('aria-label'))}"]` : null);
  view.replaceChildren(...[h('h1', {}, title), sub ? h('p', { class: 'sub' }, sub) : null, ...content]
    .filter(x => x !== null && x !== undefined && x !== false));
  if (key) view.querySelector(key)?.focus({ preventScroll: true });
}

/** Stops the current view's refreshing (views that show a snapshot). */
export function stopRefreshing() {
  clearInterval(refreshTimer);
}

/** Whether a limit is being edited in place, which holds the refreshing back. */
export function setEditing(value) {
  editing = value;
}

/** Starts a new view: answers for the previous one are dropped and its refreshing stops. */
export function newView() {
  generation++;
  setEditing(false);
  stopRefreshing();
}

/** What {@code act} calls to show the view again after a change. */
export function onRerender(fn) {
  rerender = fn;
}

/** Clears the notice. */
export function clearNotice() {
  notice.replaceChildren();
}

/** The element the views render into. */
export const viewElement = view;
