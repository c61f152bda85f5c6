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
import { LayerAnalysisWorker } from './panel-model/layer-analysis-worker';

export function activate(context: vscode.ExtensionContext): void {
  const engines = new EngineService(context.extensionUri.fsPath);
  // Head-pattern analysis runs in a worker thread: at thousands of tokens one layer takes
  // seconds, which must not block the extension host.
  const analysis = new LayerAnalysisWorker({ script: vscode.Uri.joinPath(context.extensionUri, 'dist', 'analysis-worker.js').fsPath });
  context.subscriptions.push(engines, log(), { dispose: () => analysis.dispose() });
  let warned = false;
  registerInspectCommands(context, {
    engine: () => engines.engine(),
    analyze: async (attention, tokens, causal) => {
      const result = await analysis.analyze(attention, tokens, causal);
      if (analysis.fallbackReason && !warned) {
        warned = true;
        log().warn(`head-pattern analysis runs on the extension host thread: ${analysis.fallbackReason}`);
      }
      // The walkthrough's "find a previous-token and an induction head" step completes on real runs.
      markPatternsSeen(result.patterns.map((p) => p.label));
      return result;
    },
    bundledModelDir: bundledModelDir(context.extensionUri.fsPath),
  });
  registerLintFeatures(context);
  registerProbe(context);
  context.subscriptions.push(registerTutorials(context, { engine: () => engines.engine() }));
}

export function deactivate(): void {}
