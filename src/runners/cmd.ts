import type { OutputParser, RunEvent } from '../events.js';
import { ellipsize, stripAnsi } from '../text.js';
import { fillTemplate, splitWords } from './argv-template.js';
import { classifyErrorText } from './provider-errors.js';
import { guardParser } from './parse-guard.js';
import type { RunnerAdapter, RunnerOptions } from './types.js';

/**
 * Options of the cmd runner, all given with --runner-option KEY=VALUE:
 *   command        argv template, e.g. `aider --yes-always --message {prompt}` (required)
 *   resumeCommand  argv template for `baton resume`, with {session}
 *   input          `stdin` to send the prompt on stdin instead of through {prompt}
 *   completion     regex a line must match for the run to count as completed (else the exit code decides)
 *   session        regex whose first group is the session id
 *   error          regex for lines that report errors (provider errors are told apart by their wording)
 */
const KNOWN = ['command', 'resumeCommand', 'input', 'completion', 'session', 'error'] as const;

function single(options: RunnerOptions, key: string): string | undefined {
  const value = options[key];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function pattern(options: RunnerOptions, key: string): RegExp | undefined {
  const source = single(options, key);
  return source === undefined ? undefined : new RegExp(source);
}

const FINAL_LINES = 5;

function createCmdParser(options: RunnerOptions): OutputParser {
  const completion = pattern(options, 'completion');
  const session = pattern(options, 'session');
  const error = pattern(options, 'error');
  let sessionSeen = false;
  const tail: string[] = [];
  return {
    push(raw) {
      const events: RunEvent[] = [];
      const line = stripAnsi(raw);
      if (session && !sessionSeen) {
        const match = session.exec(line);
        if (match?.[1]) {
          sessionSeen = true;
          events.push({ kind: 'session', sessionId: match[1] });
        }
      }
      if (completion?.test(line)) events.push({ kind: 'completion' });
      if (error?.test(line)) events.push({ kind: 'error', message: ellipsize(line.trim(), 500), ...classifyErrorText(line) });
      if (line.trim()) {
        tail.push(line.trim());
        if (tail.length > FINAL_LINES) tail.shift();
      }
      return events;
    },
    end() {
      return tail.length > 0 ? [{ kind: 'text', text: tail.join('\n') }] : [];
    },
  };
}

/** Any other agent CLI, described by an argv template and a few regexes. */
export const cmdRunner: RunnerAdapter = {
  name: 'cmd',
  binary: 'cmd',
  companions: [],
  description: 'any agent CLI from an argv template (--runner-option command="aider --message {prompt}")',
  checkOptions(options) {
    for (const key of Object.keys(options)) {
      if (!(KNOWN as readonly string[]).includes(key)) throw new Error(`unknown option "${key}"; the cmd runner takes ${KNOWN.join(', ')}`);
    }
    const command = single(options, 'command');
    if (!command) throw new Error('the cmd runner needs command=<argv template>, e.g. command="aider --yes-always --message {prompt}"');
    const argv = splitWords(command);
    if (argv.length === 0) throw new Error('command is empty');
    const input = single(options, 'input');
    if (input !== undefined && input !== 'stdin') throw new Error(`input must be "stdin", got "${input}"`);
    if (input !== 'stdin' && !argv.some((word) => word.includes('{prompt}'))) {
      throw new Error('command must contain {prompt}, or set input=stdin');
    }
    const resume = single(options, 'resumeCommand');
    if (resume !== undefined) splitWords(resume);
    for (const key of ['completion', 'session', 'error']) {
      try {
        pattern(options, key);
      } catch (error) {
        throw new Error(`${key} is not a valid regular expression: ${(error as Error).message}`);
      }
    }
    return Object.fromEntries(KNOWN.filter((k) => single(options, k) !== undefined).map((k) => [k, single(options, k)!]));
  },
  executableFor(options) {
    return splitWords(single(options, 'command') ?? '')[0] ?? 'cmd';
  },
  promptRoute: (options) => (single(options, 'input') === 'stdin' ? 'stdin' : 'argv'),
  stdinOption: 'input=stdin',
  async buildLaunch(request, context) {
    const resuming = request.sessionId !== undefined;
    const template = splitWords((resuming ? single(request.options, 'resumeCommand') : undefined) ?? single(request.options, 'command') ?? '');
    const viaStdin = single(request.options, 'input') === 'stdin';
    const argv = fillTemplate(template, { prompt: viaStdin ? undefined : request.prompt, dir: request.dir, session: request.sessionId });
    return {
      command: context.locate(argv[0]!),
      args: argv.slice(1),
      cwd: request.dir,
      ...(viaStdin && { stdin: request.prompt }),
    };
  },
  createParser: (options) => guardParser(() => createCmdParser(options)),
  outputFromOptions: true,
  observesCommands: false,
  completionSignalFor(options) {
    const completion = single(options, 'completion');
    return completion === undefined ? undefined : `a line matching /${completion}/`;
  },
  exportSession() {
    return Promise.reject(new Error('the cmd runner has no session export; read the log with baton tail'));
  },
};
