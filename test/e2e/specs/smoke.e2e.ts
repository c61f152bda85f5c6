// Smoke: a real VS Code loads the demo workspace, our extension is installed and activates, its
// commands are in the palette; and the harness itself can select text, use the context menu and
// read a webview's DOM (checked on VS Code's own Markdown preview, which is a webview too).
import assert from 'node:assert/strict';
import { defaultExtensionMode, EXTENSION_ID, extensionManifest, useVsCodeSession } from '../harness';

/** Commands the palette should list: contributed ones not hidden by a `commandPalette` when-clause. */
function paletteTitles(): string[] {
  const manifest = extensionManifest() as ReturnType<typeof extensionManifest> & {
    contributes?: { menus?: { commandPalette?: Array<{ command: string; when?: string }> } };
  };
  const hidden = new Set((manifest.contributes?.menus?.commandPalette ?? []).filter((m) => m.when !== undefined).map((m) => m.command));
  const commands = manifest.contributes?.commands ?? [];
  return commands.filter((c) => !hidden.has(c.command)).map((c) => (c.category ? `${c.category}: ${c.title}` : c.title));
}

describe('smoke: VS Code with the extension', function () {
  const vscode = useVsCodeSession();

  it('loads the workbench on the demo workspace', async () => {
    const rows = await vscode().page.locator('.explorer-folders-view .monaco-list-row').allInnerTexts();
    for (const f of ['buggy_attention.py', 'notes.md', 'word_counts.py']) {
      assert.ok(rows.some((r) => r.trim() === f), `explorer lists ${f}; it shows ${rows.join(', ')}`);
    }
  });

  it('has the packaged extension installed (Extensions view)', async function () {
    if (defaultExtensionMode() !== 'packaged') this.skip(); // development mode installs nothing
    const { workbench, page } = vscode();
    await workbench.runCommand('Extensions: Show Enabled Extensions');
    const displayName = extensionManifest().displayName ?? EXTENSION_ID;
    const row = page.locator('.extensions-viewlet .monaco-list-row', { has: page.locator('.name', { hasText: displayName }) });
    await row.first().waitFor({ timeout: 30_000 });
    assert.match((await row.first().getAttribute('aria-label')) ?? '', new RegExp(`${extensionManifest().version}`));
  });

  it('activates on the demo workspace', async function () {
    const manifest = extensionManifest() as ReturnType<typeof extensionManifest> & { activationEvents?: string[] };
    const events = manifest.activationEvents ?? [];
    if (events.length === 0 && (manifest.contributes?.commands ?? []).length === 0) {
      this.skip(); // nothing in package.json can activate it yet
    }
    const { workbench } = vscode();
    // Opening Python activates a linter registered onLanguage:python; a contributed command
    // activates the extension implicitly (onCommand), so run the headline one if opening did not.
    await workbench.openFile('buggy_attention.py');
    if (!(await waitUntil(() => vscode().isActivated(), 15_000))) {
      const titles = paletteTitles();
      assert.ok(titles.length > 0, `no activation event fired (${events.join(', ')}) and no command to run`);
      await workbench.openFile('notes.md');
      await workbench.selectText('the river ran fast');
      await workbench.runCommand(titles[0]!);
    }
    const line = await vscode().waitForActivation(EXTENSION_ID, 60_000);
    assert.match(line, new RegExp(EXTENSION_ID.replace(/\./g, '\\.')));
    assert.doesNotMatch(vscode().server.extensionHostLog(), new RegExp(`Activating extension '?${EXTENSION_ID.replace(/\./g, '\\.')}'? failed`, 'i'));
  });

  it('lists the extension commands in the command palette', async () => {
    const expected = paletteTitles();
    const listed = await vscode().workbench.paletteCommands('Attention Inspector');
    const ours = listed.filter((l) => l.startsWith('Attention Inspector'));
    assert.deepEqual([...ours].sort(), [...expected].sort(), `palette shows ${JSON.stringify(listed)}`);
  });

  it('selects text, opens a context menu and reads a webview (harness self-check on the Markdown preview)', async () => {
    const { workbench } = vscode();
    await workbench.openFile('notes.md');
    await workbench.selectText('red umbrella');
    assert.match(await workbench.selectionStatus(), /\(12 selected\)/);
    await workbench.runEditorContextMenu('Command Palette...');
    await vscode().page.locator('.quick-input-widget input.input').waitFor({ state: 'visible' });
    await workbench.dismiss();
    assert.match(await workbench.selectionStatus(), /\(12 selected\)/, 'the right-click kept the selection');
    await workbench.runCommand('Markdown: Open Preview to the Side');
    const preview = await workbench.webview('Preview notes.md', { timeoutMs: 60_000 });
    assert.equal((await preview.locator('h1').innerText()).trim(), 'A walk along the river');
    // What a webview prints reaches the failure report.
    await preview.evaluate(() => console.log('webview-console-probe'));
    await waitUntilAsync(async () => vscode().browser.console.lines.some((l) => l.includes('webview-console-probe')), 10_000);
    assert.match((await preview.locator('body').getAttribute('class')) ?? '', /\bvscode-dark\b/);
    await vscode().screenshot('smoke-markdown-preview-dark');
    await vscode().setTheme('light');
    assert.match((await preview.locator('body').getAttribute('class')) ?? '', /\bvscode-light\b/);
    await vscode().screenshot('smoke-markdown-preview-light');
    await vscode().setTheme('dark');
  });
});

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return check();
}

async function waitUntilAsync(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
