import { execFile } from 'node:child_process';
import { BatonError } from '../errors.js';

/** Runs a runner's export command and parses what it prints as JSON. */
export function exportWithCommand(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new BatonError('runtime', `${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new BatonError('runtime', `${command} ${args.join(' ')} did not print JSON: ${stdout.slice(0, 200)}`));
      }
    });
  });
}
