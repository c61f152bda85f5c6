// Problems-panel diagnostics as you type. Each open document gets a LintSession; content
// changes are queued and applied in one incremental re-parse after a short debounce, so only
// the edited top-level definition is re-analysed.
import * as vscode from 'vscode';
import { LintSession, isLintLanguage } from '../../lint/index';
import type { Finding, LintLanguage, OffsetChange } from '../../lint/index';
import { readLintSettings } from './lint-settings';

export const LINT_SOURCE = 'attention-lint';

interface Tracked {
  session: LintSession;
  version: number;
  pending: OffsetChange[];
  timer?: NodeJS.Timeout;
  findings: Finding[];
}

function toSeverity(s: Finding['severity']): vscode.DiagnosticSeverity {
  return s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

export function findingRange(f: { line: number; column: number; endLine: number; endColumn: number }): vscode.Range {
  return new vscode.Range(f.line, f.column, f.endLine, f.endColumn);
}

export class LintDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(LINT_SOURCE);
  private readonly docs = new Map<string, Tracked>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.open(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.change(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.close(d)),
    );
    for (const d of vscode.workspace.textDocuments) this.open(d);
  }

  /** Findings currently shown for a document (code actions and hovers read them). */
  findingsFor(uri: vscode.Uri): Finding[] {
    return this.docs.get(uri.toString())?.findings ?? [];
  }

  /** Re-lints every open document (settings changed). */
  refreshAll(): void {
    for (const d of vscode.workspace.textDocuments) {
      const t = this.docs.get(d.uri.toString());
      if (t) this.lintNow(d, t);
      else this.open(d);
    }
  }

  private language(d: vscode.TextDocument): LintLanguage | undefined {
    return isLintLanguage(d.languageId) ? d.languageId : undefined;
  }

  private open(d: vscode.TextDocument): void {
    const language = this.language(d);
    if (!language || this.docs.has(d.uri.toString())) return;
    if (!readLintSettings(d.uri).enabled) return;
    const t: Tracked = { session: new LintSession(d.getText(), language), version: d.version, pending: [], findings: [] };
    this.docs.set(d.uri.toString(), t);
    this.lintNow(d, t);
  }

  private change(e: vscode.TextDocumentChangeEvent): void {
    const t = this.docs.get(e.document.uri.toString());
    if (!t) {
      this.open(e.document);
      return;
    }
    if (e.contentChanges.length === 0) return;
    // VS Code reports the changes of one event in the order they apply.
    for (const c of e.contentChanges) t.pending.push({ start: c.rangeOffset, end: c.rangeOffset + c.rangeLength, text: c.text });
    t.version = e.document.version;
    if (t.timer) clearTimeout(t.timer);
    const settings = readLintSettings(e.document.uri);
    t.timer = setTimeout(() => this.lintNow(e.document, t), settings.debounceMs);
  }

  private lintNow(d: vscode.TextDocument, t: Tracked): void {
    if (t.timer) clearTimeout(t.timer);
    t.timer = undefined;
    const settings = readLintSettings(d.uri);
    if (!settings.enabled) {
      this.collection.delete(d.uri);
      t.findings = [];
      return;
    }
    try {
      if (t.pending.length) t.session.applyChanges(t.pending);
      t.pending = [];
      // Should the incremental text ever drift from the editor's, start over from the document.
      if (t.session.text.length !== d.getText().length) t.session.setText(d.getText());
      t.findings = t.session.lint(settings.config);
    } catch {
      t.pending = [];
      t.session.setText(d.getText());
      t.findings = t.session.lint(settings.config);
    }
    this.collection.set(d.uri, t.findings.map((f) => this.diagnostic(f)));
  }

  private diagnostic(f: Finding): vscode.Diagnostic {
    const d = new vscode.Diagnostic(findingRange(f), f.message, toSeverity(f.severity));
    d.source = LINT_SOURCE;
    d.code = { value: f.code, target: vscode.Uri.joinPath(this.extensionUri, ...f.docPath.split('/')) };
    return d;
  }

  private close(d: vscode.TextDocument): void {
    const key = d.uri.toString();
    const t = this.docs.get(key);
    if (!t) return;
    if (t.timer) clearTimeout(t.timer);
    t.session.dispose();
    this.docs.delete(key);
    this.collection.delete(d.uri);
  }

  dispose(): void {
    for (const t of this.docs.values()) {
      if (t.timer) clearTimeout(t.timer);
      t.session.dispose();
    }
    this.docs.clear();
    this.collection.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
