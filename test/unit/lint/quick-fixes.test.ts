// Applying a quick fix must remove the finding it belongs to and leave code that still parses.
import { strict as assert } from 'node:assert';
import { join, relative } from 'node:path';
import { initLinter, lintText } from '../../../src/lint/index';
import type { Finding } from '../../../src/lint/index';
import { LintDocument } from '../../../src/lint/document';
import { LineIndex } from '../../../src/lint/analysis/line-index';
import { FIXTURE_ROOT, fixturesUnder } from './fixture-files';

function applyFix(text: string, f: Finding): string {
  const lines = new LineIndex(text);
  const edits = (f.fix?.edits ?? [])
    .map((e) => ({ start: lines.offset(e.range.line, e.range.column), end: lines.offset(e.range.endLine, e.range.endColumn), text: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

describe('lint quick fixes', () => {
  before(async () => {
    await initLinter();
  });

  const fixedCodes = new Set<string>();
  const all = fixturesUnder(join(FIXTURE_ROOT, 'rules'));

  for (const fx of all) {
    it(`${relative(FIXTURE_ROOT, fx.path)}: every fix removes its finding and parses`, () => {
      const findings = lintText(fx.text, fx.language).filter((f) => f.fix);
      for (const f of findings) {
        const fixed = applyFix(fx.text, f);
        assert.notEqual(fixed, fx.text, `${f.code} fix changes nothing`);
        const doc = LintDocument.parse(fixed, fx.language);
        try {
          assert.equal(doc.tree.rootNode.hasError, false, `${f.code} fix leaves a syntax error:\n${fixed}`);
        } finally {
          doc.dispose();
        }
        const after = lintText(fixed, fx.language);
        const still = after.filter((a) => a.code === f.code && a.line === f.line);
        assert.deepEqual(still.map((a) => a.message), [], `${f.code} at line ${f.line + 1} survives its fix "${f.fix?.title}"`);
        fixedCodes.add(f.code);
      }
    });
  }

  it('covers quick fixes of at least twelve rules', () => {
    assert.ok(fixedCodes.size >= 12, `fixes exercised for: ${[...fixedCodes].sort().join(', ')}`);
  });
});
