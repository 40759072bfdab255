import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { BatonError } from '../errors.js';
import { ROLE_WEIGHT, wordRoles } from './task-roles.js';

/**
 * Which agent suits a task, by what the task asks for: a transparent keyword scorer over a table of
 * agents (the seed's table: sisyphus for multi-file implementation, hephaestus for deep work on
 * existing code, oracle for debugging and architecture, explore for creating files and simple edits,
 * prometheus for planning before implementation). A keyword weighs by its part in the task
 * (task-roles.ts): in the request ("Plan the…", "Create these files…") three points a word, in
 * passing one, in a side remark ("…before implementing it") none. The reason quotes the words, and
 * a choice the words do not settle (nothing matched, a tie, only words in passing) says it is unsure.
 */

export interface AgentRoute {
  name: string;
  /** What the agent is best at, in a few words. */
  bestAt: string;
  /** undefined: the runner's default model. */
  model?: string;
  /** Words or phrases that vote for this agent; each scores one point per word it has. */
  keywords: string[];
}

export interface RoutingTable {
  /** In tie-break order after the default. */
  agents: Record<string, AgentRoute>;
  /** The agent chosen when nothing matches, and the first in any tie. */
  default: string;
  /** The config files merged over the built-in table, if any. */
  sources: string[];
}

export interface RouteDecision {
  agent: string;
  model?: string;
  reason: string;
  /** Points per agent, every agent of the table listed. */
  scores: Record<string, number>;
  /** The words from the task that voted for the chosen agent, as written there, in order. */
  matched: string[];
  /** Why the choice is a guess (nothing matched, a tie, only words in passing); absent when the task decides. */
  unsure?: string;
}

export const BUILTIN_ROUTES: RoutingTable = {
  default: 'hephaestus',
  sources: [],
  agents: {
    hephaestus: {
      name: 'hephaestus',
      bestAt: 'autonomous deep codebase work: reads before modifying, adapts tests to real behaviour, self-corrects',
      keywords: ['refactor', 'existing code', 'existing', 'understand', 'real behaviour', 'real behavior', 'actual behaviour', 'actual behavior', 'codebase', 'tests match', 'failing test', 'adapt', 'migrate', 'legacy', 'rework', 'restructure', 'clean up', 'self-correct', 'carefully'],
    },
    oracle: {
      name: 'oracle',
      bestAt: 'hard debugging and architecture',
      keywords: ['debug', 'why', 'race', 'race condition', 'deadlock', 'architecture', 'root cause', 'crash', 'flaky', 'hang', 'memory leak', 'leak', 'diagnose', 'investigate', 'bisect', 'regression', 'segfault', 'panic', 'intermittent', 'bottleneck', 'bug'],
    },
    sisyphus: {
      name: 'sisyphus',
      bestAt: 'complex multi-file implementation',
      keywords: ['implement', 'integrate', 'multi-file', 'many files', 'several files', 'across', 'module', 'end-to-end', 'wire up', 'subsystem', 'orchestrate', 'pipeline', 'crate', 'package'],
    },
    prometheus: {
      name: 'prometheus',
      bestAt: 'planning before implementation',
      keywords: ['plan', 'before implementing', 'before implementation', 'before coding', 'before any code', 'design doc', 'break down', 'breakdown', 'roadmap', 'outline', 'milestone', 'proposal', 'specification', 'estimate', 'requirements', 'interview'],
    },
    explore: {
      name: 'explore',
      bestAt: 'fast file creation and simple edits',
      keywords: ['create file', 'new file', 'list of files', 'rename', 'typo', 'simple', 'trivial', 'quick', 'small', 'one-line', 'boilerplate', 'scaffold', 'stub', 'fixture', 'bump'],
    },
  },
};

/** The agent that "many files" votes for, and how many named files it takes. */
const MANY_FILES_AGENT = 'sisyphus';
const MANY_FILES = 3;
const MAX_FILE_POINTS = 3;

const agentName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'agent names are letters, digits, - and _');
const configSchema = z
  .object({
    default: agentName.optional(),
    agents: z
      .record(
        agentName,
        z
          .object({
            model: z.string().min(1, 'expected a model name such as anthropic/claude-sonnet-4').optional(),
            keywords: z.array(z.string().trim().min(1, 'a keyword cannot be empty')).optional(),
            bestAt: z.string().min(1).optional(),
          })
          .strict(),
      )
      .default({}),
  })
  .strict();

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join('');
}

const configError = (file: string, field: string, message: string) => new BatonError('usage', `${file}: ${field ? `${field}: ` : ''}${message}`);

/**
 * The built-in table with `$BATON_HOME/routing.json` (or `file`) merged over it: a listed agent's
 * model and bestAt replace the built-in ones, its keywords are added to them, and a new name adds an
 * agent (which then needs bestAt). A missing default file is no error; a missing given file is.
 */
