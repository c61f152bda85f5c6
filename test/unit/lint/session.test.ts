// LintSession: incremental re-parse after edits must give the same tree and the same findings
// as a fresh parse of the edited text (offsets in UTF-16 code units, non-ASCII included).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LintSession, initLinter, lintText } from '../../../src/lint/index';
import { LintDocument } from '../../../src/lint/document';
import { FIXTURE_ROOT } from './fixture-files';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fresh(text: string, language: 'python' | 'typescript'): string {
  const d = LintDocument.parse(text, language);
  try {
    return d.tree.rootNode.toString();
  } finally {
    d.dispose();
  }
}

describe('LintSession (incremental)', () => {
  before(async () => {
    await initLinter();
  });

  it('matches a fresh parse and fresh lint after 60 random edits (with non-ASCII text)', () => {
    const base = readFileSync(join(FIXTURE_ROOT, 'rules', 'ATTN001', 'fail-module-tril-buffer-as-block.py'), 'utf8');
    let text = `# héllo — ünïcode ✓ 𝛼\n${base}`;
    const session = new LintSession(text, 'python');
    const random = rng(42);
    const inserts = ['x', ' ', '\n', 'é', '𝛼', ')', '# c\n', 'q @ k', '== 0', '(', '"'];
    try {
      for (let step = 0; step < 60; step++) {
        const start = Math.floor(random() * text.length);
        const len = Math.floor(random() * 4);
        let end = Math.min(text.length, start + len);
        // Never split a surrogate pair: editors do not either.
        if (end < text.length && /[\uDC00-\uDFFF]/.test(text[end])) end++;
        const s2 = start > 0 && /[\uDC00-\uDFFF]/.test(text[start]) ? start - 1 : start;
        const insert = inserts[Math.floor(random() * inserts.length)];
        session.applyChanges([{ start: s2, end, text: insert }]);
        text = text.slice(0, s2) + insert + text.slice(end);
        assert.equal(session.text, text);
        assert.equal(session.treeString(), fresh(text, 'python'), `tree differs after step ${step}`);
        const a = session.lint().map((f) => `${f.line}:${f.column}:${f.code}`);
        const b = lintText(text, 'python').map((f) => `${f.line}:${f.column}:${f.code}`);
        assert.deepEqual(a, b, `findings differ after step ${step}`);
      }
    } finally {
      session.dispose();
    }
  });

  it('keeps findings of untouched definitions at their shifted positions', () => {
    const one = readFileSync(join(FIXTURE_ROOT, 'rules', 'ATTN003', 'fail-dim1-on-multihead-scores.py'), 'utf8');
    const session = new LintSession(one, 'python');
    try {
      const before = session.lint();
      assert.equal(before.length, 1);
      session.applyChanges([{ start: 0, end: 0, text: '# a new first line\n\n' }]);
      const after = session.lint();
      assert.deepEqual(after.map((f) => [f.code, f.line, f.column]), [[before[0].code, before[0].line + 2, before[0].column]]);
      // Fix the bug in place: the finding disappears.
      const lines = session.text.split('\n');
      const lineNo = after[0].line;
      const offset = lines.slice(0, lineNo).reduce((n, l) => n + l.length + 1, 0) + after[0].column;
      session.applyChanges([{ start: offset, end: offset + 1, text: '-1' }]);
      assert.deepEqual(session.lint(), []);
    } finally {
      session.dispose();
    }
  });

  it('applies several changes in one batch (VS Code order)', () => {
    const text = 'def f(q, k):\n    s = q @ k\n    return s\n';
    const session = new LintSession(text, 'python');
    try {
      session.applyChanges([
        { start: 0, end: 3, text: 'async def' },
        { start: 17, end: 17, text: '  ' },
      ]);
      const expected = 'async def f(q, k):\n    s = q @ k\n    return s\n'.slice(0, 17) + '  ' + 'async def f(q, k):\n    s = q @ k\n    return s\n'.slice(17);
      assert.equal(session.text, expected);
      assert.equal(session.treeString(), fresh(expected, 'python'));
    } finally {
      session.dispose();
    }
  });
});
