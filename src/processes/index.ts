export { processFacts, type ProcessFacts, type ProcessRow, type FactsKind } from './facts.js';
export { groupMembers, isGroupAlive, isProcessAlive } from './liveness.js';
export { agentIdentity, identityByStart, RUN_MARKER, runProcesses, startTokenOf, type AgentIdentity, type RunProcessRef, type RunProcesses } from './run-processes.js';
export { terminateRun, type TerminateResult } from './terminate.js';
export { isEntryProcessFor } from './entry-identity.js';
