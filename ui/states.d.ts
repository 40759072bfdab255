// The types of /assets/states.js, which the server generates from src/ui/page-states.ts (there is no
// states.js in this folder); the page imports it like any other module. test/ui/page-states.test.ts
// checks that these names are the ones served.
import type { PAGE_STATE_LISTS } from '../src/ui/page-states.js';

export declare const RUN_STATES: (typeof PAGE_STATE_LISTS)['RUN_STATES'];
export declare const ACTIVE_RUN: ReadonlySet<string>;
export declare const RESUMABLE_RUN: ReadonlySet<string>;
export declare const RESUMABLE_PLAN: ReadonlySet<string>;
export declare const DONE_PHASE: ReadonlySet<string>;
