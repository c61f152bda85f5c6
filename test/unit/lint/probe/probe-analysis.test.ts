// The probe's pure parts, with hand-built inputs: dependency maps, weight sums, the scale
// fit, layouts, seeded inputs, mask encodings, argument planning and the tensor codec.
import { strict as assert } from 'node:assert';
import { scaledDotProductAttention } from '../../../../src/engine/reference/scaled-dot-product-attention';
import { repeatKvHeads } from '../../../../src/engine/reference/head-mapping';
import type { Tensor } from '../../../../src/engine/reference/tensor';
import { buildArguments, CannotCall, planParameters } from '../../../../src/lint/probe/argument-plan';
import { analyseCausal, causalAlignment, changedRows, describeLeak, type DependencyMap } from '../../../../src/lint/probe/dependency-map';
import { encodeMask } from '../../../../src/lint/probe/mask-conventions';
import { keepPattern, normalSampler, oneHotValues, perturbKeyPosition, qkvInputs } from '../../../../src/lint/probe/probe-inputs';
import { fromUserLayout, qkvLayoutOrder, shapeTuples, toUserLayout, xLayoutOrder } from '../../../../src/lint/probe/probe-layouts';
import { decodeFloat32, encodeFloat32 } from '../../../../src/lint/probe/tensor-codec';
import { permute } from '../../../../src/lint/probe/tensor-ops';
import { axisSums, bestScaleFit, describeScale, fitScale, normalisedAxis } from '../../../../src/lint/probe/weights-analysis';
import { asWeights, determinismCheck } from '../../../../src/lint/probe/probe-checks';

function mapOf(n: number, sees: (i: number, j: number) => boolean, m = n): DependencyMap {
  return { queries: n, keys: m, depends: Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => sees(i, j))) };
}

describe('probe analysis: dependency maps', () => {
  it('a lower-triangular map has no leak; the wrong triangle and no mask are named', () => {
    const causal = analyseCausal(mapOf(5, (i, j) => j <= i), 0);
    assert.deepEqual(causal, { leaks: [], pattern: 'none', selfBlind: [], blind: [] });

    const upper = analyseCausal(mapOf(5, (i, j) => j >= i), 0);
    assert.equal(upper.pattern, 'wrong-triangle');
    assert.equal(upper.leaks.length, 10); // the 5·4/2 cells above the diagonal
    assert.equal(describeLeak(upper.leaks), 'position 0 changes when token 4 changes');

    const full = analyseCausal(mapOf(4, () => true), 0);
    assert.equal(full.pattern, 'no-mask');

    const oneLeak = analyseCausal(mapOf(6, (i, j) => j <= i || (i === 2 && j === 5)), 0);
    assert.equal(oneLeak.pattern, 'partial');
    assert.deepEqual(oneLeak.leaks, [{ query: 2, key: 5 }]);
    assert.equal(describeLeak(oneLeak.leaks), 'position 2 changes when token 5 changes');
  });

  it('a masked diagonal (triu without diagonal=1) shows up as rows blind to their own token', () => {
    const strict = analyseCausal(mapOf(4, (i, j) => j < i), 0);
    assert.deepEqual(strict.selfBlind, [0, 1, 2, 3]);
    assert.deepEqual(strict.blind, [0]);
    assert.equal(strict.leaks.length, 0);
  });

  it('tells top-left from bottom-right alignment when Lq < Lk', () => {
    assert.equal(causalAlignment(mapOf(2, (i, j) => j <= i, 5)), 'top-left');
    assert.equal(causalAlignment(mapOf(2, (i, j) => j <= i + 3, 5)), 'bottom-right');
    assert.equal(causalAlignment(mapOf(2, () => true, 5)), undefined);
  });

  it('changedRows finds the rows that moved along an axis, ignoring rounding-size noise', () => {
    const base: Tensor = { data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), shape: [2, 2, 2] };
    const other: Tensor = { data: Float32Array.from([1, 2, 3, 4 + 1e-9, 5, 6.5, 7, 8]), shape: [2, 2, 2] };
    // axis 1: rows are [:, 0, :] and [:, 1, :]; only (b=1, row 0) changed by a real amount
    assert.deepEqual(changedRows(base, other, 1), [true, false]);
  });
});

