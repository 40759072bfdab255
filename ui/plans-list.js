// @ts-check
// The front page's plans: the latest few, newest first, kept current from the live stream. Plans come
// first on the page: there are few of them, and each stands for many runs. Their box scrolls when
// there are more than a handful, so the runs stay in view.

import { api, messageOf, showError } from './api.js';
import { fill, h } from './dom.js';
import { count } from './format.js';
import { planRow, plansTable } from './list-rows.js';

/**
 * @typedef {import('../src/ui/views.js').PlanRow} PlanRow
 * @typedef {import('../src/ui/views.js').PlansPage} PlansPage
 */

const PLAN_LIMIT = 20;

export function plansList() {
  const body = h('tbody');
  const info = h('span', { class: 'summary' });
  const table = plansTable(body);
  table.hidden = true; // until the plans are in
  /** @type {Map<string, PlanRow>} */
  let plans = new Map();
  let total = 0;

  function renderInfo() {
    // No plans: one line instead of an empty table, so the runs move up.
    table.hidden = plans.size === 0;
    if (plans.size === 0) fill(info, 'none yet · start one with ', h('code', {}, 'baton plan run plan.yaml'));
    else info.textContent = total > plans.size ? `latest ${plans.size} of ${count(total)}` : `${count(total)} ${total === 1 ? 'plan' : 'plans'}`;
  }

  async function load() {
    try {
      const data = /** @type {PlansPage} */ (await api('GET', `/api/plans?offset=0&limit=${PLAN_LIMIT}`));
      total = data.total ?? 0;
      plans = new Map();
      fill(body);
      for (const plan of data.plans ?? []) {
        plans.set(plan.id, plan);
        body.append(planRow(plan));
      }
      renderInfo();
    } catch (error) {
      showError(messageOf(error));
    }
  }

  /** @param {PlanRow[]} changed */
  function merge(changed) {
    for (const plan of changed) {
      const existing = body.querySelector(`tr[data-plan-id="${CSS.escape(plan.id)}"]`);
      if (existing) existing.replaceWith(planRow(plan));
      else {
        body.prepend(planRow(plan, true));
        total += 1;
      }
      plans.set(plan.id, plan);
    }
    renderInfo();
  }

  return { heading: h('div', { class: 'toolbar' }, h('h1', { id: 'plans' }, 'Plans'), info), table, load, merge };
}
