import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRotaryCache, applyRotaryEmbedding } from '../../../src/engine/reference/rotary-embedding';
import { scaledDotProductAttention } from '../../../src/engine/reference/scaled-dot-product-attention';
import { causalWindow, slidingWindowKeepMask } from '../../../src/engine/reference/sliding-window';
import { softmaxRows } from '../../../src/engine/reference/softmax';
import type { Tensor } from '../../../src/engine/reference/tensor';
import { checkExercise, type ProbeVerdict } from '../../../src/lessons/exercise-check';
import { probeWith } from '../../../src/lessons/exercise-probe';
import { EXERCISES, exerciseById, exerciseSummaries, type ExerciseDefinition } from '../../../src/lessons/exercises';
import { lessonById } from '../../../src/lessons/lesson-index';
import { seededNormals } from '../../../src/lessons/shared/toy-embedding';
import { EXERCISE_ID } from '../../../src/protocol/validate-lesson-message';
import { pythonAvailable, runPythonBatch, type PyArray, type PyCall, type PyResult } from './exercise-runner';
import { maxDiff, REPO } from './lesson-test-helpers';

const SOLUTIONS = join(__dirname, 'exercise-solutions');
const starting = (e: ExerciseDefinition) => join(REPO, e.folder, e.file);
const solution = (e: ExerciseDefinition) => join(SOLUTIONS, e.id, e.file);
/** A wrong solution that still runs (some pass the linter): the probe must name what is wrong. */
const buggy = (e: ExerciseDefinition) => join(SOLUTIONS, e.id, 'buggy', e.file);
const t = (shape: number[], seed: number): Tensor & PyArray => ({ data: seededNormals(shape.reduce((a, b) => a * b, 1), seed), shape });

describe('exercises', () => {
  it('has at least eight, each with a README, a practice file, a lesson and a reference solution', () => {
    assert.ok(EXERCISES.length >= 8);
    assert.ok(EXERCISES.filter((e) => e.probe.length > 0).length >= 8, 'at least eight are checked by the probe');
    assert.equal(new Set(EXERCISES.map((e) => e.id)).size, EXERCISES.length);
    assert.ok(EXERCISES.some((e) => e.language === 'typescript') && EXERCISES.some((e) => e.language === 'python'));
    for (const e of EXERCISES) {
      assert.match(e.id, EXERCISE_ID);
      assert.ok(existsSync(join(REPO, e.folder, 'README.md')), `${e.id} README`);
      assert.ok(existsSync(starting(e)), `${e.id} file`);
      assert.ok(existsSync(solution(e)), `${e.id} solution`);
      assert.ok(lessonById(e.lesson));
      // either the probe checks it, or the exercise says exactly what the probe would need
      assert.ok(e.probe.length > 0 !== (e.probeGap !== undefined), e.id);
      if (e.probe.length > 0) assert.equal(e.probe[0], 'runs');
      assert.equal(e.kind === 'planted-bug', e.plantedRules.length > 0);
      assert.notEqual(readFileSync(starting(e), 'utf8'), readFileSync(solution(e), 'utf8'));
    }
    assert.equal(exerciseById('softmax-axis')?.lesson, 'sdpa-steps');
    assert.deepEqual(exerciseSummaries().map((s) => s.id), EXERCISES.map((e) => e.id));
  });

  for (const e of EXERCISES) {
    it(`${e.id}: the starting file fails the check, the reference solution passes the linter`, async () => {
      const start = await checkExercise(e, readFileSync(starting(e), 'utf8'), starting(e));
      assert.equal(start.status, 'failed');
      if (e.kind === 'planted-bug') {
        for (const code of e.plantedRules) assert.ok(start.findings.some((f) => f.code === code), `${code} expected`);
        assert.match(start.message, new RegExp(`^${e.plantedRules[0]} \\(line \\d+\\)`));
      } else {
        assert.match(start.message, /TODO placeholder/);
      }
      const solved = await checkExercise(e, readFileSync(solution(e), 'utf8'), solution(e));
      assert.deepEqual(solved.findings, []);
      assert.equal(solved.status, 'incomplete'); // no probe given: the behaviour was not run
      assert.match(solved.message, e.probeGap ? /needs a probe that supports/ : /probe, which runs your code, was not available/);
    });
  }

  it('a file without the entry point is refused with a reason', async () => {
    const e = EXERCISES[0];
    const r = await checkExercise(e, 'import numpy as np\n', 'x.py');
    assert.equal(r.status, 'failed');
    assert.match(r.message, /no longer defines `causal_attention`/);
  });
});

/**
 * One case per Python exercise: the arrays, what the engine computes for them, and the call for
 * the solution and for the starting file. All calls run in one python3 process.
 */
