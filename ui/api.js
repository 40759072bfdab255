// Talking to the `baton ui` server: JSON requests carrying the page's anti-forgery header, and the
// banner where any failure is shown, since a failed request has nowhere else to surface.

const errorBox = document.getElementById('error');
const errorText = document.getElementById('error-text');
document.getElementById('error-close')?.addEventListener('click', clearError);

export function showError(message) {
  errorText.textContent = message;
  errorBox.hidden = false;
}

export function clearError() {
  errorBox.hidden = true;
  errorText.textContent = '';
}

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

// The server writes the token into the page it serves; a page on another site cannot read it.
const csrfToken = document.querySelector('meta[name="baton-csrf"]')?.getAttribute('content') ?? '';

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (method !== 'GET') {
    init.headers['Content-Type'] = 'application/json';
    init.headers['X-Baton-CSRF'] = csrfToken;
    init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(`Cannot reach the Baton server (${error.message}). Is \`baton ui\` still running?`, 0);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON: the status line below says what happened.
  }
  if (!response.ok) {
    const reason = data?.error;
    const message = typeof reason === 'string' ? reason : reason?.message ?? `${method} ${path} failed with HTTP ${response.status}`;
    throw new ApiError(message, response.status);
  }
  return data;
}

/** Runs an action for a button: disabled while it runs, any failure shown in the banner. */
export async function act(button, action) {
  button.disabled = true;
  clearError();
  try {
    await action();
  } catch (error) {
    showError(error.message);
  } finally {
    button.disabled = false;
  }
}

/** Parses a server-sent event's data; a malformed one is dropped rather than breaking the stream. */
export function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
