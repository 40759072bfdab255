import type { ToolKind } from '../events.js';

/**
 * Which kind of work a tool name stands for, shared by every parser so that "how many edits" means the
 * same thing whichever agent CLI ran. Names are opencode's (oh-my-opencode adds its own on top);
 * anything unknown, including MCP tools, is 'other'.
 */
const KIND_BY_TOOL: ReadonlyMap<string, ToolKind> = new Map(Object.entries({
  read: 'read',
  write: 'write',
  edit: 'edit',
  multiedit: 'edit',
  patch: 'edit',
  apply_patch: 'edit',
  bash: 'command',
  interactive_bash: 'command',
  $: 'command',
  glob: 'search',
  grep: 'search',
  list: 'search',
  ls: 'search',
  codesearch: 'search',
  ast_grep_search: 'search',
  todowrite: 'todo',
  todoread: 'todo',
  task: 'task',
  call_omo_agent: 'task',
  delegate_task: 'task',
} satisfies Record<string, ToolKind>));

export function toolKindOf(tool: string): ToolKind {
  // Tool names arrive in either case ("Read" in oh-my-opencode's header, "read" in opencode's JSON).
  // A Map, not an object literal: a tool called "constructor" must not find Object.prototype.
  return KIND_BY_TOOL.get(tool) ?? KIND_BY_TOOL.get(tool.toLowerCase()) ?? 'other';
}
