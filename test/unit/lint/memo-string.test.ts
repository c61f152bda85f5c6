// The name-classifier memo must answer exactly like the classifier, including undefined and
// false answers, and must call the classifier once per distinct name.
import { strict as assert } from 'node:assert';
import { memoByString } from '../../../src/lint/analysis/memo-string';
import { roleFromName } from '../../../src/lint/analysis/python/names';
import { classifyDimName } from '../../../src/lint/analysis/axes';

describe('memoised name classifiers', () => {
  it('returns the classifier answer every time and computes each name once', () => {
    let calls = 0;
    const f = memoByString((s: string): string | undefined => {
      calls++;
      return s.startsWith('q') ? 'query' : undefined;
    });
    for (let round = 0; round < 3; round++) {
      assert.equal(f('q_proj'), 'query');
      assert.equal(f('x'), undefined);
      assert.equal(f(''), undefined);
    }
    assert.equal(calls, 3);
    const g = memoByString((s: string): boolean => s.length > 2);
    assert.equal(g('ab'), false);
    assert.equal(g('ab'), false);
    assert.equal(g('abc'), true);
  });

  it('keeps the classifiers answers (roles, axis labels)', () => {
    for (let round = 0; round < 2; round++) {
      assert.equal(roleFromName('self.q_proj'), undefined);
      assert.equal(roleFromName('query_states'), 'q');
      assert.equal(roleFromName('self.k'), 'k');
      assert.equal(roleFromName(undefined), undefined);
      assert.equal(classifyDimName('self.num_heads'), 'h');
      assert.equal(classifyDimName('seq_len'), 't');
      assert.equal(classifyDimName('head_dim'), 'd');
      assert.equal(classifyDimName('foo'), '?');
    }
  });
});
