import { strict as assert } from 'node:assert';
import type { LessonId as LintLessonId } from '../../../src/lint/types';
import { LESSONS, lessonById, lessonIdsInOrder } from '../../../src/lessons/lesson-index';
import { LESSON_IDS, isLessonId, type LessonId } from '../../../src/protocol/lesson-messages';

// Compile-time: the protocol's ids and the linter's are the same set.
const toLint = (id: LessonId): LintLessonId => id;
const fromLint = (id: LintLessonId): LessonId => id;

describe('lesson index', () => {
  it('has the eleven lessons of the tutorials issue, in order, once each', () => {
    assert.equal(LESSONS.length, 11);
    assert.deepEqual(lessonIdsInOrder(), [...LESSON_IDS]);
    assert.deepEqual(LESSONS.map((l) => l.order), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const l of LESSONS) {
      assert.ok(l.title.length > 5 && l.summary.length > 20 && l.teaches.length >= 2, l.id);
      assert.equal(lessonById(l.id), l);
      assert.equal(toLint(fromLint(l.id)), l.id);
    }
  });

  it('recognises lesson ids', () => {
    assert.equal(isLessonId('causal-masking'), true);
    assert.equal(isLessonId('causal_masking'), false);
    assert.equal(isLessonId(3), false);
  });
});
