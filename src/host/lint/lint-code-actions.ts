// Quick fixes for attention-lint findings (the rule's certain fix, when it has one) and a
// "disable this rule for this line" action that inserts a suppression comment above the line.
import * as vscode from 'vscode';
import type { Finding } from '../../lint/index';
import { LINT_SOURCE, LintDiagnostics, findingRange } from './lint-diagnostics';
import { LINT_FIX_APPLIED_COMMAND } from '../tutorials/tutorial-ids';

function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (typeof c === 'object' && c !== null) return String(c.value);
  return c === undefined ? undefined : String(c);
}

export class LintCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: LintDiagnostics) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const findings = this.diagnostics.findingsFor(document.uri);
    const actions: vscode.CodeAction[] = [];
    for (const diag of context.diagnostics) {
      if (diag.source !== LINT_SOURCE) continue;
      const code = codeOf(diag);
      const f = findings.find((x) => x.code === code && findingRange(x).isEqual(diag.range));
      if (!f) continue;
      if (f.fix) {
        const a = new vscode.CodeAction(`${f.fix.title} (${f.code})`, vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        for (const e of f.fix.edits) edit.replace(document.uri, findingRange(e.range), e.newText);
        a.edit = edit;
        a.diagnostics = [diag];
        a.isPreferred = true;
        // Applying a fix completes the walkthrough's "lint a buggy file and apply the fix" step.
        a.command = { command: LINT_FIX_APPLIED_COMMAND, title: '' };
        actions.push(a);
      }
      actions.push(this.disableAction(document, f, diag));
    }
    return actions;
  }

  private disableAction(document: vscode.TextDocument, f: Finding, diag: vscode.Diagnostic): vscode.CodeAction {
    const line = document.lineAt(f.line);
    const indent = line.text.slice(0, line.firstNonWhitespaceCharacterIndex);
    const comment = document.languageId === 'python' ? '#' : '//';
    const a = new vscode.CodeAction(`Disable ${f.code} for this line`, vscode.CodeActionKind.QuickFix);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(f.line, 0), `${indent}${comment} attn-lint: disable-next-line=${f.code}\n`);
    a.edit = edit;
    a.diagnostics = [diag];
    return a;
  }
}
