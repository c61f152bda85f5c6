// The Inspect Attention commands (editor selection / current line, explorer file), the
// model picker command and the status bar, wired to the one reusable panel.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AttentionEngine } from '../engine/engine-api';
import { PANEL_VIEW_TYPE } from '../protocol/panel-messages';
import { readConfig } from './config';
import { textFromEditor, textFromFile, type InspectionText } from './inspect-source';
import { log } from './log';
import { pickModelFolder } from './model-picker';
import { AttentionPanel, type PanelDeps } from './panel/attention-panel';
import { InspectorStatusBar } from './status-bar';

/** Inputs longer than this get a cancellable progress notification. */
const NOTIFY_ABOVE_CHARS = 4000;
const RECENT_MODELS_KEY = 'attentionInspector.recentModels';
const LAST_INSPECTION_KEY = 'attentionInspector.lastInspection';

export interface InspectDeps {
  engine: () => AttentionEngine;
  onPatterns?: (labels: string[]) => void;
  bundledModelDir: string;
}

export function registerInspectCommands(context: vscode.ExtensionContext, deps: InspectDeps): void {
  const modelDir = () => readConfig().modelPath || deps.bundledModelDir;
  const status = new InspectorStatusBar(modelDir());
  const panelDeps: PanelDeps = {
    extensionUri: context.extensionUri,
    engine: deps.engine,
    onPatterns: deps.onPatterns,
    onRunStarted: (model, provider) => status.showModel(model, provider),
  };

  const inspect = async (input: InspectionText): Promise<void> => {
    const config = readConfig();
    const panel = AttentionPanel.createOrShow(panelDeps);
    const request = {
      text: input.text,
      modelDir: modelDir(),
      backend: config.backend,
      executionProvider: config.executionProvider,
      maxTokens: config.maxTokens,
    };
    // Remember the text (not the weights) so a panel restored after a reload can re-run it.
    if (input.text.length <= 200_000) {
      void context.workspaceState.update(LAST_INSPECTION_KEY, { text: input.text, label: input.label });
    }
    const location = input.text.length > NOTIFY_ABOVE_CHARS ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
    await vscode.window.withProgress(
      { location, title: `Inspecting attention in ${input.label}`, cancellable: true },
      (_progress, token) => panel.run({ request, source: input.source, sourceLabel: input.label }, token),
    );
  };

  const fail = (message: string) => void vscode.window.showWarningMessage(`Attention Inspector: ${message}`);

  context.subscriptions.push(
    status,
    vscode.commands.registerCommand('attentionInspector.inspect', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return fail('Open a file and select some text to inspect.');
      const input = textFromEditor(editor);
      if (typeof input === 'string') return fail(input);
      await inspect(input);
    }),
    vscode.commands.registerCommand('attentionInspector.inspectFile', async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target) return fail('Choose a text file in the explorer.');
      const input = await textFromFile(target);
      if (typeof input === 'string') return fail(input);
      await inspect(input);
    }),
    vscode.commands.registerCommand('attentionInspector.inspectText', async (text: unknown, label?: unknown) => {
      // Used by lessons and tests: inspect a given string.
      if (typeof text !== 'string' || text.trim() === '') return fail('Nothing to inspect.');
      await inspect({ text, label: typeof label === 'string' ? label : 'text' });
    }),
    vscode.commands.registerCommand('attentionInspector.selectModel', async () => {
      const recent = context.globalState.get<string[]>(RECENT_MODELS_KEY, []);
      const dir = await pickModelFolder(deps.bundledModelDir, recent);
      if (dir === undefined) return;
      const target = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await vscode.workspace.getConfiguration('attentionInspector').update('modelPath', dir, target);
      if (dir) await context.globalState.update(RECENT_MODELS_KEY, [dir, ...recent.filter((d) => d !== dir)].slice(0, 5));
      status.showModel(path.basename(dir || deps.bundledModelDir), undefined);
      log().info(`model folder: ${dir || deps.bundledModelDir}`);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('attentionInspector.modelPath')) status.showModel(path.basename(modelDir()), undefined);
    }),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel) {
        const panel = AttentionPanel.revive(webviewPanel, panelDeps);
        const last = context.workspaceState.get<{ text: string; label: string }>(LAST_INSPECTION_KEY);
        if (last && typeof last.text === 'string' && last.text.trim()) {
          const config = readConfig();
          void panel.run({
            request: { text: last.text, modelDir: modelDir(), backend: config.backend, executionProvider: config.executionProvider, maxTokens: config.maxTokens },
            sourceLabel: String(last.label ?? 'text'),
          });
        }
      },
    }),
  );
}