describe('probe analysis: weights', () => {
  const rowNormalised: Tensor = { data: Float32Array.from([0.2, 0.3, 0.5, 0.1, 0.1, 0.8]), shape: [1, 1, 2, 3] };
  const columnNormalised: Tensor = { data: Float32Array.from([0.25, 0.5, 0.9, 0.75, 0.5, 0.1]), shape: [1, 1, 2, 3] };

  it('sums rows and columns and names the normalised axis', () => {
    const rows = axisSums(rowNormalised);
    assert.ok(rows.rowDeviation < 1e-6);
    assert.equal(normalisedAxis(rows), 'keys');
    const cols = axisSums(columnNormalised);
    assert.deepEqual(cols.badRows, [0, 1]);
    assert.ok(Math.abs(cols.firstRowSums[0] - 1.65) < 1e-6);
    assert.equal(normalisedAxis(cols), 'queries');
  });

  it('keeps NaN rows out of the axis decision but lists them', () => {
    const p: Tensor = { data: Float32Array.from([NaN, NaN, NaN, 0.1, 0.1, 0.8]), shape: [1, 1, 2, 3] };
    const s = axisSums(p);
    assert.deepEqual(s.nonFiniteRows, [0]);
    assert.equal(normalisedAxis(s), 'keys');
  });

  it('fits the effective scale from weights made by the reference at a known scale', () => {
    const inputs = qkvInputs({ batch: 2, queryHeads: 3, kvHeads: 3, queryLength: 5, keyLength: 7, headSize: 8 }, 42);
    for (const scale of [1, 1 / Math.sqrt(8), 1 / 8, 1 / Math.sqrt(24)]) {
      const p = scaledDotProductAttention(inputs.q, inputs.k, inputs.v, { scale }).weights;
      const fit = fitScale(p, inputs.q, inputs.k, 'keys', 'interleave');
      assert.ok(fit && Math.abs(fit.scale - scale) < 1e-4 * scale + 1e-6, `scale ${scale}: fitted ${fit?.scale}`);
      assert.ok(fit.r2 > 0.99999);
    }
    // masked cells (zeros) are left out: a causal mask does not disturb the fit
    const causal = scaledDotProductAttention(inputs.q, inputs.k, inputs.v, { causal: 'bottom-right' }).weights;
    const fit = fitScale(causal, inputs.q, inputs.k, 'keys', 'interleave');
    assert.ok(fit && Math.abs(fit.scale - 1 / Math.sqrt(8)) < 1e-4);
  });

  it('tells repeat_interleave from tiled kv heads by which fit is exact', () => {
    const inputs = qkvInputs({ batch: 1, queryHeads: 4, kvHeads: 2, queryLength: 3, keyLength: 6, headSize: 8 }, 7);
    // tiled: query head h reads kv head h % 2
    const tiledK: Tensor = { data: new Float32Array(4 * 6 * 8), shape: [1, 4, 6, 8] };
    for (let h = 0; h < 4; h++) tiledK.data.set(inputs.k.data.subarray((h % 2) * 48, (h % 2) * 48 + 48), h * 48);
    const p = scaledDotProductAttention(inputs.q, tiledK, repeatKvHeads(inputs.v, 4)).weights;
    const fit = bestScaleFit(p, inputs.q, inputs.k, 'keys');
    assert.equal(fit?.mapping, 'tile');
    assert.ok(fit && fit.r2 > 0.99999);
    const interleaved = scaledDotProductAttention(inputs.q, inputs.k, inputs.v).weights;
    assert.equal(bestScaleFit(interleaved, inputs.q, inputs.k, 'keys')?.mapping, 'interleave');
  });

  it('names common wrong scales', () => {
    assert.equal(describeScale(1, 8, 24), 'no scaling at all');
    assert.match(describeScale(1 / 8, 8, 24), /divided by d_k instead of √d_k/);
    assert.match(describeScale(1 / Math.sqrt(24), 8, 24), /model width/);
    assert.match(describeScale(Math.sqrt(8), 8, 24), /multiplied instead of divided/);
  });

  it('reads returned weights in the usual shapes, and flags the key-major transpose', () => {
    const p = new Float32Array(2 * 3 * 5 * 7).map((_, i) => i);
    assert.deepEqual(asWeights({ data: p, shape: [2, 3, 5, 7] }, 2, 3, 5, 7)?.p.shape, [2, 3, 5, 7]);
    assert.deepEqual(asWeights({ data: p, shape: [6, 5, 7] }, 2, 3, 5, 7)?.p.shape, [2, 3, 5, 7]);
    const t = asWeights({ data: p, shape: [2, 3, 7, 5] }, 2, 3, 5, 7);
    assert.equal(t?.transposed, true);
    assert.deepEqual(t?.p.shape, [2, 3, 5, 7]);
    assert.equal(t?.p.data[1], p[5]); // P[0,0,0,1] = keyMajor[0,0,1,0]
    assert.equal(asWeights({ data: p.subarray(0, 35), shape: [5, 7] }, 2, 3, 5, 7), undefined);
  });

  it('tells dropout at inference (seed-dependent) from unseeded randomness', () => {
    const base: Tensor = { data: Float32Array.from([1, 2]), shape: [2] };
    const moved: Tensor = { data: Float32Array.from([1, 2.5]), shape: [2] };
    assert.equal(determinismCheck(base, base, base).check.status, 'pass');
    const dropout = determinismCheck(base, base, moved);
    assert.equal(dropout.check.status, 'fail');
    assert.equal(dropout.unstable, false);
    assert.match(dropout.check.message, /dropout is still active at inference/);
    assert.equal(determinismCheck(base, moved, base).unstable, true);
  });
});

