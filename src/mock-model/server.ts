/**
 * The scripted model server: an HTTP server on 127.0.0.1 that answers model requests from a script
 * (through one module per wire protocol), records every request, and never crashes on bad input.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { anthropicMessages } from './anthropic-messages.js';
import { chatCompletions } from './chat-completions.js';
import { BodyTooLargeError, bearerToken, parseJsonBody, readBody, sendJson } from './http-io.js';
import { openaiResponses } from './openai-responses.js';
import { RequestLog, type LoggedRequest } from './request-log.js';
import type { Script } from './script.js';
import { ScriptCursor } from './script-cursor.js';
import type { ErrorReply, WireProtocol } from './wire-protocol.js';

/** Adding a protocol (Anthropic Messages, OpenAI Responses) is one more entry here. */
const PROTOCOLS: readonly WireProtocol[] = [chatCompletions, anthropicMessages, openaiResponses];

/** Errors that don't belong to a protocol (unknown route, the log route) use OpenAI's shape. */
const FALLBACK_PROTOCOL = chatCompletions;

export const REQUEST_LOG_PATH = '/_baton/requests';

export interface MockModelOptions {
  script: Script;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** When set, requests must carry this key (`Authorization: Bearer <key>`) or get 401. */
  apiKey?: string;
  /** File every request is appended to as one JSON line. */
  requestLogPath?: string;
}

export interface MockModel {
  /** Base URL for an OpenAI-compatible client, ending in `/v1`. */
  url: string;
  port: number;
  /** Requests received so far, in order. */
  requests(): LoggedRequest[];
  /** Stops the server, cutting any hanging or delayed answers, so the process can exit. */
  close(): Promise<void>;
}

type RequestEntry = Omit<LoggedRequest, 'status'>;

export async function startMockModel(options: MockModelOptions): Promise<MockModel> {
  const host = options.host ?? '127.0.0.1';
  const cursor = new ScriptCursor(options.script);
  const log = new RequestLog(options.requestLogPath);
  // Aborted by close(): delayed answers stop waiting instead of keeping the process alive.
  const closing = new AbortController();
  let seq = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    seq += 1;
    const [path = '/'] = (req.url ?? '/').split('?');
    const entry: RequestEntry = {
      seq,
      time: new Date().toISOString(),
      method: req.method ?? 'GET',
      path,
      body: null,
      protocol: null,
      answeredBy: null,
      stepIndex: null,
      lastUserText: null,
      hasTools: false,
      toolNames: [],
      workdir: null,
    };
    const protocol = PROTOCOLS.find((candidate) => candidate.path === path);
    const answerError = (error: ErrorReply, errorProtocol = protocol ?? FALLBACK_PROTOCOL) => {
      log.record({ ...entry, status: error.status });
      errorProtocol.sendError(res, error);
    };

    if (req.method === 'GET' && path === REQUEST_LOG_PATH) {
      if (!authorized(bearerToken(req.headers), options.apiKey)) return answerError(unauthorized());
      // The listing shows what came before it, not the listing request itself.
      const earlier = log.list();
      log.record({ ...entry, status: 200 });
      return sendJson(res, 200, earlier);
    }
    if (protocol === undefined || req.method !== 'POST') {
      return answerError({ status: 404, message: `no route for ${entry.method} ${path}` });
    }

    entry.protocol = protocol.name;
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (error) {
      const status = error instanceof BodyTooLargeError ? 413 : 400;
      return answerError({ status, message: `cannot read request body: ${(error as Error).message}` });
    }
    const parsed = parseJsonBody(raw);
    if (parsed.ok) entry.body = parsed.value;
    if (!authorized(protocol.apiKeyOf(req.headers), options.apiKey)) return answerError(unauthorized());
    if (!parsed.ok) return answerError({ status: 400, message: parsed.message });
    const inspected = protocol.inspect(parsed.value);
    if (!inspected.ok) return answerError({ status: 400, message: inspected.message });

    const { facts } = inspected;
    const decision = cursor.next(facts, seq);
    Object.assign(entry, {
      answeredBy: decision.answeredBy,
      stepIndex: decision.stepIndex,
      lastUserText: facts.lastUserText,
      hasTools: facts.hasTools,
      toolNames: facts.toolNames,
      workdir: decision.workdir,
    });
    const { reply } = decision;
    log.record({ ...entry, status: reply.kind === 'error' ? reply.status : 200 });

    if (decision.delayMs > 0) {
      const stopped = await sleep(decision.delayMs, false, { signal: closing.signal }).catch(() => true);
      if (stopped || res.destroyed) return;
    }
    if (reply.kind === 'error') return protocol.sendError(res, reply);
    protocol.send(res, reply, { seq: entry.seq, facts, requestChars: raw.length });
  };

  const server = createServer((req, res) => {
    // The client may go away at any moment (a killed agent); that is never the server's problem.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else FALLBACK_PROTOCOL.sendError(res, { status: 500, message: `mock model bug: ${(error as Error).message}` });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    port,
    requests: () => log.list(),
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        // Hanging streams and idle keep-alive sockets would otherwise hold close() open forever.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function authorized(given: string | undefined, expected: string | undefined): boolean {
  return expected === undefined || given === expected;
}

function unauthorized(): ErrorReply {
  return { status: 401, message: 'Incorrect API key provided to the Baton mock model.' };
}
