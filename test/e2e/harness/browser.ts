// Debian's Chromium driven by playwright-core (no Playwright browser download), plus a record of
// everything the page and its webview frames print, for the failure report.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from '../../../tools/e2e/install-code-server.mjs';
import { withTimeout } from './processes';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export interface BrowserOptions {
  /** false shows the window (needs a display). Default: headless unless ATTN_E2E_HEADED=1. */
  headless?: boolean;
  viewport?: { width: number; height: number };
}

/** Console lines of the page and all its frames (webviews included), and uncaught errors. */
export class ConsoleRecord {
  readonly lines: string[] = [];

  attach(page: Page): void {
    page.on('console', (msg: ConsoleMessage) => {
      const where = msg.location();
      const origin = where.url ? ` (${where.url.replace(/\?.*$/, '')}:${where.lineNumber})` : '';
      this.lines.push(`[${msg.type()}] ${msg.text()}${origin}`);
    });
    page.on('pageerror', (err) => this.lines.push(`[pageerror] ${err.stack ?? err.message}`));
    page.on('crash', () => this.lines.push('[crash] the page crashed'));
  }

  text(): string {
    return this.lines.join('\n');
  }
}

export interface LaunchedBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  console: ConsoleRecord;
  close(): Promise<void>;
}

export async function launchBrowser(opts: BrowserOptions = {}): Promise<LaunchedBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: \`apt-get install chromium\` or set ATTN_E2E_CHROMIUM`);
  }
  const headless = opts.headless ?? process.env.ATTN_E2E_HEADED !== '1';
  const browser = await withTimeout(
    'launch Chromium',
    60_000,
    chromium.launch({ executablePath: CHROMIUM_PATH, headless, args: CHROMIUM_ARGS, timeout: 60_000 }),
  );
  // Clipboard permissions: VS Code's Copy/Paste use the async clipboard API, which would wait
  // for a permission prompt that never comes in a headless browser.
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1400, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  const record = new ConsoleRecord();
  record.attach(page);
  return {
    browser,
    context,
    page,
    console: record,
    close: async () => {
      await withTimeout('close Chromium', 15_000, browser.close()).catch(() => {});
    },
  };
}
