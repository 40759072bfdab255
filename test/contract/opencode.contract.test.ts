import { runContract } from './contract.js';
import { opencodeHarness } from './harnesses/opencode-family.js';

runContract(opencodeHarness);
