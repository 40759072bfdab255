import type { ScriptInput } from '../mock-model/index.js';

/** The demo project: a tiny package the agent extends, in the phase-prompt format Baton reads. */
export const DEMO_FILES: Record<string, string> = {
  'README.md': '# greeter\n\nA tiny package that greets people. Tests run with `node --test`.\n',
  'package.json': `${JSON.stringify({ name: 'greeter', version: '1.0.0', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
};

export const DEMO_PROMPT = `You are implementing Phase 1 of greeter: a greet() function with a test.

## Project
A tiny ESM package (see README.md); tests run with \`node --test\`.

## CRITICAL INSTRUCTIONS
- For NEW files: use \`cat > /path <<'EOF' ... EOF\`
- For EXISTING file modifications: use Edit tool (read first, then edit)
- Final step: run \`node --test\` and fix any errors
- Report final result

## Files to Create/Modify
- \`src/greet.js\` — exports greet(name) returning "Hello, <name>!"
- \`test/greet.test.js\` — node:test cases for greet

## Steps
1. Read README.md
2. Create src/greet.js
3. Create test/greet.test.js
4. Run \`node --test\`, fix errors, report final result
`;

const GREET = `export function greet(name) {\n  return \`Hello, \${name}!\`;\n}\n`;
const GREET_TEST = `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { greet } from '../src/greet.js';\n\ntest('greets by name', () => {\n  assert.equal(greet('Ada'), 'Hello, Ada!');\n});\n`;

/** What the scripted model answers, turn by turn: the moves a real agent would make. */
export const DEMO_SCRIPT: ScriptInput = {
  title: 'Phase 1: greet() with a test',
  steps: [
    { text: 'Reading the project first.', tools: [{ name: 'read', args: { filePath: '{{workdir}}/README.md' } }] },
    { delayMs: 400, tools: [{ name: 'write', args: { filePath: '{{workdir}}/src/greet.js', content: GREET } }] },
    { delayMs: 400, tools: [{ name: 'write', args: { filePath: '{{workdir}}/test/greet.test.js', content: GREET_TEST } }] },
    { delayMs: 400, tools: [{ name: 'bash', args: { command: 'node --test', description: 'Run the tests' } }] },
    {
      delayMs: 300,
      text: '## Phase 1 Implementation Complete\n\nCreated src/greet.js and test/greet.test.js; `node --test` passes (1 test).',
    },
  ],
  onExhausted: { text: 'Phase 1 is complete; nothing left to do.' },
};
