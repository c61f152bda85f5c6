// Every rule fixture is linted and its findings must match the inline expectations exactly
// (same lines, same codes, nothing extra); the correct-implementations corpus must be clean.
import { strict as assert } from 'node:assert';
import { join, relative } from 'node:path';
import { initLinter, lintText } from '../../../src/lint/index';
import { FIXTURE_ROOT, fixturesUnder } from './fixture-files';

describe('lint fixtures (inline expectations)', () => {
  before(async () => {
    await initLinter();
  });

  for (const fx of fixturesUnder(join(FIXTURE_ROOT, 'rules'))) {
    it(relative(FIXTURE_ROOT, fx.path), () => {
      const found = lintText(fx.text, fx.language).map((f) => `${f.line}:${f.code}`).sort();
      assert.deepEqual(found, fx.expected, explain(fx.text, found, fx.expected));
    });
  }

  describe('correct implementations corpus', () => {
    for (const fx of fixturesUnder(join(FIXTURE_ROOT, 'correct'))) {
      it(`${relative(join(FIXTURE_ROOT, 'correct'), fx.path)} has no findings`, () => {
        const found = lintText(fx.text, fx.language);
        assert.deepEqual(found.map((f) => `${f.line + 1}:${f.code} ${f.message}`), []);
      });
    }
  });
});

function explain(text: string, found: string[], expected: string[]): string {
  const lines = text.split('\n');
  const show = (k: string): string => {
    const [l, code] = k.split(':');
    return `  line ${Number(l) + 1} ${code}: ${lines[Number(l)]?.trim()}`;
  };
  const extra = found.filter((f) => !expected.includes(f));
  const missing = expected.filter((e) => !found.includes(e));
  return [`unexpected:`, ...extra.map(show), `missing:`, ...missing.map(show)].join('\n');
}
