/**
 * Run by index.test.ts in a fresh node process: imports the package entry `baton` by name, then
 * `baton/mcp` and `baton/ui`, and prints which module URLs each step resolved.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';

const log = process.argv[2]!;
writeFileSync(log, '');
register(new URL('./index-resolve-hook.js', import.meta.url), { data: { log } });
const resolvedSoFar = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);

// Specifiers in variables: the package resolves itself by name through its "exports", at run time.
const entries = { library: 'baton', mcp: 'baton/mcp', ui: 'baton/ui' } as const;
const report: Record<string, { url: string; exports: string[]; resolved: string[] }> = {};
for (const [name, specifier] of Object.entries(entries)) {
  const before = resolvedSoFar().length;
  const module = (await import(specifier)) as Record<string, unknown>;
  report[name] = { url: import.meta.resolve(specifier), exports: Object.keys(module).sort(), resolved: resolvedSoFar().slice(before) };
}
process.stdout.write(JSON.stringify(report));
