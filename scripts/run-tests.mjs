#!/usr/bin/env node
// Runs every compiled *.test.js under dist/test with node's test runner. Listing the files (rather than
// handing node the folder) keeps helper modules from being counted as tests. The end-to-end files
// mostly wait on agent CLIs and the scripted model, so several run at once even on two cores.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

// Files that drive real agent CLIs are named *.e2e.test.ts or *.contract.test.ts (see test/README.md):
// `--unit` runs the others, `--e2e` only those; any other argument is a substring of the path.
const isEndToEnd = (f) => f.endsWith('.e2e.test.js') || f.endsWith('.contract.test.js');
const args = process.argv.slice(2);
const group = args.includes('--unit') ? (f) => !isEndToEnd(f) : args.includes('--e2e') ? isEndToEnd : () => true;
const filter = args.filter((a) => a !== '--unit' && a !== '--e2e');
const files = testFiles('dist/test').filter((f) => group(f) && (filter.length === 0 || filter.some((part) => f.includes(part))));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.BATON_TEST_CONCURRENCY ?? '3';
// A test (or a whole file) that hangs fails after 7 minutes instead of holding CI until its own limit.
const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=420000', ...files], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
