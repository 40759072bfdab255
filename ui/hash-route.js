// The page's address lives after the "#" (#/runs/abc?state=failed), so the server serves one page and
// the back button, reloads and shared links all work without it.

export function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?');
  return { path: path || '/', query: Object.fromEntries(new URLSearchParams(search)) };
}

/** The inverse of parseHash; empty values are left out so the address stays short. */
export function hashFor(path, query) {
  const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v !== undefined && v !== null)).toString();
  return `#${path}${search ? `?${search}` : ''}`;
}
