/** A process that only takes a baseline, for the test that SIGKILLs one midway: `node take-baseline-child.js REPO RUNDIR`. */
import { takeBaseline } from '../../src/baseline/index.js';
import { largeFileBytes } from '../../src/baseline/large-files.js';

await takeBaseline(process.argv[2]!, process.argv[3]!, { largeFileBytes: largeFileBytes(process.env) });