describe('probe analysis: layouts and inputs', () => {
  it('round-trips every layout and accepts heads-merged outputs', () => {
    const next = normalSampler(3);
    const t: Tensor = { data: Float32Array.from({ length: 2 * 3 * 5 * 4 }, next), shape: [2, 3, 5, 4] };
    for (const layout of ['BHLD', 'BLHD', 'BLC'] as const) {
      const user = toUserLayout(t, layout);
      assert.deepEqual(fromUserLayout(user, layout, [2, 3, 5, 4])?.data, t.data, layout);
    }
    const single: Tensor = { data: t.data.subarray(0, 20), shape: [1, 1, 5, 4] };
    assert.deepEqual(toUserLayout(single, 'LD').shape, [5, 4]);
    assert.deepEqual(fromUserLayout(toUserLayout(single, 'LD'), 'LD', [1, 1, 5, 4])?.data, single.data);
    // a BHLD kernel that merges heads at the end: [B, L, H·D]
    const merged = toUserLayout(t, 'BLC');
    assert.deepEqual(fromUserLayout(merged, 'BHLD', [2, 3, 5, 4])?.data, t.data);
    assert.equal(fromUserLayout({ data: t.data, shape: [2, 5, 12] }, 'BHLD', [2, 3, 4, 5]), undefined);
  });

  it('permute matches a hand-computed transpose', () => {
    const t: Tensor = { data: Float32Array.from([0, 1, 2, 3, 4, 5]), shape: [2, 3] };
    assert.deepEqual(Array.from(permute(t, [1, 0]).data), [0, 3, 1, 4, 2, 5]);
  });

  it('orders layouts by docstring shape hints', () => {
    assert.deepEqual(shapeTuples('q: (B, T, H, D)  k: [batch, n_heads, seq_len, head_dim]'), [
      ['B', 'L', 'H', 'D'],
      ['B', 'H', 'L', 'D'],
    ]);
    assert.equal(qkvLayoutOrder('q, k, v: (B, T, H, D)', false)[0], 'BLHD');
    assert.equal(qkvLayoutOrder('x: (B, T, C)', true)[0], 'BLC');
    assert.equal(qkvLayoutOrder('', false)[0], 'BHLD');
    assert.equal(qkvLayoutOrder('q (T, d_k)', false)[0], 'LD');
    assert.equal(xLayoutOrder('src: (T, B, C) sequence-first')[0], 'TBC');
  });

  it('generates the same inputs for the same seed, and changes only the perturbed key', () => {
    const shape = { batch: 2, queryHeads: 3, kvHeads: 3, queryLength: 5, keyLength: 7, headSize: 8 };
    const a = qkvInputs(shape, 9);
    const b = qkvInputs(shape, 9);
    assert.deepEqual(a.q.data, b.q.data);
    assert.notDeepEqual(a.q.data, qkvInputs(shape, 10).q.data);
    const moved = perturbKeyPosition(a, 4, 1);
    assert.deepEqual(moved.q.data, a.q.data);
    for (let bh = 0; bh < 6; bh++) {
      for (let j = 0; j < 7; j++) {
        const row = (bh * 7 + j) * 8;
        const same = a.k.data.subarray(row, row + 8).every((x, e) => x === moved.k.data[row + e]);
        assert.equal(same, j !== 4, `k row (bh ${bh}, j ${j})`);
        const sameV = a.v.data.subarray(row, row + 8).every((x, e) => x === moved.v.data[row + e]);
        assert.equal(sameV, j !== 4, `v row (bh ${bh}, j ${j})`);
      }
    }
  });

  it('one-hot values make the output equal the weights', () => {
    const inputs = qkvInputs({ batch: 1, queryHeads: 2, kvHeads: 2, queryLength: 3, keyLength: 5, headSize: 6 }, 5);
    const v = oneHotValues(1, 2, 5, 6);
    const r = scaledDotProductAttention(inputs.q, inputs.k, v);
    for (let row = 0; row < 2 * 3; row++) {
      for (let j = 0; j < 5; j++) assert.ok(Math.abs(r.output.data[row * 6 + j] - r.weights.data[row * 5 + j]) < 1e-6);
      assert.equal(r.output.data[row * 6 + 5], 0);
    }
  });

  it('keep patterns never empty a row and mix every column', () => {
    const keep = keepPattern(5, 7, 11);
    for (let i = 0; i < 5; i++) assert.equal(keep[i * 7], 1);
    for (let j = 1; j < 7; j++) {
      const col = Array.from({ length: 5 }, (_, i) => keep[i * 7 + j]);
      assert.ok(col.includes(0) && col.includes(1), `column ${j}: ${col}`);
    }
  });

  it('encodes one keep pattern in the five mask conventions', () => {
    const keep = Uint8Array.from([1, 0]);
    const data = (c: Parameters<typeof encodeMask>[3]) => {
      const v = encodeMask(keep, 1, 2, c);
      return v.kind === 'tensor' ? [Array.from(v.data), v.dtype] : [];
    };
    assert.deepEqual(data('bool-keep'), [[1, 0], 'bool']);
    assert.deepEqual(data('bool-block'), [[0, 1], 'bool']);
    assert.deepEqual(data('float-keep'), [[1, 0], 'float32']);
    assert.deepEqual(data('float-block'), [[0, 1], 'float32']);
    assert.deepEqual(data('additive'), [[0, -Infinity], 'float32']);
  });
});

