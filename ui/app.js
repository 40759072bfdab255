// @ts-check
// Baton's live dashboard: a hash-routed single page over the server's JSON and SSE API, in plain
// browser ES modules with no framework or build step, so what the server sends is what runs.
// Pages: #/ (runs and plans), #/runs/:id (one run, its live log), #/plans/:id (one plan, its phases),
// #/workers (the cluster's workers, offered in the nav when a cluster is configured).
// This module boots the page and picks the view for the address; each view is a module of its own.

import { clearError } from './api.js';
import { h } from './dom.js';
import { parseHash } from './hash-route.js';
import { connectGlobalStream } from './live.js';
import { planView } from './plan-page.js';
import { runView } from './run-page.js';
import { runsView } from './runs-page.js';
import { workersView } from './workers-page.js';

/** @typedef {{root: HTMLElement, destroy(): void, update?: (query: Record<string, string>) => void}} View */

const app = /** @type {HTMLElement} */ (document.getElementById('app'));
/** @type {{kind: 'runs' | 'run' | 'plan' | 'workers' | 'missing', view: View} | null} */
let current = null;

function route() {
  const { path, query } = parseHash();
  clearError();
  // Changing a filter or page keeps the runs view (and its select boxes) and only reloads the rows.
  if (path === '/' && current?.kind === 'runs' && current.view.update) {
    current.view.update(query);
    return;
  }
  current?.view.destroy();
  app.replaceChildren();
  let match;
  /** @type {View} */
  let view;
  /** @type {'runs' | 'run' | 'plan' | 'workers' | 'missing'} */
  let kind;
  const decode = (/** @type {string} */ text) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  if (path === '/') [kind, view] = ['runs', runsView(query)];
  else if ((match = /^\/runs\/([^/]+)$/.exec(path))) [kind, view] = ['run', runView(decode(match[1] ?? ''))];
  else if ((match = /^\/plans\/([^/]+)$/.exec(path))) [kind, view] = ['plan', planView(decode(match[1] ?? ''))];
  else if (path === '/workers') [kind, view] = ['workers', workersView()];
  else [kind, view] = ['missing', missingView(path)];
  current = { kind, view };
  app.append(view.root);
  window.scrollTo(0, 0);
}

/**
 * @param {string} path
 * @returns {View}
 */
function missingView(path) {
  const root = h('section', { class: 'page', 'data-page': 'missing' }, h('div', { class: 'empty-page' }, h('h1', {}, 'Nothing here'), h('p', {}, `No page at ${path}. `, h('a', { href: '#/' }, 'Back to the runs'))));
  return { root, destroy() {} };
}

// The server says in the page whether runs here dispatch to a cluster.
if (document.querySelector('meta[name="baton-cluster"]')?.getAttribute('content') === '1') document.getElementById('nav-workers')?.removeAttribute('hidden');
window.addEventListener('hashchange', route);
connectGlobalStream();
route();
