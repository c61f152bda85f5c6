import { strict as assert } from 'node:assert';
import { computeLesson } from '../../../src/lessons/compute-lesson';
import { LESSON_DEFAULTS } from '../../../src/lessons/lesson-defaults';
import { LessonProgressStore, PROGRESS_KEY, parseProgress } from '../../../src/lessons/lesson-progress';
import { LESSON_IDS } from '../../../src/protocol/lesson-messages';
import { PARAM_LIMITS, validateLessonMessage, validateLessonParams } from '../../../src/protocol/validate-lesson-message';

describe('lesson messages', () => {
  it("every lesson's default passes validation unchanged", () => {
    for (const id of LESSON_IDS) assert.deepEqual(validateLessonParams(id, LESSON_DEFAULTS[id]), LESSON_DEFAULTS[id], id);
  });

  it('every default lies inside its slider limits', () => {
    for (const id of LESSON_IDS) {
      for (const [key, [lo, hi]] of Object.entries(PARAM_LIMITS[id] as Record<string, readonly [number, number]>)) {
        const v = (LESSON_DEFAULTS[id] as unknown as Record<string, number>)[key];
        assert.ok(v >= lo && v <= hi, `${id}.${key} = ${v}`);
      }
    }
  });

  it('accepts a well-formed compute request and drops unknown fields', () => {
    const m = validateLessonMessage({ type: 'lesson/compute', requestId: 3, lesson: 'why-sqrt-dk', params: { dk: 32, keys: 8, seed: 2, extra: 'x' } });
    assert.deepEqual(m, { type: 'lesson/compute', requestId: 3, lesson: 'why-sqrt-dk', params: { dk: 32, keys: 8, seed: 2 } });
  });

  it('refuses out-of-range, mistyped and unknown input with a reason', () => {
    const bad: [unknown, RegExp][] = [
      [null, /not a message/],
      [{ type: 'nope' }, /unknown message type/],
      [{ type: 'lesson/compute', requestId: 1, lesson: 'why-sqrt-dk', params: { dk: 4096, keys: 8, seed: 1 } }, /dk must be a whole number in 1…1024/],
      [{ type: 'lesson/compute', requestId: 1, lesson: 'why-sqrt-dk', params: { dk: 2.5, keys: 8, seed: 1 } }, /dk/],
      [{ type: 'lesson/compute', requestId: -1, lesson: 'why-sqrt-dk', params: {} }, /requestId/],
      [{ type: 'lesson/compute', requestId: 1, lesson: 'causal', params: {} }, /unknown lesson/],
      [{ type: 'lesson/compute', requestId: 1, lesson: 'sdpa-steps', params: { ...LESSON_DEFAULTS['sdpa-steps'], text: 'x'.repeat(5000) } }, /at most 4000/],
      [{ type: 'lesson/compute', requestId: 1, lesson: 'sdpa-steps', params: { ...LESSON_DEFAULTS['sdpa-steps'], source: 'gpu' } }, /source must be one of/],
      [{ type: 'lesson/compute', requestId: 1, lesson: 'mha-mqa-gqa', params: { ...LESSON_DEFAULTS['mha-mqa-gqa'], kvHeads: 5 } }, /multiple of kv heads/],
      [{ type: 'lesson/compute', requestId: 1, lesson: 'positions', params: { ...LESSON_DEFAULTS.positions, dim: 7 } }, /even/],
      [{ type: 'lesson/compute', requestId: 1, lesson: 'flash-attention', params: { ...LESSON_DEFAULTS['flash-attention'], causal: 'yes' } }, /causal must be true or false/],
      [{ type: 'exercise/check', id: '../../etc' }, /bad exercise id/],
      [{ type: 'lesson/completed', lesson: 'positions', completed: 1 }, /bad fields/],
    ];
    for (const [m, why] of bad) {
      const r = validateLessonMessage(m);
      assert.equal(typeof r, 'string', JSON.stringify(m)?.slice(0, 80));
      assert.match(r as string, why);
    }
  });

  it('passes the simple messages through', () => {
    assert.deepEqual(validateLessonMessage({ type: 'ready', lesson: 'positions' }), { type: 'ready', lesson: 'positions' });
    assert.deepEqual(validateLessonMessage({ type: 'ready' }), { type: 'ready', lesson: undefined });
    assert.deepEqual(validateLessonMessage({ type: 'exercise/open', id: 'softmax-axis' }), { type: 'exercise/open', id: 'softmax-axis' });
    assert.deepEqual(validateLessonMessage({ type: 'walkthrough/open' }), { type: 'walkthrough/open' });
  });

  it('every lesson computes from its defaults through the dispatcher', async function () {
    this.timeout(120000);
    for (const id of LESSON_IDS) {
      const data = await computeLesson(id, LESSON_DEFAULTS[id], {});
      assert.ok(data && typeof data === 'object', id);
    }
  });
});

describe('lesson progress', () => {
  class MapMemento {
    readonly map = new Map<string, unknown>();
    get<T>(key: string): T | undefined {
      return this.map.get(key) as T | undefined;
    }
    async update(key: string, value: unknown): Promise<void> {
      this.map.set(key, JSON.parse(JSON.stringify(value)));
    }
  }

  it('records visits, completion and exercise results, and survives a reload', async () => {
    const m = new MapMemento();
    const store = new LessonProgressStore(m);
    await store.visit('positions');
    await store.visit('positions');
    await store.complete('causal-masking', true);
    await store.exercise('softmax-axis', 'failed');
    await store.exercise('softmax-axis', 'passed');
    await store.exercise('softmax-axis', 'opened'); // opening again keeps the pass
    const again = new LessonProgressStore(m).get();
    assert.deepEqual(again, { visited: ['positions', 'causal-masking'], completed: ['causal-masking'], exercises: { 'softmax-axis': 'passed' } });
    await store.complete('causal-masking', false);
    assert.deepEqual(store.get().completed, []);
  });

  it('reads corrupt or foreign values as no progress', () => {
    assert.deepEqual(parseProgress(undefined), { visited: [], completed: [], exercises: {} });
    assert.deepEqual(parseProgress({ visited: ['positions', 'bogus', 7], completed: 'x', exercises: { 'a-b': 'passed', 'A B': 'passed', c: 'won' } }), {
      visited: ['positions'],
      completed: [],
      exercises: { 'a-b': 'passed' },
    });
    assert.equal(PROGRESS_KEY, 'attentionInspector.lessonProgress');
  });
});
