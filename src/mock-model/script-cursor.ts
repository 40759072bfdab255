/**
 * Walks a script, one agent request at a time. Shared by every wire protocol, so a session that
 * mixed protocols would still see one sequence of steps.
 */
import { basename } from 'node:path';
import type { Script } from './script.js';
import type { ModelReply, ModelRequestFacts } from './wire-protocol.js';
import { findWorkdir, substituteWorkdir } from './workdir.js';

export type AnsweredBy = 'step' | 'title' | 'exhausted';

export interface Decision {
  answeredBy: AnsweredBy;
  /** Index in `script.steps` of the step that answered, null for titles and exhaustion. */
  stepIndex: number | null;
  delayMs: number;
  reply: ModelReply;
  /** Working directory found in the request, null when none was found. */
  workdir: string | null;
}

export class ScriptCursor {
  /** How many requests each step has answered so far (steps may repeat `times`). */
  private readonly uses: number[];

  constructor(private readonly script: Script) {
    this.uses = script.steps.map(() => 0);
  }

  /**
   * Decides the reply to one request; agent requests (with tools) take the first step not used up
   * that applies to their working directory, so a script without `workdirName` is walked in order.
   */
  next(facts: ModelRequestFacts, seq: number): Decision {
    const workdir = findWorkdir(facts.systemText);
    if (!facts.hasTools) {
      return { answeredBy: 'title', stepIndex: null, delayMs: 0, workdir, reply: textReply(this.script.title) };
    }
    const name = workdir === null ? null : basename(workdir);
    const index = this.script.steps.findIndex((s, i) => this.uses[i]! < s.times && (s.workdirName === undefined || s.workdirName === name));
    const step = this.script.steps[index];
    if (step === undefined) {
      const text = substituteWorkdir(this.script.onExhausted.text, workdir);
      return { answeredBy: 'exhausted', stepIndex: null, delayMs: 0, workdir, reply: textReply(text) };
    }
    this.uses[index] = this.uses[index]! + 1;
    const decided = { answeredBy: 'step', stepIndex: index, delayMs: step.delayMs, workdir } as const;
    switch (step.kind) {
      case 'answer': {
        const toolCalls = step.tools.map((tool, position) => ({
          id: `call_${seq}_${position}`,
          name: tool.name,
          arguments: JSON.stringify(substituteWorkdir(tool.args, workdir)),
        }));
        const text = substituteWorkdir(step.text ?? '', workdir);
        return { ...decided, reply: { kind: 'answer', text, toolCalls } };
      }
      case 'error':
        return { ...decided, reply: { kind: 'error', ...step.error } };
      case 'hang':
        return { ...decided, reply: { kind: 'hang' } };
      case 'malformed':
        return { ...decided, reply: { kind: 'malformed' } };
    }
  }
}

function textReply(text: string): ModelReply {
  return { kind: 'answer', text, toolCalls: [] };
}
