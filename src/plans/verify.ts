import { spawn } from 'node:child_process';
import type { VerificationResult } from '../store/plans.js';

const OUTPUT_TAIL = 4_000;
const DEFAULT_TIMEOUT_MS = 20 * 60_000;

/**
 * Runs the verification commands in priority order and stops at the first failure. The commands are
 * the plan author's own shell lines (`cargo check --workspace 2>&1`), so they go through `sh -c`;
 * prompts never do.
 */
export async function runVerification(commands: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<VerificationResult> {
  for (const command of commands) {
    const { exitCode, output } = await runShell(command, cwd, env, timeoutMs);
    if (exitCode !== 0) return { passed: false, command, exitCode, output: output.slice(-OUTPUT_TAIL), at: Date.now() };
  }
  return { passed: true, at: Date.now() };
}

/** A plan author's shell line in its own process group, its output's tail kept; the group is killed at the timeout. */
export function runShell(command: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number, what = 'verification'): Promise<{ exitCode: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > OUTPUT_TAIL * 4) output = output.slice(-OUTPUT_TAIL * 2);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      output += `\n[baton] ${what} timed out after ${Math.round(timeoutMs / 1000)}s`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ exitCode: 127, output: error.message, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, output, timedOut });
    });
  });
}

export function fixPrompt(result: VerificationResult): string {
  const output = (result.output ?? '').trim();
  // An empty code block reads as if Baton lost the errors; a silent failure (grep -q, test -f) is said as one.
  const shown = output ? `:\n\n\`\`\`\n${output}\n\`\`\`` : ' and printed nothing.';
  return `Fix these errors: \`${result.command}\` exited with ${result.exitCode}${shown}\n\nThen run \`${result.command}\` again and fix any errors until it passes.`;
}
