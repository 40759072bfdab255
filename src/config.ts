import { readFileSync } from 'node:fs';
import { availableParallelism, freemem } from 'node:os';
import { join } from 'node:path';
import { usageError } from './errors.js';

/** Where a setting's value came from, so `baton config` can say why it is what it is. */
export type SettingSource = 'environment' | 'config file' | 'machine';

export interface Setting {
  value: number;
  source: SettingSource;
  /** How the machine's default was reached, or which variable or file set it. */
  detail: string;
}

export interface BatonConfig {
  /** $BATON_HOME/config.json; it need not exist. */
  path: string;
  /** Agents alive at once, for every run of this home (plain runs, plan phases, MCP runs). */
  maxConcurrent: Setting;
  /** A queued run does not start while the machine has less free memory than this. */
  minFreeMemoryMb: Setting;
}

/** What an agent CLI and its model server hold, roughly: the default cap keeps this much free per agent. */
const MEMORY_PER_AGENT_MB = 512;
/** Agents mostly wait on their model, so several per core fit; memory is the usual limit. */
const AGENTS_PER_CORE = 4;
const DEFAULT_MIN_FREE_MEMORY_MB = 256;

/** Memory the machine has free now, in MB: what the default cap and admission both read. */
export const freeMemoryMb = () => Math.floor(freemem() / 2 ** 20);

interface ConfigKey {
  variable: string;
  min: number;
  max: number;
  fallback: () => { value: number; detail: string };
}

const KEYS: Record<'maxConcurrent' | 'minFreeMemoryMb', ConfigKey> = {
  maxConcurrent: {
    variable: 'BATON_MAX_CONCURRENT',
    min: 1,
    max: 1000,
    fallback: () => {
      const cores = availableParallelism();
      const freeMb = freeMemoryMb();
      const byCores = cores * AGENTS_PER_CORE;
      const byMemory = Math.floor(freeMb / MEMORY_PER_AGENT_MB);
      return {
        value: Math.max(1, Math.min(byCores, byMemory)),
        detail: `the lower of ${cores} cores × ${AGENTS_PER_CORE} = ${byCores} and ${freeMb} MB free / ${MEMORY_PER_AGENT_MB} MB per agent = ${byMemory}`,
      };
    },
  },
  minFreeMemoryMb: {
    variable: 'BATON_MIN_FREE_MEMORY_MB',
    min: 0,
    max: 1 << 20,
    fallback: () => ({ value: DEFAULT_MIN_FREE_MEMORY_MB, detail: 'default' }),
  },
};

export const CONFIG_KEYS = Object.keys(KEYS) as (keyof typeof KEYS)[];

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw usageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usageError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw usageError(`${path} must hold a JSON object, e.g. {"maxConcurrent": 4}`);
  for (const key of Object.keys(parsed)) {
    if (!(CONFIG_KEYS as string[]).includes(key) && key !== 'cluster') throw usageError(`${path}: unknown key "${key}"; keys: ${CONFIG_KEYS.join(', ')}, cluster`);
  }
  return parsed as Record<string, unknown>;
}

function checked(value: unknown, key: ConfigKey, where: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < key.min || number > key.max) {
    throw usageError(`${where} must be a whole number from ${key.min} to ${key.max} (got ${JSON.stringify(value)})`);
  }
  return number;
}

/**
 * The home's settings: the environment variable wins, then config.json, then the machine's default.
 * Read afresh on each call (cheap), so a changed file applies to runs already queued.
 */
export function loadConfig(home: string, env: NodeJS.ProcessEnv): BatonConfig {
  const path = join(home, 'config.json');
  const file = readConfigFile(path);
  const setting = (name: keyof typeof KEYS): Setting => {
    const key = KEYS[name];
    const fromEnv = env[key.variable];
    if (fromEnv !== undefined && fromEnv !== '') return { value: checked(fromEnv, key, key.variable), source: 'environment', detail: key.variable };
    if (file[name] !== undefined) return { value: checked(file[name], key, `${name} in ${path}`), source: 'config file', detail: path };
    return { ...key.fallback(), source: 'machine' };
  };
  return { path, maxConcurrent: setting('maxConcurrent'), minFreeMemoryMb: setting('minFreeMemoryMb') };
}

/** `cluster.redis` of $BATON_HOME/config.json (the Redis URL of the cluster queue), if set; see src/cluster/connection.ts. */
export function configuredRedisUrl(home: string): string | undefined {
  const path = join(home, 'config.json');
  const cluster = readConfigFile(path).cluster;
  if (cluster === undefined) return undefined;
  const redis = typeof cluster === 'object' && cluster !== null && !Array.isArray(cluster) ? (cluster as Record<string, unknown>).redis : undefined;
  if (typeof redis !== 'string' || redis === '') throw usageError(`cluster in ${path} must be {"redis": "redis://host:6379"}`);
  return redis;
}
