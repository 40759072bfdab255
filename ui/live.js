// @ts-check
// The one shared live stream (/api/stream): run and plan rows that changed, handed to whichever page
// is showing. It is opened once, at boot, so moving between pages never reconnects.

import { parseJson } from './api.js';

/**
 * @typedef {import('../src/ui/views.js').RunRow} RunRow
 * @typedef {import('../src/ui/views.js').PlanRow} PlanRow
 * @typedef {{kind: 'runs', rows: RunRow[]} | {kind: 'plans', rows: PlanRow[]} | {kind: 'reconnected'}} LiveMessage
 * @typedef {(message: LiveMessage) => void} LiveListener
 */

/** @type {Set<LiveListener>} */
const liveListeners = new Set();
const liveBadge = document.getElementById('live');

/**
 * The latest row seen for each run, from the runs list and the stream: a run page shows the expected
 * range its list row carries, and a plan page tells a run changing state from its output growing.
 */
/** @type {Map<string, RunRow>} */
export const knownRuns = new Map();

/**
 * @param {'on' | 'off' | 'wait'} state
 * @param {string} text
 */
function setLive(state, text) {
  if (!liveBadge) return;
  liveBadge.className = `live live-${state}`;
  liveBadge.textContent = text;
}

export function connectGlobalStream() {
  let failed = false;
  const stream = new EventSource('/api/stream');
  const dispatch = (/** @type {LiveMessage} */ message) => {
    for (const listener of liveListeners) listener(message);
  };
  stream.addEventListener('open', () => {
    setLive('on', 'live');
    // Whatever changed while we were away was not streamed: let the view catch up.
    if (failed) dispatch({ kind: 'reconnected' });
    failed = false;
  });
  stream.addEventListener('error', () => {
    failed = true;
    if (stream.readyState === EventSource.CLOSED) {
      setLive('off', 'offline');
      setTimeout(connectGlobalStream, 5000);
    } else {
      setLive('wait', 'reconnecting');
    }
  });
  stream.addEventListener('runs', (event) => {
    const payload = /** @type {{runs: RunRow[]} | null} */ (parseJson(event.data));
    if (payload && Array.isArray(payload.runs)) dispatch({ kind: 'runs', rows: payload.runs });
  });
  stream.addEventListener('plans', (event) => {
    const payload = /** @type {{plans: PlanRow[]} | null} */ (parseJson(event.data));
    if (payload && Array.isArray(payload.plans)) dispatch({ kind: 'plans', rows: payload.plans });
  });
}

/**
 * Calls `listener` with each batch of changed runs or plans, and on 'reconnected'; returns the unsubscribe.
 * @param {LiveListener} listener
 * @returns {() => void}
 */
export function onLive(listener) {
  liveListeners.add(listener);
  return () => {
    liveListeners.delete(listener);
  };
}
