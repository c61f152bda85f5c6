// A probe result as diagnostics on the probed function ('attention-probe' collection).
import * as vscode from 'vscode';
import type { ProbeResult, ProbeTarget } from '../../lint/probe';

function rangeOf(target: ProbeTarget): vscode.Range {
  const r = target.nameRange;
  return new vscode.Range(r.line, r.column, r.endLine, r.endColumn);
}

/**
 * One diagnostic per failing check, on the function's name. A failed probe is a proof (the
 * function was run and misbehaved), so it is an error. Problems with the environment (no
 * interpreter, missing library, timeout) are not the code's fault and are shown as messages
 * instead; an import error is the file's, so it becomes a diagnostic too.
 */
export function toDiagnostics(result: ProbeResult, target: ProbeTarget): vscode.Diagnostic[] {
  const range = rangeOf(target);
  const out: vscode.Diagnostic[] = [];
  if (result.error) {
    if (result.error.kind === 'import-error' || result.error.kind === 'cannot-construct') {
      const d = new vscode.Diagnostic(range, `Probe: ${result.error.message}`, vscode.DiagnosticSeverity.Warning);
      d.source = 'attention-probe';
      d.code = result.error.kind;
      out.push(d);
    }
    return out;
  }
  for (const check of result.checks) {
    if (check.status !== 'fail') continue;
    const d = new vscode.Diagnostic(range, `Probe (${result.function}): ${check.message}`, vscode.DiagnosticSeverity.Error);
    d.source = 'attention-probe';
    d.code = check.id;
    out.push(d);
  }
  return out;
}
