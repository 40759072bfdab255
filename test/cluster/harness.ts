/**
 * Cluster end-to-end setup, all on this machine: a private redis-server on a free loopback port, a
 * bare git repository as the remote every worker reaches, a lead repo cloned from it, and `baton
 * worker` processes, each a separate process with its own BATON_HOME. Everything is torn down after the test.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { connectRedis } from '../../src/cluster/connection.js';
import { freePort } from '../../src/supervise/free-port.js';
import { cleanupStack, removeTestDir } from '../cleanup.js';
import { makeGitRepo, makeTempDir } from '../mock-model/agent-harness.js';
import { BATON_BIN, killActiveRuns, runCli, type CliResult } from '../e2e/harness.js';
import { waitFor } from '../wait-for.js';

const run = promisify(execFile);
export const REDIS_SERVER = '/usr/bin/redis-server';

export interface TestRedis {
  url: string;
  port: number;
  /** Its data dir (the append-only file lives here when persistent). */
  dir: string;
  /** A secure Redis's password and the CA its certificate is signed by. */
  password?: string;
  caFile?: string;
  stop(): Promise<void>;
  /**
   * Stops it as a real restart does (SIGTERM: with persistence on, it writes its data out first) and
   * starts it again on the same port and dir; resolves once it answers. `downMs` keeps it down that long in between.
   */
  restart(options?: { downMs?: number }): Promise<void>;
}

export interface TestRedisOptions {
  /** Append-only file on, fsync on every write: a restart loses nothing that was acknowledged. */
  persistent?: boolean;
  /**
   * TLS only (no plain port) with a password, as a Redis on a network you do not own should be: the URL
   * is `rediss://:PASSWORD@127.0.0.1:PORT`, its certificate signed by a CA of the test's own (`caFile`,
   * for NODE_EXTRA_CA_CERTS).
   */
  secure?: boolean;
}

/** A redis-server of the test's own: free loopback port, own dir, no persistence unless asked; stopped after the test. */
export async function startRedis(t: TestContext, options: TestRedisOptions = {}): Promise<TestRedis> {
  const defer = cleanupStack(t);
  const dir = await makeTempDir('baton-redis-');
  defer(() => removeTestDir(dir));
  const port = await freePort();
  const persistence = options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const secure = options.secure ? await secureRedisArgs(dir, port) : undefined;
  const listen = secure ? secure.argv : ['--port', String(port)];
  const argv = [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence];
  let server: ChildProcess = spawn(REDIS_SERVER, argv, { stdio: 'ignore' });
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  };
  defer(() => stop());
  const url = secure ? `rediss://:${secure.password}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`;
  const answering = () =>
    waitFor(async () => {
      try {
        // This process cannot take NODE_EXTRA_CA_CERTS any more: a secure Redis is asked over TLS with its CA by hand.
        if (secure) return await pingOverTls(port, secure);
        (await connectRedis(url, { BATON_REDIS_CONNECT_MS: '500' })).disconnect();
        return true;
      } catch {
        return false;
      }
    }, { what: `redis-server on port ${port}`, timeoutMs: 20_000 });
  await answering();
  const restart = async ({ downMs = 0 }: { downMs?: number } = {}) => {
    await stop();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    server = spawn(REDIS_SERVER, argv, { stdio: 'ignore' });
    await answering();
  };
  return { url, port, dir, stop, restart, ...(secure && { password: secure.password, caFile: secure.caFile }) };
}

