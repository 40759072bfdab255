import type { PlanStore } from '../store/plans.js';
import { formatDuration } from '../duration.js';
import { namedFiles, phaseTaskText } from './route.js';

/**
 * How long a phase should take, so that "12 minutes in" can be read as fine or as stuck. The kinds
 * and default ranges come from experience with Hephaestus on a Rust workspace of about five crates;
 * once this machine has finished enough phases of a kind, their durations replace the default.
 */

export const PHASE_KINDS = ['new-files', 'tests', 'module', 'docs'] as const;
export type PhaseKind = (typeof PHASE_KINDS)[number];

const MINUTE = 60_000;

/** Default expected durations: new files 2–3m, tests written and run 5–8m, new module plus integration 8–12m, README 2–3m. */
export const DEFAULT_RANGES: Record<PhaseKind, { minMs: number; maxMs: number }> = {
  'new-files': { minMs: 2 * MINUTE, maxMs: 3 * MINUTE },
  tests: { minMs: 5 * MINUTE, maxMs: 8 * MINUTE },
  module: { minMs: 8 * MINUTE, maxMs: 12 * MINUTE },
  docs: { minMs: 2 * MINUTE, maxMs: 3 * MINUTE },
};

/** Committed phases of a kind needed before their history replaces the default range. */
export const MIN_HISTORY_SAMPLES = 3;

export interface PhaseClass {
  kind: PhaseKind;
  reason: string;
}

export interface ExpectedRange {
  minMs: number;
  maxMs: number;
  source: 'default' | 'history';
  /** Committed phases the range comes from (0 for the default). */
  samples: number;
}

export interface PhaseSample {
  planRunId: string;
  phaseId: string;
  title: string;
  durationMs: number;
  endedAt: number;
  reason: string;
}

export type PhaseHistory = Record<PhaseKind, PhaseSample[]>;

export type ElapsedStatus = 'early' | 'on-track' | 'over' | 'far-over';

export interface ElapsedJudgement {
  status: ElapsedStatus;
  message: string;
}

const DOC_FILE = /(?:^|\/)(?:readme|changelog|contributing|license)[^/]*$|\.(?:md|mdx|rst|adoc|txt)$|(?:^|\/)docs?\//i;
const TEST_FILE = /(?:^|\/)(?:tests?|__tests__|spec)\/|[._-](?:test|spec)\.\w+$|_test\.go$|(?:^|\/)test_[^/]+\.py$/i;
const MANIFEST = /(?:^|\/)(?:Cargo\.toml|package\.json|pyproject\.toml|go\.mod|setup\.py|tsconfig\.json)$/i;

const DOCS_WORDS = /\b(?:readme|docs|documentation|document(?:ing)?|user guide|guide|changelog|tutorial)\b/i;
const TEST_RUN = /\b(?:cargo (?:nextest )?test|npm (?:run )?test|pnpm test|yarn test|npx (?:vitest|jest|mocha)|vitest|jest|pytest|go test|mvn test|gradle test|node --test|make test|run (?:the |all )?(?:\w+ )?tests?)\b/i;
const TEST_WORDS = /\b(?:tests?|test suite|test cases?|unit tests?|integration tests?|specs?)\b/i;
const MODULE_WORDS = /\b(?:new (?:crate|module|package|library|service|subcommand|command)|(?:crate|module|package|library|subcommand)s? (?:and|plus|with) (?:its )?(?:cli|integration)|integrat(?:e|es|ed|ing|ion)(?! tests?\b)|wire (?:it )?(?:up|into)|register (?:it )?in)\b/i;
const NEW_FILE_WORDS = /\b(?:create|creates|creating|new files?|add (?:a |the )?(?:new )?files?|scaffold)\b/i;

/** The paths of a prompt's `## Files to Create/Modify` section, else every path it names. */
function phaseFiles(prompt: string): string[] {
  const section = /^## Files to Create\/Modify\s*\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(prompt)?.[1];
  return namedFiles(section ?? prompt);
}

const quote = (m: RegExpExecArray | null) => (m ? `"${m[0].toLowerCase()}"` : '');

/**
 * The kind of a phase, from its title and prompt, with the words that decided it. In order: docs
 * (the title says so, or every file is documentation), a new module with integration, tests that
 * are written and run, and otherwise new files. Tests written but never run count as new files.
 */
