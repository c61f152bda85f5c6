// The `attentionInspector.probe` command: runs the probe on one function, ONLY in a trusted
// workspace (it executes the user's code), with progress and cancel; puts failing checks on
// the function as diagnostics ('attention-probe') and shows the report in the panel.
import * as vscode from 'vscode';
import { discoverProbeTargets, probeLanguageOf, probeTarget, type ProbeResult, type ProbeTarget } from '../../lint/probe';
import { log } from '../log';
import { ProbePanel } from './probe-panel';
import { toDiagnostics } from './probe-diagnostics';
import { toReport } from './probe-report';
import { resolvePythonInterpreter } from './python-interpreter';

export const PROBE_COMMAND = 'attentionInspector.probe';

interface LastRun {
  runId: number;
  uri: vscode.Uri;
  functionName: string;
}

export class ProbeController implements vscode.Disposable {
  private runId = 0;
  private last: LastRun | undefined;
  private current: AbortController | undefined;
  /** uri → function → diagnostics (a file can hold several probed functions). */
  private readonly byFile = new Map<string, Map<string, vscode.Diagnostic[]>>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly diagnostics: vscode.DiagnosticCollection,
  ) {}

  /** Command entry point: (uri, function name) from the CodeLens, or nothing from the palette. */
  async probe(uriArg?: unknown, nameArg?: unknown): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      const manage = 'Manage Workspace Trust';
      const choice = await vscode.window.showWarningMessage(
        'The attention probe runs your code, so it only works in a trusted workspace. In Restricted Mode the static attention linter still checks your files.',
        manage,
      );
      if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    const uri = uriArg instanceof vscode.Uri ? uriArg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage('Open a Python, TypeScript or JavaScript file with an attention function to probe it.');
      return;
    }
    if (uri.scheme !== 'file') {
      void vscode.window.showWarningMessage('The probe imports the file from disk: save it to a folder first.');
      return;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    if (!probeLanguageOf(document.languageId) && !probeLanguageOf(uri.fsPath)) {
      void vscode.window.showWarningMessage(`The probe runs Python, TypeScript and JavaScript, not ${document.languageId}.`);
      return;
    }
    const targets = await discoverProbeTargets(document.getText(), probeLanguageOf(document.languageId) ? document.languageId : uri.fsPath);
    const target = await this.pickTarget(targets, typeof nameArg === 'string' ? nameArg : undefined, document);
    if (!target) return;
    // the probe imports the file from disk: run what the user sees
    if (document.isDirty && !(await document.save())) {
      void vscode.window.showWarningMessage('Save the file first: the probe imports it from disk.');
      return;
    }
    await this.run(document, target);
  }

  private async pickTarget(targets: ProbeTarget[], name: string | undefined, document: vscode.TextDocument): Promise<ProbeTarget | undefined> {
    if (name !== undefined) {
      const found = targets.find((t) => t.name === name || t.exportName === name);
      if (!found) void vscode.window.showWarningMessage(`No attention function or module named '${name}' in ${vscode.workspace.asRelativePath(document.uri)}.`);
      return found;
    }
    if (targets.length === 0) {
      void vscode.window.showInformationMessage('No attention function found here: the probe looks for functions taking (q, k, v…) or (x…), and modules with forward().');
      return undefined;
    }
    const editor = vscode.window.activeTextEditor;
    if (editor?.document === document) {
      const line = editor.selection.active.line;
      const around = targets.find((t) => t.range.line <= line && line <= t.range.endLine);
      if (around) return around;
    }
    if (targets.length === 1) return targets[0];
    const pick = await vscode.window.showQuickPick(
      targets.map((t) => ({ label: t.name, description: `${t.kind}, line ${t.range.line + 1}`, target: t })),
      { placeHolder: 'Which attention function should the probe run?' },
    );
    return pick?.target;
  }

  private async run(document: vscode.TextDocument, target: ProbeTarget): Promise<void> {
    this.current?.abort(); // one probe at a time: a new run replaces the old one
    const controller = new AbortController();
    this.current = controller;
    const runId = ++this.runId;
    const uri = document.uri;
    this.last = { runId, uri, functionName: target.name };
    const panel = ProbePanel.show(this.extensionUri, { rerun: (id) => this.rerun(id), reveal: (id) => this.reveal(id) });
    panel.running(runId, target.name);

    const config = vscode.workspace.getConfiguration('attentionInspector.probe', uri);
    const timeoutSeconds = Math.max(1, config.get<number>('timeoutSeconds', 30));
    const memoryLimitMB = Math.max(128, config.get<number>('memoryLimitMB', 2048));
    const python = target.language === 'python' ? await resolvePythonInterpreter(uri) : undefined;

    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Probing ${target.name}…`, cancellable: true },
      (_progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        return probeTarget(uri.fsPath, target, {
          pythonPath: python?.path,
          timeoutSeconds,
          memoryLimitMB,
          signal: controller.signal,
          harnessFolder: vscode.Uri.joinPath(this.extensionUri, 'media', 'probe').fsPath,
        });
      },
    );
    if (this.current === controller) this.current = undefined;
    if (this.last?.runId !== runId) return; // a newer run took over
    log().info(
      `probe ${target.name} (${uri.fsPath})${python ? ` with ${python.path} [${python.source}]` : ''}: ` +
        (result.error ? `${result.error.kind}: ${result.error.message}` : result.checks.map((c) => `${c.id}=${c.status}`).join(' ')) +
        ` in ${result.elapsedMs ?? '?'} ms`,
    );
    this.setDiagnostics(uri, target, result);
    panel.showReport(toReport(result, uri.fsPath, runId));
    if (result.error && result.error.kind !== 'cancelled') void this.explainFailure(result);
  }

  private setDiagnostics(uri: vscode.Uri, target: ProbeTarget, result: ProbeResult): void {
    const key = uri.toString();
    const perFunction = this.byFile.get(key) ?? new Map<string, vscode.Diagnostic[]>();
    perFunction.set(target.name, toDiagnostics(result, target));
    this.byFile.set(key, perFunction);
    this.diagnostics.set(uri, [...perFunction.values()].flat());
  }

  /** Edits move the function: old probe diagnostics would point at the wrong place. */
  forget(uri: vscode.Uri): void {
    if (this.byFile.delete(uri.toString())) this.diagnostics.delete(uri);
  }

  private async explainFailure(result: ProbeResult): Promise<void> {
    const error = result.error;
    if (!error) return;
    const actions: string[] = [];
    if (error.kind === 'no-interpreter' || error.kind === 'missing-library') {
      if (vscode.extensions.getExtension('ms-python.python')) actions.push('Select Interpreter');
      actions.push('Open Settings');
    } else if (error.kind === 'timeout' || error.kind === 'memory') {
      actions.push('Open Settings');
    }
    const choice = await vscode.window.showErrorMessage(`Probe ${result.function}: ${error.message}`, ...actions);
    if (choice === 'Select Interpreter') await vscode.commands.executeCommand('python.setInterpreter');
    if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'attentionInspector.probe');
  }

  private rerun(runId: number): void {
    const last = this.last;
    if (!last || last.runId !== runId) return;
    void this.probe(last.uri, last.functionName);
  }

  private async reveal(runId: number): Promise<void> {
    const last = this.last;
    if (!last || last.runId !== runId) return;
    const document = await vscode.workspace.openTextDocument(last.uri);
    const targets = await discoverProbeTargets(document.getText(), probeLanguageOf(document.languageId) ? document.languageId : last.uri.fsPath);
    const target = targets.find((t) => t.name === last.functionName);
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    if (target) {
      const r = target.nameRange;
      const range = new vscode.Range(r.line, r.column, r.endLine, r.endColumn);
      editor.selection = new vscode.Selection(range.start, range.end);
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  dispose(): void {
    this.current?.abort();
  }
}