/** A CA and a server certificate for 127.0.0.1 (openssl), and redis-server's arguments for TLS only, with a password. */
async function secureRedisArgs(dir: string, port: number): Promise<{ argv: string[]; password: string; caFile: string }> {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=baton-test-ca');
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  await writeFile(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  const password = `pw-${randomBytes(8).toString('hex')}`;
  return {
    argv: ['--port', '0', '--tls-port', String(port), '--tls-cert-file', file('server.pem'), '--tls-key-file', file('server.key'), '--tls-ca-cert-file', file('ca.pem'), '--tls-auth-clients', 'no', '--requirepass', password],
    password,
    caFile: file('ca.pem'),
  };
}

/** AUTH and PING over TLS, trusting only the test's CA: true once the server answers PONG. */
async function pingOverTls(port: number, secure: { password: string; caFile: string }): Promise<boolean> {
  const ca = await readFile(secure.caFile);
  return new Promise<boolean>((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: undefined }, () => socket.write(`AUTH ${secure.password}\r\nPING\r\n`));
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setEncoding('utf8').on('data', (text: string) => {
      answer += text;
      if (answer.includes('+PONG')) done(true);
      else if (answer.includes('-')) done(false);
    });
    socket.on('error', () => done(false));
    socket.setTimeout(1_000, () => done(false));
  });
}

export interface ClusterWorker {
  name: string;
  home: string;
  child: ChildProcess;
  /** What it wrote on stderr so far (its log). */
  log(): string;
  /** SIGTERM, and wait for it to leave. */
  stop(): Promise<void>;
}

