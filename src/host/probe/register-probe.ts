// Wiring of the probe into VS Code: the CodeLens, the command, the diagnostics collection.
import * as vscode from 'vscode';
import { ProbeCodeLensProvider } from './probe-codelens';
import { PROBE_COMMAND, ProbeController } from './probe-controller';

const LANGUAGES = ['python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'];

export function registerProbe(context: vscode.ExtensionContext): void {
  const diagnostics = vscode.languages.createDiagnosticCollection('attention-probe');
  const controller = new ProbeController(context.extensionUri, diagnostics);
  const lenses = new ProbeCodeLensProvider();
  context.subscriptions.push(
    diagnostics,
    controller,
    lenses,
    vscode.languages.registerCodeLensProvider(
      LANGUAGES.map((language) => ({ language, scheme: 'file' })),
      lenses,
    ),
    vscode.commands.registerCommand(PROBE_COMMAND, (uri?: unknown, name?: unknown) => controller.probe(uri, name)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => lenses.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('attentionInspector.probe')) lenses.refresh();
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0) controller.forget(e.document.uri);
    }),
    vscode.workspace.onDidCloseTextDocument((d) => controller.forget(d.uri)),
  );
}
