// "Probe attention" above every function and module the probe can run (Python, TS, JS).
import * as vscode from 'vscode';
import { discoverProbeTargets } from '../../lint/probe';
import { PROBE_COMMAND } from './probe-controller';

/** Files above this size get no lenses: discovery parses the whole file on every request. */
const MAX_CHARS = 1_000_000;

export class ProbeCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.getConfiguration('attentionInspector.probe', document.uri).get<boolean>('codeLens', true)) return [];
    if (document.uri.scheme !== 'file' || document.getText().length > MAX_CHARS) return [];
    const targets = await discoverProbeTargets(document.getText(), document.languageId);
    if (token.isCancellationRequested) return [];
    const trusted = vscode.workspace.isTrusted;
    return targets.map((t) => {
      const line = new vscode.Range(t.range.line, 0, t.range.line, 0);
      return new vscode.CodeLens(line, {
        title: trusted ? '$(beaker) Probe attention' : '$(shield) Probe attention (needs a trusted workspace)',
        tooltip: trusted
          ? `Run ${t.name} on generated non-square tensors and check causality, softmax axis, scale and NaN rows against the reference engine`
          : 'The probe runs your code: trust this workspace to use it',
        command: PROBE_COMMAND,
        arguments: [document.uri, t.name],
      });
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