export interface TestCluster {
  redis: TestRedis;
  /** The bare repository every machine reaches. */
  remote: string;
  /** The lead's checkout, with `origin` = remote. */
  repo: string;
  /** The lead's environment: its own BATON_HOME and BATON_REDIS_URL. */
  env: NodeJS.ProcessEnv;
  /** A scratch dir for agent programs and traces. */
  scratch: string;
  cli(args: string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult>;
  /** Resolves once the worker says it is ready to take work, or at once with `ready: false`. */
  startWorker(name: string, options?: { slots?: number; env?: NodeJS.ProcessEnv; runners?: string[]; ready?: boolean }): Promise<ClusterWorker>;
  git(dir: string, ...args: string[]): Promise<string>;
}

/** Heartbeat bound of the test workers: short, so a killed one is lost quickly. */
export const TEST_LOST_AFTER_MS = 4_000;

export async function startCluster(t: TestContext, options: { redis?: TestRedisOptions } = {}): Promise<TestCluster> {
  const defer = cleanupStack(t);
  const redis = await startRedis(t, options.redis);
  const scratch = await makeTempDir('baton-cluster-');
  defer(() => removeTestDir(scratch));
  const git = async (dir: string, ...args: string[]) => (await run('git', ['-C', dir, ...args])).stdout;
  const remote = join(scratch, 'remote.git');
  await run('git', ['init', '-q', '--bare', remote]);
  const repo = await makeGitRepo();
  defer(() => removeTestDir(repo));
  await git(repo, 'remote', 'add', 'origin', remote);
  await git(repo, 'push', '-q', 'origin', 'main');
  const leadHome = join(scratch, 'lead-home');
  const env: NodeJS.ProcessEnv = { ...process.env, BATON_HOME: leadHome, BATON_REDIS_URL: redis.url, NO_COLOR: '1', ...(redis.caFile && { NODE_EXTRA_CA_CERTS: redis.caFile }) };
  delete env.BATON_SUPERVISOR_HOST;
  const workers: ClusterWorker[] = [];
  defer(async () => {
    for (const worker of workers) await worker.stop();
  });
  return {
    redis,
    remote,
    repo,
    env,
    scratch,
    git,
    cli: (args, options = {}) => runCli(args, { ...env, ...options.env }, options.timeoutMs ?? 60_000),
    async startWorker(name, options = {}) {
      const home = join(scratch, `worker-${name}`);
      const workerEnv: NodeJS.ProcessEnv = { ...env, BATON_HOME: home, BATON_WORKER_LOST_MS: String(TEST_LOST_AFTER_MS), ...options.env };
      delete workerEnv.BATON_REDIS_URL;
      const child = spawn(process.execPath, [BATON_BIN, 'worker', '--redis', redis.url, '--name', name, '--slots', String(options.slots ?? 1), '--runners', (options.runners ?? ['cmd']).join(',')], {
        env: workerEnv,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      child.stderr!.setEncoding('utf8').on('data', (text: string) => (log += text));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const worker: ClusterWorker = {
        name,
        home,
        child,
        log: () => log,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const bounded = setTimeout(() => child.kill('SIGKILL'), 30_000);
            await exited;
            clearTimeout(bounded);
          }
          // Agents it left (a SIGKILLed worker's) run under its home's supervisor: end them too.
          await killActiveRuns({ ...workerEnv, BATON_HOME: home });
        },
      };
      workers.push(worker);
      if (options.ready === false) return worker;
      await waitFor(() => log.includes(`worker ${name} on `) || child.exitCode !== null, { what: `worker ${name} to register`, timeoutMs: 30_000 });
      if (child.exitCode !== null) throw new Error(`worker ${name} exited: ${log}`);
      return worker;
    },
  };
}

/**
 * A scripted agent for the cmd runner: sleeps, writes the file its prompt names, and appends its start
 * and end (with its BATON_HOME, i.e. its worker) to a trace, so a test can check how many ran at once.
 */
export async function writeAgent(scratch: string, sleepMs: number): Promise<{ command: string; trace: string }> {
  const path = join(scratch, `agent-${sleepMs}.mjs`);
  const trace = join(scratch, 'trace.jsonl');
  await writeFile(
    path,
    `import { appendFileSync, writeFileSync } from 'node:fs';
// The file is the prompt's first line: a follow-up or re-dispatch note Baton appends comes after it.
const prompt = process.argv[2];
const file = prompt.split('\\n')[0];
const start = Date.now();
await new Promise((r) => setTimeout(r, ${sleepMs}));
writeFileSync(file, 'written by ' + process.env.BATON_HOME + '\\n');
appendFileSync(${JSON.stringify(trace)}, JSON.stringify({ home: process.env.BATON_HOME, cwd: process.cwd(), file, prompt, start, end: Date.now() }) + '\\n');
console.log('done ' + file);
`,
  );
  return { command: `${process.execPath} ${path} {prompt}`, trace };
}

/**
 * A scripted agent for the cmd runner that talks while it works: prints its session (a new one, or
 * the one `--resume SESSION` names), then `<prompt> line <i>` every `everyMs`, writes `<prompt>.txt`
 * and appends a trace line (home, session, cwd). Its runner options make the cmd runner carry the
 * session into `baton resume`.
 */
export async function writeTalker(scratch: string, lines: number, everyMs: number): Promise<{ runnerOptions: string[]; trace: string }> {
  const path = join(scratch, `talker-${lines}-${everyMs}.mjs`);
  const trace = join(scratch, 'talker-trace.jsonl');
  await writeFile(
    path,
    `import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
const args = process.argv.slice(2);
const resumed = args[0] === '--resume' ? args.splice(0, 2)[1] : null;
const session = resumed ?? 'ses-' + process.pid + '-' + Date.now();
const prompt = args[0];
console.log('session: ' + session);
for (let i = 0; i < ${lines}; i++) {
  if (i > 0) await new Promise((r) => setTimeout(r, ${everyMs}));
  console.log(prompt + ' line ' + i);
}
const before = ['first.txt', 'base.txt'].filter((f) => existsSync(f));
writeFileSync(prompt + '.txt', session + '\\n');
appendFileSync(${JSON.stringify(trace)}, JSON.stringify({ home: process.env.BATON_HOME, session, resumed, prompt, cwd: process.cwd(), before, end: Date.now() }) + '\\n');
`,
  );
  const node = process.execPath;
  return {
    runnerOptions: ['--runner-option', `command=${node} ${path} {prompt}`, '--runner-option', `resumeCommand=${node} ${path} --resume {session} {prompt}`, '--runner-option', 'session=^session: (\\S+)'],
    trace,
  };
}
