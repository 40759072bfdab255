/**
 * `baton/ui`: the dashboard server. Kept out of the library entry so that `import { Baton } from
 * 'baton'` does not load Hono.
 */
export { startUiServer } from './server.js';
export type { UiServer, UiServerOptions } from './server.js';
