// Extension entry point: wiring only. Each host module registers its own commands,
// providers and views; engine and linter code lives outside src/host and knows nothing of
// VS Code.
import * as vscode from 'vscode';
import { bundledModelDir } from './engine/model';
import { EngineService } from './host/engine-service';
import { registerInspectCommands } from './host/inspect-commands';
import { registerLintFeatures } from './host/lint/register-lint';
import { log } from './host/log';
import { registerProbe } from './host/probe/register-probe';
import { markPatternsSeen, registerTutorials } from './host/tutorials/register-tutorials';

export function activate(context: vscode.ExtensionContext): void {
  const engines = new EngineService(context.extensionUri.fsPath);
  context.subscriptions.push(engines, log());
  registerInspectCommands(context, {
    engine: () => engines.engine(),
    // The walkthrough's "find a previous-token and an induction head" step completes on real runs.
    onPatterns: markPatternsSeen,
    bundledModelDir: bundledModelDir(context.extensionUri.fsPath),
  });
  registerLintFeatures(context);
  registerProbe(context);
  context.subscriptions.push(registerTutorials(context, { engine: () => engines.engine() }));
}

export function deactivate(): void {}
