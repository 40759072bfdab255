// @ts-check
// The page's address lives after the "#" (#/runs/abc?state=failed), so the server serves one page and
// the back button, reloads and shared links all work without it.

/** @returns {{path: string, query: Record<string, string>}} */
export function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?');
  return { path: path || '/', query: Object.fromEntries(new URLSearchParams(search)) };
}

/**
 * The inverse of parseHash; empty values are left out so the address stays short.
 * @param {string} path
 * @param {Record<string, string | null | undefined>} query
 */
export function hashFor(path, query) {
  const kept = /** @type {[string, string][]} */ (Object.entries(query).filter(([, v]) => v !== '' && v !== undefined && v !== null));
  const search = new URLSearchParams(kept).toString();
  return `#${path}${search ? `?${search}` : ''}`;
}
