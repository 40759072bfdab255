import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { Baton } from '../baton.js';
import { BatonError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import type { Plans } from '../plans/service.js';
import { readPhaseHistory } from '../plans/timing.js';
import type { RunState } from '../store/runs.js';
import { csrfFor, requireSameOrigin, requireToken } from './auth.js';
import { ChangeFeed } from './live.js';
import { pageStatesModule } from './page-states.js';
import { planRow, runDetail, runRow, type RunView } from './views.js';

export interface UiAppOptions {
  baton: Baton;
  plans: Plans;
  token: string;
  /** Hostnames the Host header may name (loopback names by default). */
  allowedHosts?: string[];
  /** How often live views look at the store. */
  pollMs?: number;
}

const PAGE_MAX = 200;
const TAIL_MAX_LINES = 2_000;
/** A stream never replays more than this much backlog; the page already has the tail. */
const STREAM_BACKLOG_BYTES = 256 * 1024;
const STREAM_CHUNK_BYTES = 64 * 1024;
const PING_MS = 15_000;
const HISTORY_MAX_AGE_MS = 5_000;

const ASSET_TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml', png: 'image/png' };
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function uiAssetsDir(): string {
  return join(packageRoot(), 'ui');
}

const STATUS_OF_ERROR: Record<BatonError['kind'], 400 | 404 | 409 | 500> = { usage: 400, 'not-found': 404, conflict: 409, runtime: 500 };

function intParam(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new BatonError('usage', `expected a whole number ≥ 0, got "${value}"`);
  return Math.min(n, max);
}

/** `running,failed` as a list; Baton.page says which state is unknown. */
function statesParam(value: string | undefined): RunState[] | undefined {
  return value ? (value.split(',').filter(Boolean) as RunState[]) : undefined;
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new BatonError('usage', 'the request body must be a JSON object');
}

function readAtMostEvery<T>(maxAgeMs: number, read: () => T): () => T {
  let value: T | undefined;
  let readAt = -Infinity;
  return () => {
    if (value === undefined || Date.now() - readAt >= maxAgeMs) {
      value = read();
      readAt = Date.now();
    }
    return value;
  };
}

async function sendEvent(stream: SSEStreamingApi, event: string, data: unknown): Promise<void> {
  await stream.writeSSE({ event, data: JSON.stringify(data) });
}

/**
 * The dashboard's HTTP app: the page, its assets, a JSON API over the library, live updates over
 * server-sent events, and the four actions. Everything needs the token; actions also need the page's
 * anti-forgery header. Thin: every answer comes from Baton and Plans.
 */
export function createUiApp(options: UiAppOptions): { app: Hono; feed: ChangeFeed } {
  const { baton, plans, token } = options;
  // Phase history changes only when a phase commits, yet every run view is judged against it: the
  // live feed and the run streams would read it several times a second.
  const history = readAtMostEvery(HISTORY_MAX_AGE_MS, () => readPhaseHistory(baton.store.plans));
  const feed = new ChangeFeed(baton, plans, history, options.pollMs);
  const allowedHosts = new Set(options.allowedHosts ?? ['127.0.0.1', 'localhost', '::1']);
  const assets = uiAssetsDir();
  const page = readFileSync(join(assets, 'index.html'), 'utf8').replace('__BATON_CSRF__', csrfFor(token));
  const viewOf = (ref: string): RunView => {
    const record = baton.resolveRun(ref);
    return { record, status: baton.statusOf(record) };
  };
  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof BatonError) return c.json({ error: error.message }, STATUS_OF_ERROR[error.kind]);
    process.stderr.write(`baton ui: ${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}\n`);
    return c.json({ error: error.message }, 500);
  });
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    if (c.req.path.startsWith('/api/')) c.header('Cache-Control', 'no-store');
  });
  app.use('*', requireToken({ token, allowedHosts }));
  app.use('/api/*', requireSameOrigin(token));

  app.get('/', (c) => {
    c.header('Content-Security-Policy', CSP);
    c.header('Cache-Control', 'no-store');
    return c.html(page);
  });
  // Built from the store's state lists rather than read from ui/, so the page never lags the store.
  const statesModule = pageStatesModule();
  app.get('/assets/states.js', (c) => c.body(statesModule, 200, { 'Content-Type': ASSET_TYPES.js! }));
  app.get('/assets/:file', (c) => {
    const file = c.req.param('file');
    const match = /^[a-z0-9][a-z0-9-]*\.(js|css|svg|png)$/.exec(file);
    if (!match) return c.json({ error: 'no such asset' }, 404);
    let body: Buffer;
    try {
      body = readFileSync(join(assets, file));
    } catch {
      return c.json({ error: 'no such asset' }, 404);
    }
    return c.body(new Uint8Array(body), 200, { 'Content-Type': ASSET_TYPES[match[1]!]! });
  });

  app.get('/api/runs', (c) => {
    const offset = intParam(c.req.query('offset'), 0, Number.MAX_SAFE_INTEGER);
    const limit = Math.max(1, intParam(c.req.query('limit'), 50, PAGE_MAX));
    const states = statesParam(c.req.query('state'));
    const dir = c.req.query('dir') || undefined;
    const { total, runs } = baton.page({ ...(states && { states }), ...(dir && { dir }), offset, limit });
    const h = history();
    return c.json({ total, offset, limit, dirs: baton.store.runs.dirs(), runs: runs.map((view) => runRow(baton, view, h)) });
  });
  app.get('/api/runs/:id', (c) => c.json(runDetail(baton, viewOf(c.req.param('id')), history())));
  app.get('/api/runs/:id/tail', async (c) => {
    const lines = Math.max(1, intParam(c.req.query('lines'), 200, TAIL_MAX_LINES));
    const { lines: text, offset, partial, missing } = await baton.fetchTail(c.req.param('id'), { lines, raw: true });
    return c.json({ lines: text, offset, partial, missing });
  });

  app.get('/api/runs/:id/stream', (c) => {
    const run = baton.resolveRun(c.req.param('id'));
    const requested = intParam(c.req.query('offset'), 0, Number.MAX_SAFE_INTEGER);
    return streamSSE(c, async (stream) => {
      const aborted = new AbortController();
      stream.onAbort(() => aborted.abort());
      if (stream.aborted) aborted.abort();
      let lastWrite = Date.now();
      // Far behind (offset 0 on a multi-GB log, or a very fast writer): only the newest part is worth streaming.
      const events = baton.followEvents(run.id, requested, {
        signal: aborted.signal,
        pollMs: options.pollMs ?? 150,
        maxBacklogBytes: STREAM_BACKLOG_BYTES,
        chunkBytes: STREAM_CHUNK_BYTES,
      });
      for await (const event of events) {
        if (event.kind === 'idle') {
          if (Date.now() - lastWrite < PING_MS) continue;
          await stream.write(': ping\n\n');
        } else if (event.kind === 'text') await sendEvent(stream, 'tail', { text: event.text, offset: event.offset });
        else if (event.kind === 'skipped') await sendEvent(stream, 'skipped', { bytes: event.bytes });
        else if (event.kind === 'changed') await sendEvent(stream, 'status', runDetail(baton, viewOf(run.id), history()));
        else await sendEvent(stream, 'end', { state: event.state });
        lastWrite = Date.now();
      }
    });
  });

  app.get('/api/stream', (c) =>
    streamSSE(c, async (stream) => {
      const queue: { event: string; data: unknown }[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = feed.subscribe((message) => {
        queue.push(message.event === 'runs' ? { event: 'runs', data: { runs: message.runs } } : { event: 'plans', data: { plans: message.plans } });
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      await stream.write(': connected\n\n');
      while (!stream.aborted) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, PING_MS).unref();
        });
        wake = undefined;
        if (stream.aborted) break;
        if (queue.length === 0) await stream.write(': ping\n\n');
        while (queue.length > 0) {
          const next = queue.shift()!;
          await sendEvent(stream, next.event, next.data);
        }
      }
      unsubscribe();
    }),
  );

  app.get('/api/plans', (c) => {
    const offset = intParam(c.req.query('offset'), 0, Number.MAX_SAFE_INTEGER);
    const limit = Math.max(1, intParam(c.req.query('limit'), 20, PAGE_MAX));
    const { total, plans: page } = plans.list({ offset, limit });
    return c.json({ total, offset, limit, plans: page.map(planRow) });
  });
  app.get('/api/plans/:id', (c) => c.json(plans.status(c.req.param('id'))));

  app.post('/api/runs/:id/kill', async (c) => {
    const id = baton.resolveRun(c.req.param('id')).id;
    await baton.kill(id);
    return c.json({ status: runDetail(baton, viewOf(id), history()) });
  });
  app.post('/api/runs/:id/resume', async (c) => {
    const body = await jsonBody(c);
    if (body.prompt !== undefined && typeof body.prompt !== 'string') throw new BatonError('usage', 'prompt must be a string');
    const prompt = typeof body.prompt === 'string' && body.prompt.trim() !== '' ? body.prompt : undefined;
    const resumed = await baton.resume(c.req.param('id'), prompt);
    return c.json({ id: resumed.id, status: runDetail(baton, viewOf(resumed.id), history()) });
  });
  app.post('/api/plans/:id/resume', async (c) => c.json(await plans.resume(c.req.param('id'))));
  app.post('/api/plans/:id/stop', async (c) => c.json(await plans.stop(c.req.param('id'))));

  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  return { app, feed };
}
