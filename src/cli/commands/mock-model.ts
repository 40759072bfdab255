import { randomBytes } from 'node:crypto';
import { loadScript, ScriptError, startMockModel } from '../../mock-model/index.js';
import { usageError } from '../../errors.js';
import { integerOption, stringOption } from '../args.js';
import { untilStopped, type Command } from '../command.js';

export const mockModelCommand: Command = {
  name: 'mock-model',
  summary: 'serve the scripted model (OpenAI chat, Anthropic Messages, OpenAI Responses) for tests and demos',
  help: `Usage: baton mock-model --script FILE [--port N] [--api-key KEY] [--log FILE] [--json]

Requests must carry "Authorization: Bearer KEY"; without --api-key a random key is made and printed.

Serves POST /v1/chat/completions (OpenAI), /v1/messages (Anthropic) and /v1/responses (OpenAI
Responses) on 127.0.0.1, streaming the script's steps in order, whichever protocol asks: tool calls,
texts and faults (delayMs, hang, HTTP 500/429 errors, malformed chunks). Requests without tools
(opencode's title requests) do not consume steps. Every request is recorded: GET /_baton/requests
returns them; --log appends them to FILE as JSON lines. Runs until interrupted.

Script (JSON):
  {"title": "…", "steps": [
     {"tools": [{"name": "write", "args": {"filePath": "{{workdir}}/src/a.ts", "content": "…"}}]},
     {"error": {"status": 500, "message": "boom"}, "times": 3},
     {"text": "All done."}
  ], "onExhausted": {"text": "Nothing left to do."}}
{{workdir}} becomes the agent's working directory. Point opencode at it with a provider using
"@ai-sdk/openai-compatible" and baseURL http://127.0.0.1:PORT/v1 (baton demo shows a full setup).`,
  options: { script: { type: 'string' }, port: { type: 'string' }, 'api-key': { type: 'string' }, log: { type: 'string' } },
  allowPositionals: false,
  async run(args, io) {
    const scriptPath = stringOption(args, 'script');
    if (!scriptPath) throw usageError('--script FILE is required');
    let script;
    try {
      script = await loadScript(scriptPath);
    } catch (error) {
      throw usageError(error instanceof ScriptError ? error.message : `cannot read --script ${scriptPath}: ${(error as Error).message}`);
    }
    // A key even when none is given: anything on this machine could otherwise talk to the server.
    const apiKey = stringOption(args, 'api-key') ?? randomBytes(16).toString('hex');
    const requestLogPath = stringOption(args, 'log');
    const server = await startMockModel({
      script,
      port: integerOption(args, 'port', 0),
      apiKey,
      ...(requestLogPath !== undefined && { requestLogPath }),
    });
    const announce = { url: server.url, port: server.port, apiKey, steps: script.steps.length };
    if (io.json) io.stdout.write(`${JSON.stringify(announce)}\n`);
    else io.stdout.write(`scripted model listening on ${server.url} (${script.steps.length} steps), api key ${apiKey}; Ctrl-C to stop\n`);
    await untilStopped(io.signal);
    await server.close();
    return { exitCode: 0 };
  },
};
