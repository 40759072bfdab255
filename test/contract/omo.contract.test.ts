import { runContract } from './contract.js';
import { omoHarness } from './harnesses/opencode-family.js';

runContract(omoHarness);