interface PyCase {
  id: string;
  args: PyArray[];
  extra?: Pick<PyCall, 'kwargs' | 'construct'>;
  /** The engine's answer, or (cross-attention) the output shape expected from the solution and the starting file. */
  want?: Float32Array;
  shapes?: [number[], number[]];
}

function pyCases(): PyCase[] {
  const causal = (q: Tensor, k: Tensor, v: Tensor) => scaledDotProductAttention(q, k, v, { causal: 'top-left' }).output.data;
  const cases: PyCase[] = [];
  {
    const [q, k, v] = [t([5, 4], 1), t([5, 4], 2), t([5, 3], 3)];
    cases.push({ id: 'causal-attention-numpy', args: [q, k, v], want: causal({ ...q, shape: [1, 1, 5, 4] }, { ...k, shape: [1, 1, 5, 4] }, { ...v, shape: [1, 1, 5, 3] }) });
  }
  {
    const [q, k, v] = [t([4, 8], 4), t([6, 8], 5), t([6, 3], 6)];
    cases.push({ id: 'scale-the-scores', args: [q, k, v], want: scaledDotProductAttention({ ...q, shape: [1, 1, 4, 8] }, { ...k, shape: [1, 1, 6, 8] }, { ...v, shape: [1, 1, 6, 3] }).output.data });
  }
  for (const id of ['fix-causal-mask-torch', 'fix-triu-diagonal']) {
    const [q, k, v] = [t([1, 2, 5, 4], 7), t([1, 2, 5, 4], 8), t([1, 2, 5, 4], 9)];
    cases.push({ id, args: [q, k, v], want: causal(q, k, v) });
  }
  {
    const [q, k, v] = [t([1, 2, 3, 4], 10), t([1, 2, 5, 4], 11), t([1, 2, 5, 4], 12)]; // L_query ≠ L_key
    cases.push({ id: 'softmax-axis', args: [q, k, v], want: scaledDotProductAttention(q, k, v).output.data });
  }
  {
    const [q, k, v] = [t([1, 4, 5, 4], 13), t([1, 2, 5, 4], 14), t([1, 2, 5, 4], 15)]; // 4 query heads, 2 kv heads
    cases.push({ id: 'add-gqa-torch', args: [q, k, v], want: scaledDotProductAttention(q, k, v).output.data });
  }
  {
    const [q, k, v] = [t([1, 1, 8, 4], 16), t([1, 1, 8, 4], 17), t([1, 1, 8, 4], 18)];
    cases.push({ id: 'sliding-window-off-by-one', args: [q, k, v], extra: { kwargs: { window: 3 } }, want: scaledDotProductAttention(q, k, v, { mask: slidingWindowKeepMask(8, causalWindow(3)) }).output.data });
  }
  {
    const [q, k, v] = [t([1, 1, 6, 4], 19), t([1, 1, 6, 4], 20), t([1, 1, 6, 4], 21)];
    const cache = buildRotaryCache(6, 4);
    // the exercise takes full-width tables [T, d]: each half-angle twice (rotate_half layout)
    const full = (c: Tensor): PyArray => ({ data: Float32Array.from({ length: 24 }, (_, i) => c.data[Math.floor(i / 4) * 2 + (i % 2)]), shape: [6, 4] });
    const pos = { positionIds: { data: [0, 1, 2, 3, 4, 5], shape: [1, 6] } };
    const want = scaledDotProductAttention(applyRotaryEmbedding(q, cache.cos, cache.sin, pos), applyRotaryEmbedding(k, cache.cos, cache.sin, pos), v).output.data;
    cases.push({ id: 'rope-on-values', args: [q, k, v, full(cache.cos), full(cache.sin)], want });
  }
  cases.push({ id: 'cross-attention-sources', args: [t([1, 3, 4], 22), t([1, 5, 4], 23)], extra: { construct: { d_model: 4 } }, shapes: [[1, 3, 4], [1, 5, 4]] });
  return cases;
}

