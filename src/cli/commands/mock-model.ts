import { randomBytes } from 'node:crypto';
import { usageError } from '../../errors.js';
import { integerOption, stringOption } from '../args.js';
import { untilStopped } from '../command.js';
import { defineCommand } from '../define.js';
import { requireOptions } from '../parse.js';

export const mockModelCommand = defineCommand({
  name: 'mock-model',
  summary: 'serve Baton\'s scripted model (OpenAI, Anthropic, Responses APIs) for tests and demos',
  positionals: [],
  about: `Serves POST /v1/chat/completions (OpenAI), /v1/messages (Anthropic) and /v1/responses (OpenAI
Responses) on 127.0.0.1, streaming the script's steps in order, whichever protocol asks: tool calls,
texts and faults (delayMs, hang, HTTP 500/429 errors, malformed chunks). Requests without tools
(opencode's title requests) do not consume steps. Every request is recorded: GET /_baton/requests
returns them; --log appends them to FILE as JSON lines. Runs until interrupted.`,
  options: [
    { name: 'script', value: 'FILE', required: true, description: 'the script to serve; its format is below' },
    { name: 'port', value: 'N', description: 'port to listen on', whenAbsent: 'any free port' },
    { name: 'api-key', value: 'KEY', description: 'requests must carry "Authorization: Bearer KEY"', whenAbsent: 'a random key, printed' },
    { name: 'log', value: 'FILE', description: 'append every request to FILE as a JSON line' },
  ],
  json: 'print {"url","port","apiKey","steps"} as one line once listening',
  more: `Script (JSON):
  {"title": "…", "steps": [
     {"tools": [{"name": "write", "args": {"filePath": "{{workdir}}/src/a.ts", "content": "…"}}]},
     {"error": {"status": 500, "message": "boom"}, "times": 3},
     {"text": "All done."}
  ], "onExhausted": {"text": "Nothing left to do."}}
{{workdir}} becomes the agent's working directory. Point opencode at it with a provider using
"@ai-sdk/openai-compatible" and baseURL http://127.0.0.1:PORT/v1 (baton demo shows a full setup).`,
}, {
  async run(args, io) {
    const { loadScript, ScriptError, startMockModel } = await import('../../mock-model/index.js');
    requireOptions(mockModelCommand.definition, args);
    const scriptPath = stringOption(args, 'script')!;
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
});
