// @ts-check
// A run's live stream (/api/runs/:id/stream): log text from the byte offset the page has reached,
// status updates, and the end. It reconnects itself, from the offset reached, so no output is shown
// twice, backing off up to 30 s.

import { parseJson } from './api.js';

/**
 * @typedef {import('../src/ui/views.js').RunDetail} RunDetail
 * @typedef {import('../src/ui/views.js').TailEvent} TailEvent
 * @typedef {import('../src/ui/views.js').SkippedEvent} SkippedEvent
 * @typedef {{
 *   text(text: string): void,
 *   skipped(bytes: number): void,
 *   status(detail: RunDetail): void,
 *   end(): void,
 *   reconnecting(): void,
 *   changed(): void,
 * }} RunStreamHandlers
 */

/**
 * @param {string} id
 * @param {number} offset the byte offset of the log the page already shows
 * @param {RunStreamHandlers} on `changed` whenever the stream opens or closes
 */
export function followRun(id, offset, on) {
  /** @type {EventSource | null} */
  let stream = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retryTimer;
  let retryMs = 1000;
  let stopped = false;

  const close = () => {
    stream?.close();
    stream = null;
  };

  function open() {
    if (stopped) return;
    const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/stream?offset=${offset}`);
    stream = source;
    source.addEventListener('open', () => {
      retryMs = 1000;
      on.changed();
    });
    source.addEventListener('tail', (event) => {
      const data = /** @type {TailEvent | null} */ (parseJson(event.data));
      if (!data || typeof data.text !== 'string') return;
      on.text(data.text);
      offset = Number.isFinite(data.offset) ? data.offset : offset + new TextEncoder().encode(data.text).length;
      on.changed();
    });
    source.addEventListener('skipped', (event) => on.skipped(/** @type {SkippedEvent | null} */ (parseJson(event.data))?.bytes ?? 0));
    source.addEventListener('status', (event) => {
      const data = /** @type {RunDetail | null} */ (parseJson(event.data));
      if (data) on.status(data);
    });
    source.addEventListener('end', () => {
      stopped = true;
      close();
      on.end();
    });
    source.addEventListener('error', () => {
      close();
      on.changed();
      if (stopped) return;
      retryTimer = setTimeout(() => {
        on.reconnecting();
        open();
      }, retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
    });
  }

  open();
  return {
    isOpen: () => stream !== null,
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      close();
    },
  };
}
