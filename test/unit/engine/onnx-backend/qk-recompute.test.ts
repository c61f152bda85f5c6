// Route 2's kernel on inputs small enough to compute by hand: layouts, head broadcasting and
// grouping, each kind of step, and softmax edge cases.
import { strict as assert } from 'node:assert';
import type { QkSpec, ScoreStep } from '../../../../src/engine/onnx/attention-site';
import { DataType, type TensorArray } from '../../../../src/engine/onnx/proto';
import { prepareQk, qkFetchNames, recomputeWeights } from '../../../../src/engine/onnx/qk-recompute';

const t = (dims: number[], values: number[], dataType = DataType.FLOAT): TensorArray => ({
  dataType,
  dims,
  data: dataType === DataType.BOOL ? Uint8Array.from(values) : Float32Array.from(values),
});
const value = (v: number) => ({ value: t([], [v]) });
const close = (actual: ArrayLike<number>, expected: number[], eps = 1e-6) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= eps, `[${i}] ${actual[i]} vs ${expected[i]}`);
};
const softmax2 = (a: number, b: number) => [Math.exp(a) / (Math.exp(a) + Math.exp(b)), Math.exp(b) / (Math.exp(a) + Math.exp(b))];

// One head, two positions, D = 2:  Q = [[1, 0], [0, 1]],  K = [[1, 0], [1, 1]]
// Q·Kᵀ = [[1, 1], [0, 1]]
const Q = t([1, 1, 2, 2], [1, 0, 0, 1]);
const Kt = t([1, 1, 2, 2], [1, 1, 0, 1]); // Kᵀ as a MatMul's B input: [D, L]
const spec = (steps: ScoreStep[]): QkSpec => ({ q: { tensor: 'q', layout: 'rows' }, k: { tensor: 'kt', layout: 'columns' }, steps });
const fetched = (extra: Record<string, TensorArray> = {}) => (name: string) => ({ q: Q, kt: Kt, ...extra })[name];

