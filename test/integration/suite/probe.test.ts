// The attention probe through the real `vscode` API, inside the extension host of the installed
// extension: `attentionInspector.probe` runs a TypeScript file's function in a worker (its
// TypeScript transpiled by the extension's own bundled transpiler, nothing from a dev checkout),
// and a planted causal leak becomes an `attention-probe` diagnostic on that function, while the
// correct function in the same file gets none.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from './wait-for';

const SOURCE = [
  'interface Options { scale?: number }',
  '',
  'function softmaxRow(row: number[]): number[] {',
  '  const max = Math.max(...row);',
  '  const e = row.map((x) => (x === -Infinity ? 0 : Math.exp(x - max)));',
  '  const sum = e.reduce((a, b) => a + b, 0);',
  '  return e.map((x) => x / sum);',
  '}',
  '',
  'function attend(q: number[][], k: number[][], v: number[][], keep: (i: number, j: number) => boolean, opts: Options = {}): number[][] {',
  '  const scale = opts.scale ?? 1 / Math.sqrt(q[0].length);',
  '  const s = q.map((qi, i) => k.map((kj, j) => (keep(i, j) ? qi.reduce((t, x, c) => t + x * kj[c], 0) * scale : -Infinity)));',
  '  return s.map(softmaxRow).map((row) => v[0].map((_, e) => row.reduce((t, w, j) => t + w * v[j][e], 0)));',
  '}',
  '',
  '/** Correct: query i (at key position i + Lk - Lq) sees keys j <= its position. */',
  'export function causalAttention(q: number[][], k: number[][], v: number[][]): number[][] {',
  '  const offset = k.length - q.length;',
  '  return attend(q, k, v, (i, j) => j <= i + offset);',
  '}',
  '',
  '/** Planted bug: the comparison is flipped, so queries see the future. */',
  'export function leakyAttention(q: number[][], k: number[][], v: number[][]): number[][] {',
  '  return attend(q, k, v, (i, j) => j >= i);',
  '}',
  '',
].join('\n');

function probeDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'attention-probe' || /probe/i.test(d.source ?? ''));
}

describe('probe in the installed extension', function () {
  let dir: string;
  let uri: vscode.Uri;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attn-probe-it-'));
    const file = join(dir, 'attention.ts');
    writeFileSync(file, SOURCE);
    uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs in a trusted workspace', () => {
    assert.equal(vscode.workspace.isTrusted, true);
  });

  it('proves the planted leak in a TypeScript function with a diagnostic on that function', async () => {
    await vscode.commands.executeCommand('attentionInspector.probe', uri, 'leakyAttention');
    const ds = await waitFor('a probe diagnostic', () => {
      const found = probeDiagnostics(uri);
      return found.length > 0 ? found : undefined;
    }, 90_000);
    const leak = ds.find((d) => /changes when token|leak|future/i.test(d.message));
    assert.ok(leak, `a causal-leak diagnostic; got: ${ds.map((d) => d.message).join(' | ')}`);
    const line = SOURCE.split('\n').findIndex((l) => l.includes('function leakyAttention'));
    assert.ok(leak.range.start.line >= line - 1 && leak.range.start.line <= line + 3, `on leakyAttention (line ${line}), not at ${leak.range.start.line}`);
  });

  it('gives the correct function no failing diagnostic', async () => {
    const before = probeDiagnostics(uri).length;
    await vscode.commands.executeCommand('attentionInspector.probe', uri, 'causalAttention');
    // the command resolves after the run: diagnostics for causalAttention are set by then
    const start = SOURCE.split('\n').findIndex((l) => l.includes('function causalAttention'));
    const end = start + 4;
    const onCorrect = probeDiagnostics(uri).filter((d) => d.range.start.line >= start - 1 && d.range.start.line <= end && d.severity <= vscode.DiagnosticSeverity.Warning);
    assert.deepEqual(onCorrect.map((d) => d.message), []);
    assert.ok(probeDiagnostics(uri).length >= before, 'the leak diagnostic on the other function stays');
  });
});
