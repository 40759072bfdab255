import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { serve, type ServerType } from '@hono/node-server';
import type { Baton } from '../baton.js';
import { BatonError } from '../errors.js';
import { Plans } from '../plans/service.js';
import { newToken } from './auth.js';
import { createUiApp } from './app.js';

export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

export interface UiServerOptions {
  port?: number;
  host?: string;
  token?: string;
  pollMs?: number;
}

export interface UiServer {
  url: string;
  /** The URL with the token: what a person opens. */
  openUrl: string;
  token: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

const WILDCARDS = ['0.0.0.0', '::'];

function machineAddresses(): string[] {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address));
  return [...addresses, hostname()];
}

const isLoopback = (host: string) => LOOPBACK_HOSTS.includes(host) || host.startsWith('127.');

/** Starts the dashboard; resolves once it listens. Port 0 picks a free port. */
export async function startUiServer(baton: Baton, options: UiServerOptions = {}): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  // A request's Host must name this server (DNS rebinding): loopback names, the host it listens on,
  // and for a wildcard address every address of this machine and its name.
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const allowedHosts = [...LOOPBACK_HOSTS, bare, ...(WILDCARDS.includes(bare) ? machineAddresses() : [])];
  const { app, feed } = createUiApp({ baton, plans: new Plans(baton), token, allowedHosts, ...(options.pollMs !== undefined && { pollMs: options.pollMs }) });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new BatonError('conflict', `${options.port} is in use; pick another, or 0 for any free port`, { field: 'port' }) : error.code === 'EADDRNOTAVAIL' ? new BatonError('usage', `${host} is not an address of this machine`, { field: 'host' }) : error),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const reachable = WILDCARDS.includes(bare) ? (machineAddresses().find((a) => !isLoopback(a) && !a.includes(':')) ?? '127.0.0.1') : bare;
  const shown = reachable.includes(':') ? `[${reachable}]` : reachable;
  const url = `http://${shown}:${port}/`;
  return {
    url,
    openUrl: `${url}?token=${token}`,
    token,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        feed.stop();
        // Open event streams would keep close() waiting for ever.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export { isLoopback };
