import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/**
 * Browsers share cookies across the ports of a host, so each dashboard names its cookie after its
 * port: two `baton ui` on one machine do not log each other out.
 */
export function cookieName(c: Context): string {
  const port = /:(\d+)$/.exec(c.req.header('host') ?? new URL(c.req.url).host)?.[1];
  return port ? `baton_ui_${port}` : 'baton_ui';
}
export const CSRF_HEADER = 'x-baton-csrf';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The anti-forgery value the page echoes on every POST; derived, so it needs no storage. */
export function csrfFor(token: string): string {
  return createHmac('sha256', token).update('baton-ui-csrf').digest('base64url');
}

export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function presentedToken(c: Context): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  return bearer ?? getCookie(c, cookieName(c));
}

export interface AuthOptions {
  token: string;
  /** Hostnames a request may name in its Host header; stops DNS rebinding from reaching the API. */
  allowedHosts: Set<string>;
}

/**
 * Every request needs the token: as `?token=` on the first page load (which sets an HttpOnly,
 * SameSite=Strict cookie and drops the token from the address bar), then the cookie, or a Bearer
 * header for scripts. Anything else gets 401 and no data.
 */
export function requireToken({ token, allowedHosts }: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    const host = (c.req.header('host') ?? new URL(c.req.url).host).replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    if (!allowedHosts.has(host)) return c.json({ error: `host "${host}" is not served here` }, 421);
    const url = new URL(c.req.url);
    const fromQuery = url.searchParams.get('token') ?? undefined;
    if (c.req.method === 'GET' && fromQuery !== undefined && url.pathname === '/') {
      if (!sameSecret(fromQuery, token)) return unauthorised(c);
      setCookie(c, cookieName(c), token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      return c.redirect('/', 303);
    }
    if (!sameSecret(presentedToken(c), token)) return unauthorised(c);
    await next();
  };
}

function unauthorised(c: Context) {
  if (c.req.path.startsWith('/api/')) return c.json({ error: 'missing or wrong token: open the URL baton ui printed' }, 401);
  return c.text('401: missing or wrong token. Open the URL `baton ui` printed (it ends in ?token=…).\n', 401);
}

/**
 * State-changing requests must come from the dashboard itself: the anti-forgery header (a page on
 * another origin cannot read it), a JSON body (a plain HTML form cannot send one), and, when the
 * browser says where the request came from, the same origin.
 */
export function requireSameOrigin(token: string): MiddlewareHandler {
  const csrf = csrfFor(token);
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const site = c.req.header('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return c.json({ error: `cross-site request refused (${site})` }, 403);
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== 'null') {
      const host = c.req.header('host') ?? new URL(c.req.url).host;
      if (!URL.canParse(origin) || new URL(origin).host !== host) return c.json({ error: `cross-origin request refused (${origin})` }, 403);
    } else if (origin === 'null') return c.json({ error: 'cross-origin request refused (opaque origin)' }, 403);
    // A script holding the token sends it as a Bearer header, which a browser never adds to a
    // cross-site request on its own; the anti-forgery value is for the cookie the page rides on.
    const viaBearer = /^Bearer\s+\S+$/i.test(c.req.header('authorization') ?? '');
    if (!viaBearer && !sameSecret(c.req.header(CSRF_HEADER), csrf)) return c.json({ error: `missing or wrong ${CSRF_HEADER} header` }, 403);
    if (!(c.req.header('content-type') ?? '').startsWith('application/json')) return c.json({ error: 'POST bodies must be application/json' }, 415);
    await next();
  };
}