describe('Python exercise solutions behave like the engine; the starting files do not', function () {
  const cases = pyCases();
  const results = new Map<string, { solved: PyResult; start: PyResult }>();
  before(function () {
    if (!pythonAvailable()) this.skip();
    this.timeout(180000);
    const calls: PyCall[] = cases.flatMap((c) => {
      const e = exerciseById(c.id) as ExerciseDefinition;
      const framework = /^import torch/m.test(readFileSync(starting(e), 'utf8')) ? 'torch' : 'numpy';
      return [solution(e), starting(e)].map((path) => ({ path, entry: e.entry, framework, args: c.args, ...c.extra }) as PyCall);
    });
    const out = runPythonBatch(calls);
    cases.forEach((c, i) => results.set(c.id, { solved: out[2 * i], start: out[2 * i + 1] }));
  });
  const close = (got: PyResult, want: Float32Array) => got.ok && maxDiff(got.data, want) < 1e-5;

  it('covers every Python exercise', () => {
    assert.deepEqual(cases.map((c) => c.id).sort(), EXERCISES.filter((e) => e.language === 'python').map((e) => e.id).sort());
  });

  for (const c of cases) {
    it(c.id, () => {
      const r = results.get(c.id);
      assert.ok(r);
      if (c.want) {
        assert.ok(close(r.solved, c.want), `solution: ${r.solved.ok ? maxDiff(r.solved.data, c.want) : r.solved.error}`);
        assert.ok(!close(r.start, c.want), 'the starting file must not match the engine');
      }
      if (c.shapes) {
        assert.ok(r.solved.ok && r.start.ok);
        if (r.solved.ok && r.start.ok) {
          assert.deepEqual(r.solved.shape, c.shapes[0]);
          assert.deepEqual(r.start.shape, c.shapes[1]);
        }
      }
      if (c.id === 'causal-attention-numpy') assert.ok(!r.start.ok && /NotImplementedError/.test(r.start.error));
      if (c.id === 'fix-triu-diagonal') assert.ok(r.start.ok && Number.isNaN(r.start.data[0]), 'the first row is NaN');
    });
  }
});

describe('TypeScript exercise solutions behave like the engine; the starting files do not', () => {
  it('causal-attention-ts', () => {
    const e = exerciseById('causal-attention-ts') as ExerciseDefinition;
    const good = require(solution(e)) as { causalAttention: (q: number[][], k: number[][], v: number[][]) => number[][] };
    const bad = require(starting(e)) as typeof good;
    const rows = (x: Float32Array, n: number, d: number) => Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)));
    const [q, k, v] = [t([1, 1, 5, 4], 24), t([1, 1, 5, 4], 25), t([1, 1, 5, 3], 26)];
    const want = scaledDotProductAttention(q, k, v, { causal: 'top-left' }).output.data;
    const args = [rows(q.data, 5, 4), rows(k.data, 5, 4), rows(v.data, 5, 3)] as const;
    assert.ok(maxDiff(good.causalAttention(...args).flat(), want) < 1e-5);
    assert.ok(maxDiff(bad.causalAttention(...args).flat(), want) > 1e-2);
  });

  it('online-softmax-ts: chunks of different sizes, scores up to ±1000', () => {
    const e = exerciseById('online-softmax-ts') as ExerciseDefinition;
    const good = require(solution(e)) as { onlineSoftmax: (chunks: number[][]) => number[] };
    const bad = require(starting(e)) as typeof good;
    const row = [3, -1000, 12, 7, 999, 0.5, 1000, -2];
    const chunks = [row.slice(0, 3), row.slice(3, 4), row.slice(4)];
    const want = softmaxRows(Float32Array.from(row), row.length);
    assert.ok(maxDiff(good.onlineSoftmax(chunks), want) < 1e-6);
    assert.throws(() => bad.onlineSoftmax(chunks), /write the online softmax update/);
  });
});

describe('exercises checked with the real probe', function () {
  // PyTorch exercises import torch in a fresh interpreter for every probe call (~10 s each):
  // they run when LESSONS_PROBE_ALL=1; NumPy and TypeScript ones always run.
  const all = process.env.LESSONS_PROBE_ALL === '1';
  const probe = probeWith({ pythonPath: '/usr/bin/python3', timeoutSeconds: 120 });
  before(function () {
    if (!pythonAvailable()) this.skip();
  });
  for (const e of EXERCISES.filter((x) => x.probe.length > 0)) {
    const torch = /^import torch/m.test(readFileSync(starting(e), 'utf8'));
    it(`${e.id}: the probe fails the starting file and passes the reference solution`, async function () {
      if (torch && !all) this.skip();
      this.timeout(300000);
      const start = await probe(e, starting(e));
      assert.ok(start.ran, 'the probe ran');
      if (start.ran) assert.ok(start.verdicts.some((v) => !v.passed), 'the starting file fails a behaviour check');
      const solved = await checkExercise(e, readFileSync(solution(e), 'utf8'), solution(e), probe);
      assert.equal(solved.status, 'passed', solved.message);
      assert.deepEqual(solved.probe.map((v) => v.check), e.probe);
    });
  }

  it('names the failing behaviour for a planted bug (causal-attention-ts: the wrong triangle)', async function () {
    this.timeout(120000);
    const e = exerciseById('causal-attention-ts') as ExerciseDefinition;
    const start = await probe(e, starting(e));
    assert.ok(start.ran);
    if (!start.ran) return;
    const leak = start.verdicts.find((v) => v.check === 'causal-leak');
    assert.ok(leak && !leak.passed);
    assert.match(leak.message, /changes when token \d+ changes/);
  });

  it('a TODO left in place fails on "runs" with the error it raised', async function () {
    this.timeout(120000);
    const e = exerciseById('causal-attention-numpy') as ExerciseDefinition;
    const start = await probe(e, starting(e));
    assert.ok(start.ran);
    if (start.ran) assert.match(start.verdicts[0].message, /NotImplementedError/);
  });
});

