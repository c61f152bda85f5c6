// One running VS Code for a spec: a workspace copy, code-server with the extension, Chromium on
// the workbench. `useVsCodeSession` wires it into mocha's hooks, with artifacts on failure.
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { type Settings, type ThemeName } from '../../../tools/e2e/code-server-config.mjs';
import { launchBrowser, type LaunchedBrowser } from './browser';
import { CodeServer } from './code-server';
import { defaultExtensionMode, EXTENSION_ID, packagedExtensionsDir, type ExtensionMode } from './extension-under-test';
import { repoRoot, resultPath, slug } from './paths';
import { sleep, withTimeout } from './processes';
import { Workbench } from './workbench';
import { makeWorkspace, type Workspace } from './workspace';

/** Built-in themes: the label "Preferences: Color Theme" shows, and the workbench CSS kind. */
const THEME_PICKS: Record<string, { label: string; kind: string }> = {
  dark: { label: 'Dark Modern', kind: 'dark' },
  light: { label: 'Light Modern', kind: 'light' },
  'high-contrast': { label: 'Dark High Contrast', kind: 'hc-black' },
  'high-contrast-light': { label: 'Light High Contrast', kind: 'hc-light' },
};

export interface SessionOptions {
  /** Folder copied as the workspace: default tools/demo-workspace; null opens no folder. */
  workspaceFrom?: string | null;
  /** Extra files (relative path → text) written into the workspace copy. */
  files?: Record<string, string>;
  /** 'dark' (default), 'light', 'high-contrast', 'high-contrast-light' or a theme name. */
  theme?: ThemeName | string;
  /** Extra user settings (e.g. { 'attentionInspector.maxTokens': 64 }). */
  settings?: Settings;
  /** false keeps workspace trust on. Default true (trusted, no prompt). */
  trustWorkspace?: boolean;
  /** How the extension is loaded; default ATTN_E2E_EXTENSION or 'packaged'. */
  extension?: ExtensionMode;
  /** Extra `payload` entries for the workbench URL. */
  payload?: Array<[string, string]>;
  viewport?: { width: number; height: number };
  /** Whole start-up budget (server, browser, workbench, extension host). Default 180 s. */
  startTimeoutMs?: number;
}

export class VsCodeSession {
  private constructor(
    readonly server: CodeServer,
    readonly browser: LaunchedBrowser,
    readonly workbench: Workbench,
    readonly workspace: Workspace | undefined,
  ) {}

  get page(): Page {
    return this.browser.page;
  }

  /** Starts everything and waits until the workbench is usable and the extension host is up. */
  static async start(opts: SessionOptions = {}): Promise<VsCodeSession> {
    const mode = opts.extension ?? defaultExtensionMode();
    const workspace = opts.workspaceFrom === null && !opts.files ? undefined : makeWorkspace({ from: opts.workspaceFrom, files: opts.files });
    const settings = { theme: opts.theme ?? 'dark', trustWorkspace: opts.trustWorkspace ?? true, extra: opts.settings ?? {} };
    let server: CodeServer | undefined;
    let browser: LaunchedBrowser | undefined;
    try {
      return await withTimeout('VS Code session start', opts.startTimeoutMs ?? 180_000, (async () => {
        server = await CodeServer.start({
          folder: workspace?.path,
          theme: settings.theme,
          settings: settings.extra,
          trustWorkspace: settings.trustWorkspace,
          extensionsDir: mode === 'packaged' ? packagedExtensionsDir() : undefined,
        });
        browser = await launchBrowser({ viewport: opts.viewport });
        browser.page.setDefaultTimeout(30_000);
        const payload: Array<[string, string]> = [['skipWelcome', 'true'], ...(opts.payload ?? [])];
        if (mode === 'development') payload.push(['extensionDevelopmentPath', server.remoteUri(repoRoot)]);
        await browser.page.goto(server.workbenchUrl({ payload }), { timeout: 60_000 });
        const workbench = new Workbench(browser.page);
        await workbench.waitReady({ folderOpen: workspace !== undefined });
        const session = new VsCodeSession(server, browser, workbench, workspace);
        await session.waitForExtensionHost();
        return session;
      })());
    } catch (e) {
      if (browser) {
        await browser.page.screenshot({ path: resultPath('session-start-failure.png') }).catch(() => {});
        writeFileSync(resultPath('session-start-failure.console.log'), browser.console.text());
        await browser.close();
      }
      if (server) {
        writeFileSync(resultPath('session-start-failure.server.log'), server.output() + '\n' + server.extensionHostLog());
        await server.stop();
      }
      workspace?.dispose();
      throw e;
    }
  }

