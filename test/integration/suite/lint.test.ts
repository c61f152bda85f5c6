// The attention linter through the real `vscode` API, inside the extension host: a Python
// document with a wrong softmax axis gets an ATTN003 diagnostic in the Problems panel, the hover
// explains the rule and links its lesson, the quick fix is offered as a code action and applying
// it clears the diagnostic, typing a new bug brings a new diagnostic (debounced re-lint), and a
// suppression comment silences a finding.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from './wait-for';

const SOURCE = 'attention-lint';

const BUGGY = [
  'import math',
  'import torch',
  '',
  '',
  'def attention(q, k, v):',
  '    # q, k, v: (batch, heads, seq, d_head)',
  '    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))',
  '    weights = scores.softmax(dim=-2)',
  '    return weights @ v',
  '',
].join('\n');

function lintDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code);
}

/** Waits until the document's attention-lint codes are exactly `codes` (sorted). */
async function waitForCodes(uri: vscode.Uri, codes: string[]): Promise<vscode.Diagnostic[]> {
  const want = [...codes].sort().join(',');
  return waitFor(`attention-lint codes [${want}]`, () => {
    const ds = lintDiagnostics(uri);
    return ds.map(codeOf).sort().join(',') === want ? ds : undefined;
  });
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

describe('linter in the editor', function () {
  let doc: vscode.TextDocument;
  let editor: vscode.TextEditor;

  before(async () => {
    doc = await vscode.workspace.openTextDocument({ language: 'python', content: BUGGY });
    editor = await vscode.window.showTextDocument(doc);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('reports a wrong softmax axis as ATTN003 on the softmax line', async () => {
    const [d] = await waitForCodes(doc.uri, ['ATTN003']);
    assert.equal(d.range.start.line, 7, 'the softmax(dim=-2) line');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /dim=-2/);
    const target = typeof d.code === 'object' && d.code !== null ? d.code.target : undefined;
    assert.ok(target, 'the code links the rule documentation');
  });

  it('explains the rule on hover and links the matching lesson', async () => {
    const [d] = await waitForCodes(doc.uri, ['ATTN003']);
    const at = new vscode.Position(d.range.start.line, Math.floor((d.range.start.character + d.range.end.character) / 2));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
    const text = hoverText(hovers ?? []);
    assert.match(text, /ATTN003/, `hover at ${at.line}:${at.character} in ${JSON.stringify(d.range)}: ${JSON.stringify(hovers)}`);
    assert.match(text, /lesson/i, `hover names a lesson: ${text.slice(0, 400)}`);
  });

  it('offers the quick fix, and applying it clears the diagnostic', async () => {
    const [d] = await waitForCodes(doc.uri, ['ATTN003']);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const fix = (actions ?? []).find((a) => a.isPreferred && a.edit);
    assert.ok(fix, `a preferred quick fix with an edit; got: ${(actions ?? []).map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit!));
    assert.match(doc.lineAt(7).text, /softmax\(dim=-1\)/);
    await waitForCodes(doc.uri, []);
  });

  it('re-lints as the user types a new bug', async () => {
    await waitForCodes(doc.uri, []);
    const line = doc.lineAt(7);
    const at = line.text.indexOf('dim=-1') + 'dim='.length;
    await editor.edit((e) => e.replace(new vscode.Range(7, at, 7, at + 2), '-2'));
    await waitForCodes(doc.uri, ['ATTN003']);
  });

  it('honours a suppression comment on the line', async () => {
    await waitForCodes(doc.uri, ['ATTN003']);
    const end = doc.lineAt(7).range.end;
    await editor.edit((e) => e.insert(end, '  # attn-lint: disable=ATTN003'));
    await waitForCodes(doc.uri, []);
  });
});