describe('Q/K recomputation kernel', () => {
  it('plain softmax of Q·Kᵀ', () => {
    const w = recomputeWeights(prepareQk(spec([]), fetched()));
    close(w, [...softmax2(1, 1), ...softmax2(0, 1)]);
  });

  it('scale, then a causal Where mask with the most negative float32 (GPT-2 export style)', () => {
    const steps: ScoreStep[] = [
      { kind: 'binary', op: 'Div', operand: value(2), scoresOnLeft: true },
      { kind: 'where', condition: { tensor: 'causal' }, other: value(-3.4028234663852886e38), scoresWhenTrue: true },
    ];
    const causal = t([1, 1, 2, 2], [1, 0, 1, 1], DataType.BOOL);
    const w = recomputeWeights(prepareQk(spec(steps), fetched({ causal })));
    close(w, [1, 0, ...softmax2(0, 0.5)]);
  });

  it('an additive padding mask [B, 1, 1, K] and a scalar on the left of Sub', () => {
    // scores' = 3 − S, then + [0, −1e9]
    const steps: ScoreStep[] = [
      { kind: 'binary', op: 'Sub', operand: value(3), scoresOnLeft: false },
      { kind: 'binary', op: 'Add', operand: { tensor: 'pad' }, scoresOnLeft: true },
    ];
    const w = recomputeWeights(prepareQk(spec(steps), fetched({ pad: t([1, 1, 1, 2], [0, -1e9]) })));
    close(w, [1, 0, 1, 0]);
  });

  it('softcap (Div, Tanh, Mul) and Clip', () => {
    const steps: ScoreStep[] = [
      { kind: 'binary', op: 'Mul', operand: value(10), scoresOnLeft: true },
      { kind: 'binary', op: 'Div', operand: value(4), scoresOnLeft: true },
      { kind: 'unary', op: 'Tanh' },
      { kind: 'binary', op: 'Mul', operand: value(4), scoresOnLeft: true },
      { kind: 'clip', min: -1, max: 3.5 },
    ];
    const cap = (x: number) => Math.min(3.5, Math.max(-1, 4 * Math.tanh(x / 4)));
    const w = recomputeWeights(prepareQk(spec(steps), fetched()));
    close(w, [...softmax2(cap(10), cap(10)), ...softmax2(cap(0), cap(10))]);
  });

  it("fused operators' steps: default scale 1/√D, top-left and bottom-right causal masks, key padding", () => {
    const hidden = (tensor: string): QkSpec['q'] => ({ tensor, layout: 'hidden', heads: 1 });
    const q3 = t([1, 2, 2], [1, 0, 0, 1]);
    const k3 = t([1, 2, 2], [1, 0, 1, 1]); // rows: K = [[1, 0], [1, 1]]
    const run = (steps: ScoreStep[], extra: Record<string, TensorArray> = {}) =>
      recomputeWeights(prepareQk({ heads: 'groups', q: hidden('q'), k: hidden('k'), steps }, (n) => ({ q: q3, k: k3, ...extra })[n]));
    const s = 1 / Math.sqrt(2);
    close(run([{ kind: 'scale' }]), [...softmax2(s, s), ...softmax2(0, s)]);
    close(run([{ kind: 'scale' }, { kind: 'causal', alignment: 'top-left' }]), [1, 0, ...softmax2(0, s)]);
    close(run([{ kind: 'scale' }, { kind: 'key-padding', operand: { tensor: 'kpm' }, fill: -10000 }], { kpm: t([1, 2], [1, 0]) }), [1, 0, 1, 0]);
    // One query (the last position) against two keys: bottom-right sees both, top-left only key 0.
    const last = t([1, 1, 2], [0, 1]);
    const one = (alignment: 'top-left' | 'bottom-right') =>
      recomputeWeights(prepareQk({ heads: 'groups', q: hidden('q'), k: hidden('k'), steps: [{ kind: 'scale' }, { kind: 'causal', alignment }] }, (n) => ({ q: last, k: k3 })[n]));
    close(one('bottom-right'), softmax2(0, s));
    close(one('top-left'), [1, 0]);
  });

  it('a fully masked row becomes zeros, not NaN', () => {
    const steps: ScoreStep[] = [{ kind: 'mask', operand: { tensor: 'keep' } }];
    const keep = t([2, 2], [0, 0, 1, 1], DataType.BOOL);
    const w = recomputeWeights(prepareQk(spec(steps), fetched({ keep })));
    close(w, [0, 0, ...softmax2(0, 1)]);
  });

  it('MatMul broadcasting: one K head shared by two query heads (MQA written as broadcasting)', () => {
    const q2 = t([1, 2, 1, 2], [1, 0, 0, 1]); // head 0 query [1, 0], head 1 query [0, 1]
    const k1 = t([1, 1, 2, 2], [1, 1, 0, 1]); // Kᵀ shared: K = [[1, 0], [1, 1]]
    const w = recomputeWeights(prepareQk(spec([]), (n) => ({ q: q2, kt: k1 })[n]));
    close(w, [...softmax2(1, 1), ...softmax2(0, 1)]);
  });

  it('grouped heads for fused GQA: query heads 0,1 read key head 0; 2,3 read key head 1', () => {
    const q = t([1, 1, 8], [1, 0, 1, 0, 1, 0, 1, 0]); // 4 heads, D = 2, one position
    const k = t([1, 2, 4], [1, 0, 0, 0, 0, 0, 5, 0]); // 2 kv heads, 2 positions: head 0 keys [1,0],[0,0]; head 1 keys [0,0],[5,0]
    const p = prepareQk({ heads: 'groups', q: { tensor: 'q', layout: 'hidden', heads: 4 }, k: { tensor: 'k', layout: 'hidden', heads: 2 }, steps: [] }, (n) => ({ q, k })[n]);
    assert.deepEqual(Array.from(p.kHead), [0, 0, 1, 1]);
    const w = recomputeWeights(p);
    close(w, [...softmax2(1, 0), ...softmax2(1, 0), ...softmax2(0, 5), ...softmax2(0, 5)]);
  });

  it('names exactly the tensors to fetch, constants excluded', () => {
    const steps: ScoreStep[] = [
      { kind: 'binary', op: 'Div', operand: value(2), scoresOnLeft: true },
      { kind: 'where', condition: { tensor: 'mask' }, other: value(-1), scoresWhenTrue: true },
    ];
    assert.deepEqual(qkFetchNames(spec(steps)).sort(), ['kt', 'mask', 'q']);
  });

  it('rejects operands that do not broadcast, naming the step', () => {
    const steps: ScoreStep[] = [{ kind: 'binary', op: 'Add', operand: { tensor: 'bad' }, scoresOnLeft: true }];
    assert.throws(() => prepareQk(spec(steps), fetched({ bad: t([3, 2], [0, 0, 0, 0, 0, 0]) })), /step 1 \(binary\).*does not broadcast/);
  });
});