  /** Waits until the remote extension host has started and activated its eager extensions. */
  async waitForExtensionHost(timeoutMs = 90_000): Promise<void> {
    await this.waitForLog(/Eager extensions activated/, timeoutMs, 'the extension host to start');
  }

  /** Waits until the extension host log says our extension (or `extensionId`) was activated. */
  async waitForActivation(extensionId = EXTENSION_ID, timeoutMs = 60_000): Promise<string> {
    const re = new RegExp(`_doActivateExtension ${extensionId.replace(/[.]/g, '\\.')}\\b[^\\n]*`, 'i');
    return this.waitForLog(re, timeoutMs, `${extensionId} to activate`);
  }

  /** Whether the extension host log says `extensionId` was activated, without waiting. */
  isActivated(extensionId = EXTENSION_ID): boolean {
    return this.server.extensionHostLog().includes(`_doActivateExtension ${extensionId}`);
  }

  private async waitForLog(re: RegExp, timeoutMs: number, what: string): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = re.exec(this.server.extensionHostLog());
      if (m) return m[0];
      await sleep(250);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; extension host log:\n${this.server.extensionHostLog().slice(-4000)}`);
  }

  /**
   * Switches the colour theme the way a user does ("Preferences: Color Theme"), and waits until the
   * workbench shows it. Takes 'dark', 'light', 'high-contrast', 'high-contrast-light' or a name.
   */
  async setTheme(theme: ThemeName | string): Promise<void> {
    const pick = THEME_PICKS[theme];
    const label = pick?.label ?? theme;
    await this.workbench.runCommand('Preferences: Color Theme');
    await this.workbench.pickQuickItem(label, { filter: label });
    if (pick) {
      await withTimeout(`theme ${label}`, 30_000, (async () => {
        while ((await this.workbench.themeKind()) !== pick.kind) await sleep(150);
      })());
    }
  }

  /** Saves a screenshot of the whole window to test-results/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    const path = resultPath(`${slug(name)}.png`);
    await this.page.screenshot({ path, timeout: 15_000 });
    return path;
  }

  /**
   * Saves what explains a failure under test-results/<dir>/: a screenshot, the browser console
   * (webviews included), code-server's output and the VS Code server logs.
   */
  async saveArtifacts(dir: string): Promise<string> {
    const base = slug(dir);
    await this.page.screenshot({ path: resultPath(base, 'screen.png'), timeout: 15_000 }).catch(() => {});
    writeFileSync(resultPath(base, 'browser-console.log'), this.browser.console.text());
    writeFileSync(resultPath(base, 'code-server.log'), this.server.output());
    for (const f of this.server.logFiles()) writeFileSync(resultPath(base, 'logs', f.path.replace(/[\\/]/g, '__')), f.contents);
    return resultPath(base);
  }

  /** Closes the browser, stops code-server (whole process group), deletes the workspace copy. */
  async close(): Promise<void> {
    await this.browser.close();
    await this.server.stop();
    this.workspace?.dispose();
  }
}

/**
 * Mocha helper: starts a session in `before`, closes it in `after`, and saves artifacts for every
 * failed test. Call it inside `describe`; use the returned getter in tests.
 *
 *   describe('panel', function () {
 *     const vscode = useVsCodeSession({ theme: 'light' });
 *     it('opens', async () => { await vscode().workbench.openFile('notes.md'); });
 *   });
 */
export function useVsCodeSession(opts: SessionOptions = {}): () => VsCodeSession {
  let session: VsCodeSession | undefined;
  before(async function () {
    this.timeout((opts.startTimeoutMs ?? 180_000) + 30_000);
    session = await VsCodeSession.start(opts);
  });
  afterEach(async function () {
    const test = this.currentTest;
    if (session && test && test.state === 'failed') {
      const dir = await session.saveArtifacts(`${test.parent?.fullTitle() ?? ''} ${test.title}`);
      console.log(`    artifacts: ${dir}`);
    }
  });
  after(async function () {
    this.timeout(60_000);
    await session?.close();
    session = undefined;
  });
  return () => {
    if (!session) throw new Error('the VS Code session did not start (see the before-all hook error)');
    return session;
  };
}
