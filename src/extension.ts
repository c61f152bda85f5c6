// Extension entry point: wiring only. Each host module registers its own commands,
// providers and views; engine and linter code lives outside src/host and knows nothing of
// VS Code.
import * as vscode from 'vscode';
import { bundledModelDir } from './engine/model';
import { EngineService } from './host/engine-service';
import { registerInspectCommands } from './host/inspect-commands';
import { log } from './host/log';
import { analyzeStreamedLayer } from './panel-model/layer-analysis';

export function activate(context: vscode.ExtensionContext): void {
  const engines = new EngineService(context.extensionUri.fsPath);
  context.subscriptions.push(engines, log());
  registerInspectCommands(context, {
    engine: () => engines.engine(),
    analyze: analyzeStreamedLayer,
    bundledModelDir: bundledModelDir(context.extensionUri.fsPath),
  });
}

export function deactivate(): void {}
