/**
 * What the dashboard's browser tests share: a headless Chromium, the real `baton ui` command as a
 * user starts it, and the page's own errors collected so a test can say there were none.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BATON_BIN } from '../e2e/harness.js';

const CHROMIUM = process.env.BATON_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a headless Chromium on a machine without network or GPU. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export async function launchBrowser(t: TestContext): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (or set BATON_CHROMIUM)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  return browser;
}

export interface Dashboard {
  url: string;
  openUrl: string;
  port: number;
}

/** The real `baton ui` command, as a user starts it. */
export async function startDashboard(t: TestContext, env: NodeJS.ProcessEnv): Promise<Dashboard> {
  const child = spawn(process.execPath, [BATON_BIN, 'ui', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    child.kill('SIGINT');
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const line = await new Promise<string>((resolve, reject) => {
    setTimeout(() => reject(new Error(`baton ui printed no URL within 20 s: ${stderr}`)), 20_000).unref();
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`baton ui exited ${code}: ${stderr}`)));
  });
  return JSON.parse(line) as Dashboard;
}

export function trackPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}
