/**
 * End-to-end harness: the extension in a real VS Code (code-server 4.99.4 = VS Code 1.99 for the
 * web, real Node extension host), driven through Debian's Chromium with playwright-core.
 *
 * Run everything:   npm run test:e2e          (installs code-server, packages the .vsix, runs
 *                                             test/e2e/specs/*.e2e.ts, then the integration suites)
 * Only some specs:  npm run test:e2e -- --grep "panel"     or   -- test/e2e/specs/panel.e2e.ts
 * Faster loop:      ATTN_E2E_EXTENSION=development npm run test:e2e -- --no-package --no-integration
 *                   (loads the repository's dist/ as extensionDevelopmentPath; run `npm run build`)
 * See the browser:  ATTN_E2E_HEADED=1 (needs a display)
 * Artifacts:        test-results/ (screenshots; on failure a folder per test with the screen,
 *                   browser + webview console, code-server output and the VS Code server logs)
 *
 * Writing a spec (test/e2e/specs/<name>.e2e.ts):
 *
 *   import assert from 'node:assert/strict';
 *   import { useVsCodeSession } from '../harness';
 *
 *   describe('inspect attention', function () {
 *     const vscode = useVsCodeSession({ theme: 'dark' });        // one VS Code for this describe
 *
 *     it('shows the panel', async () => {
 *       const { workbench } = vscode();
 *       await workbench.openFile('notes.md');                    // demo workspace copy
 *       await workbench.selectText('the river ran fast');        // find widget → selection
 *       await workbench.runEditorContextMenu('Inspect Attention');
 *       const panel = await workbench.webview('Attention Inspector', { timeoutMs: 60_000 });
 *       await panel.locator('.token').first().waitFor();         // a Playwright Frame: query the DOM
 *       await vscode().screenshot('panel-dark');                 // → test-results/panel-dark.png
 *       await vscode().setTheme('light');                        // live switch, no restart
 *     });
 *   });
 *
 * API
 *   useVsCodeSession(opts) → () => VsCodeSession       mocha before/after + artifacts on failure
 *   VsCodeSession.start(opts) / .close()               the same without mocha
 *     opts: workspaceFrom (folder to copy | null), files {rel: text}, theme, settings {…},
 *           trustWorkspace, extension ('packaged' | 'development' | 'none'), payload, viewport
 *     .workbench  Workbench (below)       .page  Playwright Page       .server  CodeServer
 *     .workspace  { path, file(rel) }     .waitForActivation(id?)       .isActivated(id?)
 *     .setTheme('light'|'dark'|'high-contrast'|…)   .screenshot(name)   .saveArtifacts(dir)
 *   Workbench
 *     waitReady()  openFile(rel)  goTo(line, col)  selectText(text)  selectLines(a, b)  selectAll()
 *     selectionStatus() → "Ln 3, Col 45 (18 selected)"      waitForSelectionLength(n)
 *     runCommand(title)            command palette (F1), exact title "Category: Title"
 *     paletteCommands(query)       titles the palette lists for a query
 *     runEditorContextMenu(label)  right-click the selection → menu item
 *     runExplorerContextMenu(name, label)                   clickMenuItem(label)
 *     webview(title, {timeoutMs})  → Playwright Frame of the panel's content (inner iframe)
 *     pickQuickItem(label)         pick in a quick pick a command opened      closeAllEditors()
 *     tabTitles()  notifications()  waitForNotification(re)  statusBarItems()  themeKind()  press(keys)
 *     activeEditor() (Locator)  focusEditor()  releaseWebviewFocus()  dismiss()
 *   findWebview(page, title) / listWebviews(page)          webview frames by panel title
 *   CodeServer.start(opts)  .url  .workbenchUrl({folder, payload})  .remoteUri(path)
 *     .extensionHostLog()  .logFiles()  .output()  .stop()            installVsix(vsix, dir)
 *   makeWorkspace({from, files})  launchBrowser()  withTimeout(what, ms, promise)
 *   EXTENSION_ID, contributedCommandTitles()            from package.json
 */
export { useVsCodeSession, VsCodeSession, type SessionOptions } from './session';
export { Workbench, STEP_TIMEOUT_MS, type QuickPickRow } from './workbench';
export { findWebview, listWebviews } from './webview';
export { CodeServer, installVsix, type CodeServerOptions, type LogFile } from './code-server';
export { launchBrowser, CHROMIUM_ARGS, type LaunchedBrowser } from './browser';
export { makeWorkspace, type Workspace } from './workspace';
export { EXTENSION_ID, contributedCommandTitles, defaultExtensionMode, extensionManifest, type ExtensionMode } from './extension-under-test';
export { repoRoot, resultsDir, resultPath, demoWorkspace, slug } from './paths';
export { withTimeout, sleep, freePort } from './processes';
