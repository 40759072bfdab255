// Process facts live in src/processes; this path stays for code that still imports it from here.
export { isGroupAlive, isProcessAlive } from '../processes/index.js';
