import { runContract } from './contract.js';
import { cmdHarness } from './harnesses/cmd.js';

runContract(cmdHarness);