export function classifyPhase(title: string, prompt: string): PhaseClass {
  const body = phaseTaskText(prompt);
  const text = `${title}\n${body}`;
  const files = phaseFiles(prompt);
  const codeFiles = files.filter((f) => !DOC_FILE.test(f));

  const docsTitle = DOCS_WORDS.exec(title);
  if (docsTitle && !TEST_WORDS.test(title)) return { kind: 'docs', reason: `the title says ${quote(docsTitle)}` };
  if (files.length > 0 && codeFiles.length === 0) return { kind: 'docs', reason: `every file is documentation (${files.join(', ')})` };

  const module = MODULE_WORDS.exec(text);
  if (module) return { kind: 'module', reason: `${quote(module)}: a new module plus its integration` };

  // The prompt's own verification step counts as running the tests.
  const run = TEST_RUN.exec(`${title}\n${prompt}`);
  const testWords = TEST_WORDS.exec(text);
  const testFiles = files.filter((f) => TEST_FILE.test(f));
  if (run && (testWords || testFiles.length > 0)) {
    return { kind: 'tests', reason: `tests written (${testFiles.length > 0 ? testFiles.join(', ') : quote(testWords)}) and run (${quote(run)})` };
  }

  const manifests = files.filter((f) => MANIFEST.test(f));
  if (manifests.length > 0 && codeFiles.length > manifests.length) {
    return { kind: 'module', reason: `changes ${manifests.join(', ')} along with code: new code plus integration` };
  }
  const created = NEW_FILE_WORDS.exec(text);
  if (created) return { kind: 'new-files', reason: `${quote(created)}${testWords && !run ? `; ${quote(testWords)} but never run` : ''}: new files only` };
  return { kind: 'new-files', reason: 'no sign of tests run, a new module or docs: new files only' };
}

/** The p-th percentile (0–1) of sorted values, interpolating between neighbours. */
function percentile(sorted: number[], p: number): number {
  const at = (sorted.length - 1) * p;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  const a = sorted[low]!;
  const b = sorted[high]!;
  return a + (b - a) * (at - low);
}

/**
 * The expected duration of a phase of `kind`: the middle half (25th to 75th percentile) of this
 * machine's committed phases of that kind once there are at least three, else the default range.
 */
export function expectedRange(kind: PhaseKind, history?: Partial<PhaseHistory>): ExpectedRange {
  const durations = (history?.[kind] ?? []).map((s) => s.durationMs).filter((d) => Number.isFinite(d) && d >= 0).sort((a, b) => a - b);
  if (durations.length < MIN_HISTORY_SAMPLES) return { ...DEFAULT_RANGES[kind], source: 'default', samples: 0 };
  return {
    minMs: Math.round(percentile(durations, 0.25)),
    maxMs: Math.round(percentile(durations, 0.75)),
    source: 'history',
    samples: durations.length,
  };
}

const emptyHistory = (): PhaseHistory => ({ 'new-files': [], tests: [], module: [], docs: [] });

/**
 * The most recent `limit` committed phases from the store, with their durations, classified by
 * kind. A phase without a saved prompt is classified by its title alone.
 */
export function readPhaseHistory(plans: Pick<PlanStore, 'committedPhases'>, limit = 200): PhaseHistory {
  const history = emptyHistory();
  for (const phase of plans.committedPhases(limit)) {
    const { kind, reason } = classifyPhase(phase.title, phase.prompt ?? '');
    history[kind].push({ planRunId: phase.planRunId, phaseId: phase.phaseId, title: phase.title, durationMs: phase.endedAt - phase.startedAt, endedAt: phase.endedAt, reason });
  }
  return history;
}

/** "5–8m" when both ends are whole minutes, else "4m30s–7m". */
export function formatRange(range: Pick<ExpectedRange, 'minMs' | 'maxMs'>): string {
  const whole = (ms: number) => ms >= MINUTE && ms % MINUTE === 0;
  if (whole(range.minMs) && whole(range.maxMs) && range.maxMs < 60 * MINUTE) return `${range.minMs / MINUTE}–${range.maxMs / MINUTE}m`;
  return `${formatDuration(range.minMs)}–${formatDuration(range.maxMs)}`;
}

/**
 * Where `elapsedMs` falls against the expected range: early (before its lower bound), on-track (up
 * to the upper bound), over (up to twice the upper bound) or far-over (past twice the upper bound).
 */
export function judgeElapsed(elapsedMs: number, range: Pick<ExpectedRange, 'minMs' | 'maxMs'> & Partial<ExpectedRange>): ElapsedJudgement {
  const status: ElapsedStatus = elapsedMs < range.minMs ? 'early' : elapsedMs <= range.maxMs ? 'on-track' : elapsedMs <= 2 * range.maxMs ? 'over' : 'far-over';
  const verdict = {
    early: 'before the expected range',
    'on-track': 'within the expected range',
    over: 'past the upper bound',
    'far-over': 'past twice the upper bound',
  }[status];
  const from = range.source === 'history' ? ` (from ${range.samples ?? 0} past phases)` : '';
  return { status, message: `${formatDuration(elapsedMs)}, expected ${formatRange(range)}${from}: ${verdict}` };
}
