// @ts-check
// Talking to the `baton ui` server: JSON requests carrying the page's anti-forgery header, and the
// banner where any failure is shown, since a failed request has nowhere else to surface.

// index.html always has these; the page is nothing without them.
const errorBox = /** @type {HTMLElement} */ (document.getElementById('error'));
const errorText = /** @type {HTMLElement} */ (document.getElementById('error-text'));
document.getElementById('error-close')?.addEventListener('click', clearError);

/** @param {string} message */
export function showError(message) {
  errorText.textContent = message;
  errorBox.hidden = false;
}

/**
 * What to show for anything thrown.
 * @param {unknown} error
 */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

export function clearError() {
  errorBox.hidden = true;
  errorText.textContent = '';
}

class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status the HTTP status, 0 when the server could not be reached
   */
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

// The server writes the token into the page it serves; a page on another site cannot read it.
const csrfToken = document.querySelector('meta[name="baton-csrf"]')?.getAttribute('content') ?? '';

/**
 * Calls the JSON API. The caller names the answer's shape (one of src/ui/views.ts's types): the server
 * is the same package as this page, so its answers are trusted rather than validated here.
 * @template T
 * @param {'GET' | 'POST'} method
 * @param {string} path
 * @param {Record<string, unknown>} [body]
 * @returns {Promise<T>}
 */
export async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  /** @type {RequestInit} */
  const init = { method, credentials: 'same-origin', headers };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-Baton-CSRF'] = csrfToken;
    init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(`Cannot reach the Baton server (${messageOf(error)}). Is \`baton ui\` still running?`, 0);
  }
  /** @type {any} */
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

/**
 * Runs an action for a button: disabled while it runs, any failure shown in the banner.
 * @param {HTMLButtonElement} button
 * @param {() => Promise<void>} action
 */
export async function act(button, action) {
  button.disabled = true;
  clearError();
  try {
    await action();
  } catch (error) {
    showError(messageOf(error));
  } finally {
    button.disabled = false;
  }
}

/**
 * Parses a server-sent event's data; a malformed one is dropped rather than breaking the stream.
 * @template T the event's shape, from src/ui/views.ts
 * @param {string} text
 * @returns {T | null}
 */
export function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