/**
 * The exercises whose behaviour needs an argument the generic probe builds from the engine (a
 * window, rotary tables, a memory sequence, a list of chunks). For each: the reference solution
 * passes the whole check; the starting file and a buggy solution fail on the named property.
 */
interface ProbeCase {
  id: string;
  /** The starting file fails this check, with this message. */
  start: [ProbeVerdict['check'], RegExp];
  /** The buggy solution fails this check, with this message. */
  bug: [ProbeVerdict['check'], RegExp];
}

const PROBE_CASES: ProbeCase[] = [
  {
    id: 'sliding-window-off-by-one',
    start: ['sliding-window', /^query 3 sees key 0, outside a window of 3 \(i − 3 < j ≤ i\): query 6 sees 4 keys instead of 3 — the bound is off by one$/],
    bug: ['sliding-window', /^query 2 does not see key 0, inside a window of 3 .*query 6 sees 2 keys instead of 3/],
  },
  {
    id: 'rope-on-values',
    start: ['rotary-relative', /^shifting every position by 3 changes the weights \(query \d+, key \d+: .*\): the scores depend on absolute positions/],
    bug: ['rotary-relative', /leaves the weights unchanged but moves the output .*the values are rotated too/],
  },
  {
    id: 'cross-attention-sources',
    start: ['cross-sources', /has 7 rows, one per memory token, instead of 5, one per target token in x: the queries come from memory/],
    bug: ['cross-sources', /^output row \d+ changes when target token \d+ changes: .*memory is never read/],
  },
  {
    id: 'online-softmax-ts',
    start: ['runs', /write the online softmax update/],
    bug: ['chunk-invariance', /cut as \[10\] and as \[4, 3, 3\] gives different weights .*rescale the running sum by exp\(old max − new max\)/],
  },
];

describe('probe-checked exercises that need a window, rotary tables, a memory input or chunks', function () {
  const probe = probeWith({ pythonPath: '/usr/bin/python3', timeoutSeconds: 120 });
  before(function () {
    if (!pythonAvailable()) this.skip();
  });

  it('covers every exercise whose probe needs one of these', () => {
    assert.deepEqual(PROBE_CASES.map((c) => c.id).sort(), ['cross-attention-sources', 'online-softmax-ts', 'rope-on-values', 'sliding-window-off-by-one']);
    for (const c of PROBE_CASES) {
      const e = exerciseById(c.id) as ExerciseDefinition;
      assert.equal(e.probeGap, undefined);
      assert.ok(e.probe.includes(c.start[0]) && e.probe.includes(c.bug[0]), `${c.id} requires the checks the tests expect to fail`);
      assert.ok(existsSync(buggy(e)), `${c.id} buggy solution`);
    }
  });

  for (const c of PROBE_CASES) {
    it(`${c.id}: the reference solution passes every probe check; the starting file and a buggy solution fail on ${c.start[0]} / ${c.bug[0]}`, async function () {
      this.timeout(300000);
      const e = exerciseById(c.id) as ExerciseDefinition;
      const solved = await checkExercise(e, readFileSync(solution(e), 'utf8'), solution(e), probe);
      assert.equal(solved.status, 'passed', solved.message);
      assert.deepEqual(solved.probe.map((v) => v.check), e.probe);
      assert.ok(solved.probe.every((v) => v.passed));

      for (const [file, [id, message]] of [[starting(e), c.start], [buggy(e), c.bug]] as const) {
        const outcome = await probe(e, file);
        assert.ok(outcome.ran, `the probe ran on ${file}`);
        if (!outcome.ran) continue;
        const verdict = outcome.verdicts.find((v) => v.check === id);
        assert.ok(verdict && !verdict.passed, `${file}: ${id} should fail (${JSON.stringify(outcome.verdicts)})`);
        assert.match(verdict.message, message);
      }

      // the buggy solutions pass the linter: only the probe can fail them, and its sentence is the feedback
      const wrong = await checkExercise(e, readFileSync(buggy(e), 'utf8'), buggy(e), probe);
      assert.deepEqual(wrong.findings, []);
      assert.equal(wrong.status, 'failed');
      assert.match(wrong.message, c.bug[1]);
    });
  }
});