export function loadRoutingTable(home: string, file?: string): RoutingTable {
  const path = resolve(file ?? join(home, 'routing.json'));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (file === undefined && code === 'ENOENT') return cloneTable(BUILTIN_ROUTES);
    throw configError(path, '', `cannot read the routing table: ${code === 'ENOENT' ? 'no such file' : code ?? (error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw configError(path, '', `invalid JSON: ${(error as Error).message}`);
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const at = keys.length > 0 ? [...issue.path, keys[0]!] : issue.path;
    const message = keys.length > 0 ? `unknown field; an agent takes model, keywords and bestAt` : issue.message;
    throw configError(path, fieldName(at), message);
  }
  const table = cloneTable(BUILTIN_ROUTES);
  table.sources = [path];
  for (const [name, entry] of Object.entries(parsed.data.agents)) {
    const base = table.agents[name];
    if (!base && entry.bestAt === undefined) throw configError(path, `agents.${name}.bestAt`, `"${name}" is not a built-in agent, so it needs bestAt (what it is best at)`);
    table.agents[name] = {
      name,
      bestAt: entry.bestAt ?? base!.bestAt,
      ...((entry.model ?? base?.model) !== undefined && { model: (entry.model ?? base?.model)! }),
      keywords: [...new Set([...(base?.keywords ?? []), ...(entry.keywords ?? [])])],
    };
  }
  if (parsed.data.default !== undefined) {
    if (!table.agents[parsed.data.default]) throw configError(path, 'default', `unknown agent "${parsed.data.default}"; agents are ${Object.keys(table.agents).join(', ')}`);
    table.default = parsed.data.default;
  }
  return table;
}

function cloneTable(table: RoutingTable): RoutingTable {
  return {
    default: table.default,
    sources: [...table.sources],
    agents: Object.fromEntries(Object.entries(table.agents).map(([name, route]) => [name, { ...route, keywords: [...route.keywords] }])),
  };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** "create file" also matches "creates a new file"; "debug" matches "debugging"; "integrate" matches "integration". */
function keywordPattern(keyword: string): RegExp {
  const words = keyword.toLowerCase().split(/[\s-]+/).filter(Boolean);
  const filler = '(?:(?:a|an|the|new|some|one|two|three|few|\\d+|these|those|following|listed|given|missing|empty|all|each|remaining)[\\s-]+)*';
  const parts = words.map((word, i) => {
    if (i < words.length - 1 || !/[a-z]$/.test(word)) return escape(word);
    if (word.endsWith('e')) return `${escape(word.slice(0, -1))}(?:e|es|ed|ing|ion|ions|er|ers)`;
    return `${escape(word)}(?:s|es|${escape(word.at(-1)!)}?(?:ed|ing|er|ers))?`;
  });
  return new RegExp(`(?<![\\w-])${parts.join(`[\\s-]+${filler}`)}(?![\\w-])`, 'gi');
}

// Paths and file names: "src/a/b.ts", "Cargo.toml", "tests/". Counted for the many-files vote, and
// blanked before keyword matching so that "src/plans/x.ts" does not vote for planning.
const PATH = /(?<![\w@.\/-])(?:[\w@.-]+\/)+[\w@.-]*|(?<![\w@.\/-])[\w-]+\.(?:rs|ts|tsx|js|jsx|mjs|cjs|py|go|java|kt|rb|c|h|cc|cpp|hpp|cs|swift|toml|json|ya?ml|md|sql|sh|css|html|vue|svelte)(?![\w.])/gi;

/** Distinct file paths and names the text mentions. */
export function namedFiles(text: string): string[] {
  return [...new Set([...text.matchAll(PATH)].map((m) => m[0]).filter((p) => /[\w]/.test(p) && !/^\w+:\/\//.test(p)))];
}

interface Match {
  agent: string;
  keyword: string;
  text: string;
  start: number;
  end: number;
}

/**
 * Scores each agent by the keywords found in `text`, weighed by their part in the task, and picks
 * the highest. Longer phrases claim their words first ("race condition" scores once, as two words,
 * not also as "race"). Ties go to the default agent, then to the table's order, and say so in
 * `unsure`. Deterministic: same text and table, same answer.
 */
export function routeTask(text: string, table: RoutingTable = BUILTIN_ROUTES): RouteDecision {
  const files = namedFiles(text);
  const words = text.replace(PATH, (m) => ' '.repeat(m.length));
  const names = Object.keys(table.agents);
  const order = [table.default, ...names.filter((n) => n !== table.default)];
  const candidates = order.flatMap((agent) =>
    (table.agents[agent]?.keywords ?? []).map((keyword) => ({ agent, keyword, size: keyword.split(/[\s-]+/).filter(Boolean).length })),
  );
  // Longest phrase first; within a length, the tie-break order, then the table's keyword order.
  candidates.sort((a, b) => b.size - a.size || b.keyword.length - a.keyword.length);
  const claimed: Match[] = [];
  // Which characters a match already holds: checking a new match costs its own length, not the
  // number of earlier matches, so a long task routes in time linear in its length.
  const taken = new Uint8Array(words.length);
  for (const { agent, keyword } of candidates) {
    for (const m of words.matchAll(keywordPattern(keyword))) {
      const start = m.index;
      const end = start + m[0].length;
      if (taken.subarray(start, end).includes(1)) continue;
      taken.fill(1, start, end);
      claimed.push({ agent, keyword, text: m[0].toLowerCase().replace(/\s+/g, ' '), start, end });
    }
  }
  claimed.sort((a, b) => a.start - b.start);
  const roles = wordRoles(words);
  const scores: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const asked: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, []]));
  const mentioned: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, []]));
  const matched: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const m of claimed) {
    const role = roles[m.start] ?? 'mention';
    if (ROLE_WEIGHT[role] === 0) continue;
    scores[m.agent] = (scores[m.agent] ?? 0) + ROLE_WEIGHT[role] * m.keyword.split(/[\s-]+/).filter(Boolean).length;
    for (const list of [(role === 'request' ? asked : mentioned)[m.agent]!, matched[m.agent]!]) if (!list.includes(m.text)) list.push(m.text);
  }
  const filePoints = table.agents[MANY_FILES_AGENT] && files.length >= MANY_FILES ? Math.min(MAX_FILE_POINTS, files.length - MANY_FILES + 1) : 0;
  if (filePoints > 0) scores[MANY_FILES_AGENT] = (scores[MANY_FILES_AGENT] ?? 0) + filePoints;

  let best = table.default;
  for (const agent of order) if ((scores[agent] ?? 0) > (scores[best] ?? 0)) best = agent;
  const route = table.agents[best] ?? { name: best, bestAt: '', keywords: [] };
  const top = scores[best] ?? 0;
  const runnerUp = order.filter((a) => a !== best && (scores[a] ?? 0) > 0).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0))[0];
  const second = runnerUp === undefined ? 0 : scores[runnerUp] ?? 0;
  const quote = (list: string[]) => list.map((w) => `"${w}"`).join(', ');
  let reason: string;
  let unsure: string | undefined;
  if (top === 0) {
    reason = `no routing keywords matched; ${best} is the default (${route.bestAt})`;
    unsure = 'nothing in the task says what kind of work it is';
  } else {
    const because = [
      ...(asked[best]!.length > 0 ? [`asks for ${quote(asked[best]!)}`] : []),
      ...(mentioned[best]!.length > 0 ? [`mentions ${quote(mentioned[best]!)}`] : []),
      ...(best === MANY_FILES_AGENT && filePoints > 0 ? [`names ${files.length} files`] : []),
    ];
    const tie = second === top;
    reason = `${because.join(', ')} → ${best}, ${route.bestAt} (score ${top}${runnerUp ? `; ${tie ? 'tied with' : 'next'} ${runnerUp} ${second}${tie ? `, ${best} comes first` : ''}` : ''})`;
    if (tie) unsure = `${best} and ${runnerUp} score the same; ${best} only comes first in the table`;
    else if (second > 0 && asked[best]!.length === 0) unsure = `the task's request names no agent's work; ${best} leads ${runnerUp} only on words mentioned in passing`;
  }
  return {
    agent: best,
    ...(route.model !== undefined && { model: route.model }),
    reason,
    ...(unsure !== undefined && { unsure }),
    scores,
    matched: top === 0 ? [] : [...matched[best]!],
  };
}

/**
 * The agent for a plan phase with `agent: auto`. Phase prompts written from Baton's template carry
 * boilerplate every phase shares ("You are implementing Phase N of …", the CRITICAL INSTRUCTIONS
 * about new and existing files, the closing verification step); it is left out so that it does not
 * vote for the same agent every time.
 */
export function resolveAutoAgent(phasePrompt: string, table: RoutingTable = BUILTIN_ROUTES): RouteDecision {
  return routeTask(phaseTaskText(phasePrompt), table);
}

/** A phase prompt without the template's shared boilerplate. */
export function phaseTaskText(prompt: string): string {
  return prompt
    .replace(/^You are implementing Phase \S+ of [^:\n]*:\s*/m, '')
    .replace(/^## CRITICAL INSTRUCTIONS\n[\s\S]*?(?=^## |(?![\s\S]))/m, '')
    .replace(/^\d+[.)]\s+Run `[^`]*`,? fix any errors[^\n]*$/gim, '')
    .replace(/^## (Project|Files to Create\/Modify|Steps)\s*$/gim, '')
    // Unfilled <placeholders> are the template's words, not the task's.
    .replace(/<[^<>\n]*\s[^<>\n]*>/g, ' ');
}
