// Drives the VS Code workbench page the way a person does: quick open, the command palette, the
// editor's find widget and context menu. Every wait has a timeout and says what it waited for.
import type { Frame, Locator, Page } from 'playwright-core';
import { withTimeout, sleep } from './processes';
import { findWebview } from './webview';

/** Default wait for one UI step. Steps that run the engine should pass their own. */
export const STEP_TIMEOUT_MS = 30_000;

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = '.quick-input-widget input.input';
const QUICK_INPUT_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';
const ACTIVE_EDITOR = '.editor-group-container.active .editor-instance .monaco-editor';

export interface QuickPickRow {
  /** The row's visible label (e.g. "Attention Inspector: Inspect Attention"). */
  label: string;
  /** The row's full aria-label (label plus description, keybinding, …). */
  ariaLabel: string;
}

export class Workbench {
  constructor(readonly page: Page) {}

  /** Waits until the workbench is drawn and, when a folder is open, its files are listed. */
  async waitReady(opts: { folderOpen?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const timeout = opts.timeoutMs ?? 90_000;
    await this.page.waitForSelector('.monaco-workbench .part.statusbar', { timeout });
    await this.page.waitForSelector('.monaco-workbench .part.editor', { timeout });
    if (opts.folderOpen ?? true) {
      await this.page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout });
    }
  }

  /**
   * When keyboard focus is inside a webview (after clicking the panel), moves it back to the
   * workbench so that workbench keybindings (F1, Ctrl+P) reach it directly.
   */
  async releaseWebviewFocus(): Promise<void> {
    await this.page.evaluate(() => {
      // (typed structurally: this file also compiles under the root tsconfig, which has no DOM)
      const doc = (globalThis as unknown as { document: { activeElement: { tagName?: string; blur?: () => void } | null } }).document;
      const active = doc.activeElement;
      if (active?.tagName === 'IFRAME') active.blur?.();
    });
  }

  /** Presses a key chord on the workbench (Playwright syntax: 'Control+Shift+P', 'F1'). */
  async press(keys: string): Promise<void> {
    await this.page.keyboard.press(keys);
  }

  // ---- quick input (quick open, command palette) ------------------------------------------

  private async openQuickInput(keys: string, prefix: string, text: string): Promise<void> {
    await this.releaseWebviewFocus();
    await this.page.keyboard.press(keys);
    const box = this.page.locator(QUICK_INPUT_BOX);
    await box.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    await box.fill(prefix + text);
  }

  /** The rows the open quick input shows now (only the rendered ones: narrow the query). */
  async quickPickRows(): Promise<QuickPickRow[]> {
    return this.page.locator(QUICK_INPUT_ROWS).evaluateAll((rows) =>
      rows.map((r) => ({
        label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
        ariaLabel: r.getAttribute('aria-label') ?? '',
      })),
    );
  }

  private async pickRow(match: (row: QuickPickRow) => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen: QuickPickRow[] = [];
    while (Date.now() < deadline) {
      seen = await this.quickPickRows();
      const index = seen.findIndex(match);
      if (index >= 0) {
        const typed = await this.page.locator(QUICK_INPUT_BOX).inputValue();
        await this.page.locator(QUICK_INPUT_ROWS).nth(index).click({ timeout: STEP_TIMEOUT_MS });
        await this.waitQuickInputMovedOn(typed);
        return;
      }
      await sleep(150);
    }
    throw new Error(`quick input has no row for ${what}; it shows: ${seen.map((r) => JSON.stringify(r.label)).join(', ') || 'nothing'}`);
  }

  /**
   * After picking: the quick input closed, or shows something else (a command may open its own
   * quick pick, e.g. "Preferences: Color Theme").
   */
  private async waitQuickInputMovedOn(typed: string): Promise<void> {
    await withTimeout('the quick input to accept the pick', STEP_TIMEOUT_MS, (async () => {
      for (;;) {
        const visible = await this.page.locator(QUICK_INPUT).isVisible();
        if (!visible) return;
        const value = await this.page.locator(QUICK_INPUT_BOX).inputValue().catch(() => '');
        if (value !== typed) return;
        await sleep(100);
      }
    })());
  }

  /**
   * Picks a row of a quick pick that a command opened (e.g. after runCommand('Preferences: Color
   * Theme')), by its label, optionally typing `filter` first.
   */
  async pickQuickItem(label: string, opts: { filter?: string; timeoutMs?: number } = {}): Promise<void> {
    const box = this.page.locator(QUICK_INPUT_BOX);
    await box.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    if (opts.filter !== undefined) await box.fill(opts.filter);
    await this.pickRow((r) => r.label === label, `"${label}"`, opts.timeoutMs ?? STEP_TIMEOUT_MS);
  }

  /** Closes whatever quick input or menu is open. */
  async dismiss(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
  }

  /** Runs a command from the command palette (F1) by its full title, e.g. "View: Toggle Zen Mode". */
  async runCommand(title: string, opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.openQuickInput('F1', '>', title);
    await this.pickRow((r) => r.label === title, `command "${title}"`, opts.timeoutMs ?? STEP_TIMEOUT_MS);
  }

  /**
   * The command palette's titles that contain `query` (e.g. "Attention Inspector"). It waits up to
   * `settleMs` for the list to stop changing, then closes the palette.
   */
  async paletteCommands(query: string, opts: { settleMs?: number } = {}): Promise<string[]> {
    await this.openQuickInput('F1', '>', query);
    const settleMs = opts.settleMs ?? 1500;
    let last = '';
    let stableSince = Date.now();
    let labels: string[] = [];
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      labels = (await this.quickPickRows()).map((r) => r.label).filter((l) => l.length > 0);
      const key = labels.join('\n');
      if (key !== last) {
        last = key;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= settleMs) break;
      await sleep(100);
    }
    await this.dismiss();
    return labels;
  }

  // ---- editors ------------------------------------------------------------------------------

  /** Opens a workspace file by its path relative to the folder, through quick open (Ctrl+P). */
  async openFile(relativePath: string, opts: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? STEP_TIMEOUT_MS;
    const base = relativePath.split('/').pop()!;
    const dir = relativePath.includes('/') ? relativePath.slice(0, relativePath.lastIndexOf('/')) : '';
    await this.openQuickInput('Control+P', '', relativePath);
    // File search answers only once the remote search provider is up: wait for the row, not a delay.
    await this.pickRow(
      (r) => r.label === base && (dir === '' || r.ariaLabel.includes(dir)),
      `file "${relativePath}"`,
      timeoutMs,
    );
    await this.page
      .locator(`.tabs-container .tab.active[aria-label^="${cssString(base)}"]`)
      .waitFor({ state: 'visible', timeout: timeoutMs });
    await this.activeEditor().locator('.view-lines').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.focusEditor();
  }

  /** The active editor's root element. */
  activeEditor(): Locator {
    return this.page.locator(ACTIVE_EDITOR).first();
  }

  /** Puts keyboard focus in the active editor (without moving its cursor). */
  async focusEditor(): Promise<void> {
    await this.activeEditor().locator('textarea').first().focus();
  }

  /** Moves the cursor to a 1-based line and column with "Go to Line" (Ctrl+G). */
  async goTo(line: number, column = 1): Promise<void> {
    await this.focusEditor();
    await this.openQuickInput('Control+G', ':', `${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
  }

  /**
   * Selects the first occurrence of `text` (one line, plain text) at or after the cursor, with
   * the find widget: type it, then Escape, which leaves the match selected.
   */
  async selectText(text: string, opts: { fromTop?: boolean } = {}): Promise<void> {
    if (text.includes('\n')) throw new Error('selectText takes one line; use selectLines for more');
    if (opts.fromTop ?? true) await this.goTo(1, 1);
    await this.focusEditor();
    await this.page.keyboard.press('Control+F');
    const find = this.activeEditor().locator('.find-widget .find-part .input').first();
    await find.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    await find.fill(text);
    await this.page
      .locator('.find-widget .matchesCount')
      .filter({ hasNotText: /No results/ })
      .first()
      .waitFor({ timeout: STEP_TIMEOUT_MS })
      .catch(() => {
        throw new Error(`"${text}" is not in the active editor`);
      });
    await this.page.keyboard.press('Escape');
    await this.waitForSelectionLength(text.length);
  }

  /** Selects whole lines `from`..`to` (1-based, inclusive), up to the end of line `to`. */
  async selectLines(from: number, to: number): Promise<void> {
    await this.goTo(from, 1);
    for (let i = from; i < to; i++) await this.page.keyboard.press('Shift+ArrowDown');
    await this.page.keyboard.press('Shift+End');
  }

  /** Selects the whole document. */
  async selectAll(): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+A');
  }

  /** The status bar's selection read-out, e.g. "Ln 3, Col 10 (24 selected)". */
  async selectionStatus(): Promise<string> {
    const item = this.page.locator('#status\\.editor\\.selection');
    await item.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    return (await item.innerText()).trim();
  }

  /** Waits until the status bar reports `length` selected characters. */
  async waitForSelectionLength(length: number): Promise<void> {
    const want = `(${length} selected)`;
    await withTimeout(`selection of ${length} characters`, STEP_TIMEOUT_MS, (async () => {
      while (!(await this.selectionStatus()).includes(want)) await sleep(100);
    })());
  }

  // ---- menus --------------------------------------------------------------------------------

  /**
   * Right-clicks the active editor (on the selection when there is one, else on the cursor's
   * line) and clicks the context-menu item labelled `label`. Keeps the selection. Resolves to the
   * time (Date.now()) just before the item was clicked.
   */
  async runEditorContextMenu(label: string): Promise<number> {
    const editor = this.activeEditor();
    // The selection overlay is painted on the next frame after Ctrl+A: give it a moment.
    let box: { x: number; y: number; width: number; height: number } | null = null;
    for (let tries = 0; tries < 50 && !box; tries++) {
      const selected = editor.locator('.selected-text').first();
      const target = (await selected.count()) > 0 ? selected : editor.locator('.view-overlays .current-line').first();
      box = (await target.count()) > 0 ? await target.boundingBox() : null;
      if (!box) await sleep(100);
    }
    if (!box) throw new Error('the active editor shows neither a selection nor a cursor line');
    // Click inside the selection (VS Code keeps a selection when right-clicked inside it).
    await this.page.mouse.click(box.x + Math.min(box.width / 2, 20), box.y + box.height / 2, { button: 'right' });
    return this.clickMenuItem(label);
  }

  /** Right-clicks an explorer entry (a file or folder name) and clicks the menu item `label`. */
  async runExplorerContextMenu(name: string, label: string): Promise<void> {
    const row = this.page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${cssString(name)}"]`).first();
    await row.click({ button: 'right', timeout: STEP_TIMEOUT_MS });
    await this.clickMenuItem(label);
  }

  /** Clicks an item of the open context menu (it lives in a shadow root; Playwright pierces it). */
  async clickMenuItem(label: string): Promise<number> {
    const menu = this.page.locator('.context-view .monaco-menu');
    await menu.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    const item = menu.locator('.action-item .action-label').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) });
    if ((await item.count()) === 0) {
      const labels = await menu.locator('.action-item .action-label').allInnerTexts();
      await this.dismiss();
      throw new Error(`the context menu has no "${label}"; it has: ${labels.filter(Boolean).join(' | ')}`);
    }
    // A click that lands while the menu is still settling (slow machines, a busy extension host)
    // can be swallowed by the menu's own mouse-up guard and leave it open. When that happens,
    // focus the item and press Enter, which the menu handles without timing guards.
    let clickedAt = 0;
    for (let attempt = 0; ; attempt++) {
      if (attempt === 0) {
        // Point at the item first, as a user does: the menu tracks the item under the pointer from
        // mouse-over, and a press on an item it has not seen the pointer enter can be ignored
        // (observed when the menu reopens at the spot of the last click). Then the click is timed.
        await item.first().hover({ timeout: STEP_TIMEOUT_MS });
        const focused = menu.locator('.action-item.focused .action-label').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) });
        await focused.first().waitFor({ timeout: 1_000 }).catch(() => undefined);
        clickedAt = Date.now();
        await item.first().click({ timeout: STEP_TIMEOUT_MS });
      }
      else {
        await item.first().hover({ timeout: STEP_TIMEOUT_MS });
        await item.first().focus();
        await this.page.keyboard.press('Enter');
      }
      try {
        await menu.first().waitFor({ state: 'hidden', timeout: attempt < 3 ? 3_000 : STEP_TIMEOUT_MS });
        return clickedAt;
      } catch (err) {
        if (attempt >= 3) throw err;
        console.warn(`      (context menu still open ${attempt + 1} × after choosing "${label}"; pressing Enter on it)`);
        if ((await item.count()) === 0) return clickedAt; // the menu changed under us: it was handled
      }
    }
  }

  // ---- panels, notifications, status bar ----------------------------------------------------

  /** The content frame of the webview panel titled `title` (see webview.ts). */
  webview(title: string, opts: { timeoutMs?: number } = {}): Promise<Frame> {
    return findWebview(this.page, title, opts);
  }

  /** Titles of the open editor tabs (webview panels included), active group first. */
  async tabTitles(): Promise<string[]> {
    return this.page.locator('.tabs-container .tab .label-name').allInnerTexts();
  }

  /** Closes every editor and panel tab ("View: Close All Editors"); unsaved files would prompt. */
  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
    await this.page.locator('.tabs-container .tab').first().waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
  }

  /** Texts of the notification toasts showing now. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  }

  /** Waits for a notification toast whose text matches. */
  async waitForNotification(match: RegExp, opts: { timeoutMs?: number } = {}): Promise<string> {
    const toast = this.page.locator('.notifications-toasts .notification-list-item-message', { hasText: match }).first();
    await toast.waitFor({ state: 'visible', timeout: opts.timeoutMs ?? STEP_TIMEOUT_MS });
    return toast.innerText();
  }

  /** Texts of the status bar items (e.g. the model / execution provider item). */
  async statusBarItems(): Promise<string[]> {
    const texts = await this.page.locator('.part.statusbar .statusbar-item').allInnerTexts();
    return texts.map((t) => t.trim()).filter(Boolean);
  }

  /** The workbench's theme kind from its CSS class: 'dark' | 'light' | 'hc-black' | 'hc-light'. */
  async themeKind(): Promise<string> {
    const cls = (await this.page.locator('.monaco-workbench').first().getAttribute('class')) ?? '';
    if (/\bhc-light\b/.test(cls)) return 'hc-light';
    if (/\bhc-black\b/.test(cls)) return 'hc-black';
    if (/\bvs-dark\b/.test(cls)) return 'dark';
    return 'light';
  }
}

function cssString(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
