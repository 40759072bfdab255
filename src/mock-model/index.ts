/** The scripted model server: tests and `baton demo` run real agent CLIs against it. */
export { startMockModel, REQUEST_LOG_PATH, type MockModel, type MockModelOptions } from './server.js';
export {
  loadScript,
  parseScript,
  ScriptError,
  type Script,
  type ScriptInput,
  type ScriptStep,
  type ScriptedToolCall,
  type ScriptedError,
} from './script.js';
export type { LoggedRequest } from './request-log.js';
export type { AnsweredBy } from './script-cursor.js';
export type { WireProtocol, ModelReply, ModelRequestFacts } from './wire-protocol.js';
export {
  prepareAgentSandbox,
  ohMyOpencodePluginUrl,
  SCRIPTED_MODEL,
  type AgentSandbox,
  type AgentSandboxOptions,
} from './agent-sandbox.js';
export { findWorkdir } from './workdir.js';
export { prepareClaudeSandbox, SCRIPTED_CLAUDE_MODEL, type ClaudeSandbox, type ClaudeSandboxOptions } from './claude-sandbox.js';
export { prepareCodexSandbox, CODEX_SCRIPTED_MODEL, CODEX_API_KEY_VARIABLE, type CodexSandbox, type CodexSandboxOptions } from './codex-sandbox.js';
