/** A process that only takes a baseline, for the test that SIGKILLs one midway: `node take-baseline-child.js REPO RUNDIR`. */
import { takeBaseline } from '../../src/baseline/index.js';

await takeBaseline(process.argv[2]!, process.argv[3]!);
