import { runContract } from './contract.js';
import { codexHarness } from './harnesses/codex.js';

runContract(codexHarness);
