import { runContract } from './contract.js';
import { claudeHarness } from './harnesses/claude.js';

runContract(claudeHarness);
