// @ts-check
// #/ — the front page: the latest plans (plans-list.js), then a page of runs with filters for state
// and directory (runs-list.js), both kept current from the live stream without refetching the lists.

import { h } from './dom.js';
import { onLive } from './live.js';
import { plansList } from './plans-list.js';
import { runsList } from './runs-list.js';

/** @param {import('./runs-list.js').RunsQuery} initialQuery */
export function runsView(initialQuery) {
  const plans = plansList();
  const runs = runsList();
  const root = h('section', { class: 'page', 'data-page': 'runs' }, plans.heading, plans.table, runs.toolbar, runs.table);

  const unsubscribe = onLive((message) => {
    if (message.kind === 'runs') runs.merge(message.rows);
    else if (message.kind === 'plans') plans.merge(message.rows);
    else {
      // Whatever changed while the stream was down was not streamed.
      runs.load();
      plans.load();
    }
  });

  runs.update(initialQuery);
  plans.load();
  return { root, update: runs.update, destroy: unsubscribe };
}
