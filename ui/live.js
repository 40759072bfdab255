// The one shared live stream (/api/stream): run and plan rows that changed, handed to whichever page
// is showing. It is opened once, at boot, so moving between pages never reconnects.

import { parseJson } from './api.js';

const liveListeners = new Set();
const liveBadge = document.getElementById('live');
let globalStream = null;

/**
 * The latest row seen for each run, from the runs list and the stream: a run page shows the expected
 * range its list row carries, and a plan page tells a run changing state from its output growing.
 */
export const knownRuns = new Map();

function setLive(state, text) {
  if (!liveBadge) return;
  liveBadge.className = `live live-${state}`;
  liveBadge.textContent = text;
}

export function connectGlobalStream() {
  let failed = false;
  globalStream = new EventSource('/api/stream');
  const dispatch = (kind, payload) => {
    for (const listener of liveListeners) listener(kind, payload);
  };
  globalStream.addEventListener('open', () => {
    setLive('on', 'live');
    // Whatever changed while we were away was not streamed: let the view catch up.
    if (failed) dispatch('reconnected', null);
    failed = false;
  });
  globalStream.addEventListener('error', () => {
    failed = true;
    if (globalStream.readyState === EventSource.CLOSED) {
      setLive('off', 'offline');
      setTimeout(connectGlobalStream, 5000);
    } else {
      setLive('wait', 'reconnecting');
    }
  });
  for (const kind of ['runs', 'plans']) {
    globalStream.addEventListener(kind, (event) => {
      const payload = parseJson(event.data);
      if (payload && Array.isArray(payload[kind])) dispatch(kind, payload[kind]);
    });
  }
}

/** Calls `listener(kind, payload)` for 'runs', 'plans' and 'reconnected'; returns the unsubscribe. */
export function onLive(listener) {
  liveListeners.add(listener);
  return () => liveListeners.delete(listener);
}
