import { normaliseCommand } from '../detect/prompt-spec.js';
import { isFilePath } from './mentions.js';

/**
 * Verification commands: what a prompt's last step should run so the agent (and Baton) can tell the
 * phase works. A command counts when it starts with a known checker (cargo check, npm test, pytest,
 * go test, make, tsc, …) or names what it does (`./scripts/check.sh`, `node scripts/run-tests.mjs`).
 */
const KNOWN_CHECKER =
  /^(?:cargo\s+(?:check|test|build|clippy|nextest|fmt\s+--check)|(?:npm|pnpm|yarn|bun)\s+(?:test|t|run\s+\S+|run-script\s+\S+)|npx|tsc|pytest|python3?\s+-m\s+\w+|mypy|ruff|flake8|go\s+(?:test|build|vet)|make|just|gradle\w*|\.\/gradlew|mvn|dotnet\s+(?:test|build)|mix\s+(?:test|compile)|rspec|bundle\s+exec|jest|vitest|eslint|deno\s+(?:test|check|lint)|swift\s+(?:build|test)|ctest|node\s+--test|zig\s+build|tox|nox)\b/i;
const CHECKING_WORD = /\b(?:tests?|check|lint|build|verify|typecheck|compile)\b/i;
// Written without backticks, only unambiguous command names count: "make sure" is English, "make test" is not.
const UNQUOTED_CHECKER =
  /\b(?:cargo\s+(?:check|test|build|clippy|nextest)|(?:npm|pnpm|yarn|bun)\s+(?:test|run\s+[\w:-]+)|npx\s+(?:tsc|vitest|jest|eslint|mocha|playwright)|tsc|pytest|python3?\s+-m\s+(?:pytest|unittest|mypy)|mypy|ruff\s+check|go\s+(?:test|build|vet)|make\s+(?:check|test|tests|build|lint|all|ci|verify)|\.?\/?gradlew?\s+(?:test|build|check)|mvn\s+(?:test|verify|package|compile)|dotnet\s+(?:test|build)|mix\s+test|rspec|deno\s+(?:test|check|lint)|swift\s+(?:build|test)|ctest|node\s+--test|zig\s+build)\b(?:\s+--?[\w=-]+)*/gi;
const BACKTICKED = /`([^`\n]+)`/g;

export function isVerificationCommand(command: string): boolean {
  const trimmed = command.trim();
  // A lone path in backticks is a file to look at, not a command to run, unless it is a script.
  if (!/\s/.test(trimmed) && isFilePath(trimmed) && !/^\.\/|\.(?:sh|bash|zsh|ps1|bat|cmd)$/.test(trimmed)) return false;
  const bare = trimmed
    .replace(/^\(?\s*cd\s+\S+\s*&&\s*/, '')
    .replace(/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+/, '');
  return KNOWN_CHECKER.test(bare) || CHECKING_WORD.test(bare);
}

/** Distinct verification commands in a piece of text: the backticked ones, then the ones written bare. */
export function verificationCommandsIn(text: string): string[] {
  const quoted = [...text.matchAll(BACKTICKED)].map((m) => (m[1] ?? '').trim()).filter(isVerificationCommand);
  const unquoted = [...text.replace(BACKTICKED, ' ').matchAll(UNQUOTED_CHECKER)].map((m) => m[0].trim());
  const seen = new Map<string, string>();
  for (const command of [...quoted, ...unquoted]) {
    const key = normaliseCommand(command);
    if (!seen.has(key)) seen.set(key, command);
  }
  return [...seen.values()];
}
