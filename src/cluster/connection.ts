import { Redis } from 'ioredis';
import { configuredRedisUrl } from '../config.js';
import { BatonError, usageError } from '../errors.js';

/** How long a command waits for Redis before saying it cannot be reached (BATON_REDIS_CONNECT_MS overrides). */
const CONNECT_TIMEOUT_MS = 3_000;

/**
 * The longest pause between reconnection attempts, for as long as a client lives. Short, because a worker
 * back from a Redis restart must heartbeat again within its lost bound (see lost-judgement.ts).
 */
const RECONNECT_MAX_MS = 1_000;

/** Where the cluster's Redis URL came from, for messages. */
export interface RedisTarget {
  url: string;
  source: '--redis' | 'BATON_REDIS_URL' | 'config.json';
}

/**
 * The Redis URL of the cluster queue: the flag wins, then BATON_REDIS_URL, then `cluster.redis` in
 * $BATON_HOME/config.json. None of them: undefined (runs stay on this machine).
 */
export function resolveRedisTarget(home: string, env: NodeJS.ProcessEnv, flag?: string): RedisTarget | undefined {
  const target: RedisTarget | undefined =
    flag !== undefined ? { url: flag, source: '--redis' }
    : env.BATON_REDIS_URL ? { url: env.BATON_REDIS_URL, source: 'BATON_REDIS_URL' }
    : (() => {
        const url = configuredRedisUrl(home);
        return url === undefined ? undefined : { url, source: 'config.json' as const };
      })();
  if (target) checkRedisUrl(target);
  return target;
}

function checkRedisUrl(target: RedisTarget): void {
  let parsed: URL;
  try {
    parsed = new URL(target.url);
  } catch {
    throw usageError(`${target.source}: not a URL: ${redactUrl(target.url)} (e.g. redis://host:6379 or rediss://:password@host:6380)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw usageError(`${target.source}: a Redis URL starts with redis:// or rediss:// (got ${redactUrl(target.url)})`);
  }
}

/** The URL as Baton may print or store it: any password replaced by "***". */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    // Unparseable: drop everything between "//" and "@", where a password would be.
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

function connectTimeoutMs(env: NodeJS.ProcessEnv): number {
  const override = Number(env.BATON_REDIS_CONNECT_MS);
  return override > 0 ? override : CONNECT_TIMEOUT_MS;
}

/**
 * A connected client, or a runtime BatonError naming the URL (without its password) within a few
 * seconds. Once connected it reconnects by itself, without end (Redis restarting). While it is
 * disconnected, a command of a `blocking` client (a worker's: BullMQ, heartbeats, subscribers) waits for
 * the reconnection; any other client's command fails after two attempts, so a CLI command says Redis is
 * down at once while a long-lived lead (wait, MCP, dashboard) simply tries again on its next read.
 */
export async function connectRedis(url: string, env: NodeJS.ProcessEnv, options: { blocking?: boolean } = {}): Promise<Redis> {
  const timeoutMs = connectTimeoutMs(env);
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: options.blocking ? null : 2,
    retryStrategy: (times) => Math.min(100 * times, RECONNECT_MAX_MS),
  });
  // ioredis reports every failed reconnection as an 'error' event; unhandled, it would crash the process.
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    const message = error instanceof Error ? error.message : String(error);
    throw new BatonError('runtime', `cannot reach Redis at ${redactUrl(url)}: ${scrub(message, url)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** An error text from the client with the password taken out, should it quote the URL. */
function scrub(message: string, url: string): string {
  try {
    const password = new URL(url).password;
    return password ? message.split(decodeURIComponent(password)).join('***').split(password).join('***') : message;
  } catch {
    return message;
  }
}

/**
 * Says in the log when a long-lived client loses Redis and when it is back, once each: ioredis
 * reconnects silently, and an operator watching a worker should know why it stopped taking work.
 */
export function logReconnects(client: Redis, url: string, log: (line: string) => void): void {
  let lostAt: number | null = null;
  // 'reconnecting' comes only from a lost connection, never from our own disconnect() at shutdown.
  client.on('reconnecting', () => {
    if (lostAt !== null) return;
    lostAt = Date.now();
    log(`lost Redis at ${redactUrl(url)}; reconnecting`);
  });
  client.on('ready', () => {
    if (lostAt === null) return;
    log(`Redis at ${redactUrl(url)} is back (${Date.now() - lostAt} ms without it)`);
    lostAt = null;
  });
}
