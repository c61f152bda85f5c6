// The direct cursor walk (WebAssembly exports called without the TreeCursor wrapper) must
// copy exactly the tree the wrapper copies: same types, fields, "named" flags and offsets,
// on every fixture, on broken code (ERROR/MISSING nodes), on text with surrogate pairs and
// on an incrementally re-parsed tree.
import { strict as assert } from 'node:assert';
import { join, relative } from 'node:path';
import { convertSubtree, convertSubtreeWithCursor } from '../../../src/lint/parser/convert-tree';
import type { SyntaxNode } from '../../../src/lint/parser/syntax-node';
import { cursorExports, initTreeSitter, parseText } from '../../../src/lint/parser/tree-sitter-runtime';
import { LintDocument } from '../../../src/lint/document';
import type { LintLanguage } from '../../../src/lint/types';
import { FIXTURE_ROOT, fixturesUnder } from './fixture-files';

function shapeOf(n: SyntaxNode): string {
  const out: string[] = [];
  n.walk((c) => {
    let depth = 0;
    for (let p = c.parent; p; p = p.parent) depth++;
    out.push(`${depth} ${c.type} ${c.field ?? '-'} ${c.named ? 'N' : 'a'} ${c.start}-${c.end}`);
  });
  return out.join('\n');
}

function compareAllItems(text: string, language: LintLanguage): number {
  const tree = parseText(language, text);
  try {
    let compared = 0;
    const root = tree.rootNode;
    for (const item of [root, ...root.children]) {
      if (!item) continue;
      assert.equal(shapeOf(convertSubtree(tree, item, text)), shapeOf(convertSubtreeWithCursor(tree, item, text)));
      compared++;
    }
    return compared;
  } finally {
    tree.delete();
  }
}

describe('syntax tree copy', () => {
  before(async () => {
    await initTreeSitter();
  });

  it('uses the direct cursor exports of this web-tree-sitter build', () => {
    // If an upgrade hides them, the linter still works (wrapper path) but much slower.
    assert.ok(cursorExports(), 'tree-sitter cursor exports not found on the module object');
  });

  it('copies every fixture exactly like the TreeCursor wrapper', () => {
    let items = 0;
    for (const fx of [...fixturesUnder(join(FIXTURE_ROOT, 'rules')), ...fixturesUnder(join(FIXTURE_ROOT, 'correct'))]) {
      try {
        items += compareAllItems(fx.text, fx.language);
      } catch (e) {
        throw new Error(`${relative(FIXTURE_ROOT, fx.path)}: ${(e as Error).message.slice(0, 2000)}`);
      }
    }
    assert.ok(items > 100, `only ${items} items compared`);
  });

  it('copies broken code and non-BMP text exactly like the wrapper', () => {
    const py = 'def f(q, k):\n    s = "😀 é" + q @ k.transpose(-2,\n    return softmax(s, dim=\nclass  :\n    x = [1, 2\n';
    compareAllItems(py, 'python');
    const ts = 'export function g(a: number[]) {\n  const s = "😀"; return a.map((x) => Math.exp(x)\n}\nclass {\n';
    compareAllItems(ts, 'typescript');
    const tree = parseText('python', py);
    try {
      const copy = convertSubtree(tree, tree.rootNode, py);
      assert.ok(copy.descendants('ERROR').length > 0, 'expected an ERROR node in the broken snippet');
      // Offsets are UTF-16 code units: the identifier after the emoji string starts where JS says.
      const q = copy.descendants('identifier').find((n) => n.start === py.indexOf('q @'));
      assert.equal(q?.text, 'q');
    } finally {
      tree.delete();
    }
  });

  it('copies an incrementally re-parsed tree exactly like the wrapper', () => {
    const text = 'import torch\n\ndef f(q, k):\n    s = q @ k.transpose(-2, -1)\n    return torch.softmax(s, dim=-1)\n';
    const doc = LintDocument.parse(text, 'python');
    try {
      const at = text.indexOf('s = ');
      doc.applyChanges([{ start: at, end: at + 1, text: 'scores_value' }]);
      const root = doc.tree.rootNode;
      for (const item of root.children) {
        if (!item) continue;
        assert.equal(shapeOf(convertSubtree(doc.tree, item, doc.text)), shapeOf(convertSubtreeWithCursor(doc.tree, item, doc.text)));
      }
      assert.ok(shapeOf(convertSubtree(doc.tree, root, doc.text)).includes('identifier'));
    } finally {
      doc.dispose();
    }
  });
});
