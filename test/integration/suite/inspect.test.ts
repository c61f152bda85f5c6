// The Inspect Attention command through the real `vscode` API, inside the extension host:
// `attentionInspector.inspectText` opens the attention panel (a webview tab titled
// "Attention Inspector") and runs the bundled model in the engine process; pointed at an empty
// model folder, the same command reports one clear error (which file is missing and how to get
// it) and resolves instead of throwing.
//
// Error messages are observed by wrapping `vscode.window.showErrorMessage` (and the warning
// variant) while a test runs: the wrapper records the text and calls the real function, so the
// notification is still shown. The extension and this suite share one `vscode` API object
// because the suite is bundled inside the extension's folder (.cache/integration-suite).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from './wait-for';

const EXTENSION_ID = 'attention-inspector.attention-inspector';
const PANEL_TITLE = 'Attention Inspector';
const SAMPLE = 'def area(r):\n    return 3.14 * r * r  # The quick brown fox jumps over the lazy dog.';

type Shown = (message: string, ...rest: unknown[]) => Thenable<unknown>;

/** Records the messages of showErrorMessage / showWarningMessage, calling the real functions. */
function recordMessages(): { errors: string[]; warnings: string[]; restore: () => void } {
  const window = vscode.window as unknown as Record<'showErrorMessage' | 'showWarningMessage', Shown>;
  const original = { error: window.showErrorMessage, warning: window.showWarningMessage };
  const errors: string[] = [];
  const warnings: string[] = [];
  window.showErrorMessage = (message, ...rest) => {
    errors.push(message);
    return original.error.call(vscode.window, message, ...rest);
  };
  window.showWarningMessage = (message, ...rest) => {
    warnings.push(message);
    return original.warning.call(vscode.window, message, ...rest);
  };
  return {
    errors,
    warnings,
    restore: () => {
      window.showErrorMessage = original.error;
      window.showWarningMessage = original.warning;
    },
  };
}

function panelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label === PANEL_TITLE);
}

describe('inspect command', function () {
  this.timeout(180_000);
  const settings = () => vscode.workspace.getConfiguration('attentionInspector');
  let savedModelPath: string | undefined;

  before(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    await extension.activate();
    savedModelPath = settings().inspect<string>('modelPath')?.globalValue;
  });

  afterEach(async () => {
    // Leave the settings and the editor area as they were.
    await settings().update('modelPath', savedModelPath, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('inspectText on a sample opens the Attention Inspector panel and runs the bundled model without an error', async () => {
    assert.equal(settings().get<string>('modelPath'), '', 'the bundled model is the default');
    const seen = recordMessages();
    try {
      // Resolves when the engine has finished the run (the command awaits it).
      await vscode.commands.executeCommand('attentionInspector.inspectText', SAMPLE, 'integration sample');
      const tab = await waitFor('the panel tab', () => panelTabs()[0]);
      assert.ok(tab.input instanceof vscode.TabInputWebview);
      assert.match(tab.input.viewType, /attentionInspector\.panel$/);
      assert.equal(panelTabs().length, 1, 'one panel');
      assert.deepEqual(seen.errors, [], 'no error was shown');
      assert.deepEqual(seen.warnings, [], 'no warning was shown');

      // A second run reuses the panel.
      await vscode.commands.executeCommand('attentionInspector.inspectText', 'x = 1\n', 'second sample');
      assert.equal(panelTabs().length, 1, 'still one panel');
      assert.deepEqual(seen.errors, []);
    } finally {
      seen.restore();
    }
  });

  it('an empty model folder gives one clear error naming model.onnx, and the command does not throw', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'attn-empty-model-'));
    const seen = recordMessages();
    try {
      await settings().update('modelPath', empty, vscode.ConfigurationTarget.Global);
      assert.equal(settings().get<string>('modelPath'), empty);
      await vscode.commands.executeCommand('attentionInspector.inspectText', SAMPLE, 'bad model folder');
      const error = await waitFor('the error message', () => seen.errors[0], 10_000);
      assert.equal(seen.errors.length, 1, `one error, not ${seen.errors.length}: ${seen.errors.join(' | ')}`);
      assert.ok(error.startsWith('Attention Inspector: '), error);
      assert.ok(error.includes(join(empty, 'model.onnx')), `names the missing file: ${error}`);
      assert.match(error, /missing/i);
      assert.match(error, /Fix: .*model\.onnx/, `says how to fix it: ${error}`);
      // The panel opened for the run and is still usable: the bundled model runs again once the setting is restored.
      await waitFor('the panel tab', () => panelTabs()[0]);
      await settings().update('modelPath', savedModelPath, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('attentionInspector.inspectText', SAMPLE, 'after the bad folder');
      assert.equal(seen.errors.length, 1, `no new error after restoring the setting: ${seen.errors.join(' | ')}`);
    } finally {
      seen.restore();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