describe('probe analysis: arguments and codec', () => {
  const sizes = { batch: 2, heads: 6, kvHeads: 2, headSize: 8, modelWidth: 48, queryLength: 5, keyLength: 7 };
  const q = { kind: 'tensor' as const, data: new Float32Array(1), shape: [1] };

  it('fills sizes by name, zeroes dropout and leaves other defaults alone', () => {
    const plan = planParameters([
      { name: 'q', kind: 'either', hasDefault: false },
      { name: 'k', kind: 'either', hasDefault: false },
      { name: 'v', kind: 'either', hasDefault: false },
      { name: 'n_rep', kind: 'either', hasDefault: false },
      { name: 'dropout_p', kind: 'either', hasDefault: true, default: 0.1 },
      { name: 'temperature', kind: 'keyword', hasDefault: true, default: 1 },
      { name: 'head_dim', kind: 'positional', hasDefault: false },
      { name: 'kwargs', kind: 'variadic', hasDefault: false },
    ]);
    const args = buildArguments(plan, { query: q, key: q, value: q, sizes }, 'python');
    assert.deepEqual(
      args.map((a) => [a.name, a.value.kind === 'tensor' ? 'tensor' : 'value' in a.value ? a.value.value : a.value.kind, a.positional]),
      [
        ['q', 'tensor', false],
        ['k', 'tensor', false],
        ['v', 'tensor', false],
        ['n_rep', 3, false],
        ['dropout_p', 0, false],
        ['head_dim', 8, true],
      ],
    );
  });

  it('refuses a required parameter it cannot interpret, naming it', () => {
    const plan = planParameters([
      { name: 'q', kind: 'either', hasDefault: false },
      { name: 'k', kind: 'either', hasDefault: false },
      { name: 'v', kind: 'either', hasDefault: false },
      { name: 'rotary_table', kind: 'either', hasDefault: false },
    ]);
    assert.throws(() => buildArguments(plan, { query: q, key: q, value: q, sizes }, 'python'), (e: Error) => e instanceof CannotCall && /rotary_table/.test(e.message));
  });

  it('holds places for skipped defaults in TS/JS (positional calls)', () => {
    const plan = planParameters([
      { name: 'q', kind: 'positional', hasDefault: false },
      { name: 'k', kind: 'positional', hasDefault: false },
      { name: 'v', kind: 'positional', hasDefault: false },
      { name: 'mask', kind: 'positional', hasDefault: true },
      { name: 'd', kind: 'positional', hasDefault: false },
    ]);
    const args = buildArguments(plan, { query: q, key: q, value: q, sizes }, 'typescript');
    assert.deepEqual(
      args.map((a) => [a.name, a.value.kind]),
      [
        ['q', 'tensor'],
        ['k', 'tensor'],
        ['v', 'tensor'],
        ['mask', 'none'],
        ['d', 'int'],
      ],
    );
  });

  it('base64 float32 round-trips exactly, NaN and ±∞ included', () => {
    const data = Float32Array.from([0, -1.5, 3.25e-8, NaN, Infinity, -Infinity, 65504]);
    const back = decodeFloat32(encodeFloat32(data));
    assert.equal(back.length, data.length);
    for (let i = 0; i < data.length; i++) assert.ok(Object.is(back[i], data[i]) || (Number.isNaN(back[i]) && Number.isNaN(data[i])));
    // the wire format is little-endian float32: 1.0 is 00 00 80 3f
    assert.equal(encodeFloat32(Float32Array.from([1])), Buffer.from([0, 0, 0x80, 0x3f]).toString('base64'));
  });
});
