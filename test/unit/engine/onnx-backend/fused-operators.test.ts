// Attention written as one operator, in small graphs built here and run by ONNX Runtime:
// ONNX Attention-23 (both routes: its qk_matmul_output switched on by surgery, and Q/K
// recomputation), com.microsoft GroupQueryAttention with rotary and a sliding window, and
// MultiHeadAttention with a packed bias, an attention bias and a key padding mask. The
// recomputed weights are checked against ORT's own output (P·V = Y) and, where one exists,
// against the reference attention kernel.
import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import { AttentionSession } from '../../../../src/engine/onnx/attention-session';
import { DataType } from '../../../../src/engine/onnx/proto';
import { recomputeWeights } from '../../../../src/engine/onnx/qk-recompute';
import { boolMask } from '../../../../src/engine/reference/masks';
import { applyRotaryEmbedding } from '../../../../src/engine/reference/rotary-embedding';
import { scaledDotProductAttention } from '../../../../src/engine/reference/scaled-dot-product-attention';
import { float, floatTensor, int, model, node, randomValues, valueInfo } from './graph-builder';
import { maxAbsDiff } from './fixture-golden';

const f32 = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);

describe('fused attention operators', () => {
  it('ONNX Attention-23 (GQA, causal, bool mask): route 1 via qk_matmul_output, route 2, and the reference agree', async () => {
    const [H, HK, L, D] = [4, 2, 7, 8];
    const m = model({
      opset: 23,
      nodes: [node('Attention', ['Q', 'K', 'V', 'M'], ['Y'], [int('is_causal', 1), float('scale', 0.3)], '', 'attn')],
      inputs: [valueInfo('Q', DataType.FLOAT, [1, H, L, D]), valueInfo('K', DataType.FLOAT, [1, HK, L, D]), valueInfo('V', DataType.FLOAT, [1, HK, L, D]), valueInfo('M', DataType.BOOL, [L, L])],
      outputs: [valueInfo('Y', DataType.FLOAT, [1, H, L, D])],
    });
    const session = AttentionSession.open(m, { provider: 'cpu', tuning: { threads: 1 } });
    try {
      assert.equal(session.sites.length, 1);
      const site = session.sites[0];
      assert.equal(site.op, 'Attention');
      assert.ok(site.probs && site.qk);
      const q = randomValues(H * L * D, 1);
      const k = randomValues(HK * L * D, 2);
      const v = randomValues(HK * L * D, 3);
      // Keep everything except key 1 for queries ≥ 3 (a hand-made hole in the mask).
      const keep = new Uint8Array(L * L).fill(1);
      for (let i = 3; i < L; i++) keep[i * L + 1] = 0;
      const feeds = { Q: f32(q, [1, H, L, D]), K: f32(k, [1, HK, L, D]), V: f32(v, [1, HK, L, D]), M: new ort.Tensor('bool', keep, [L, L]) };
      const p1 = (await session.probabilities(feeds, [0])).get(0)!;
      const p2 = recomputeWeights((await session.queriesAndKeys(feeds, [0])).get(0)!);
      const ref = scaledDotProductAttention({ data: q, shape: [1, H, L, D] }, { data: k, shape: [1, HK, L, D] }, { data: v, shape: [1, HK, L, D] }, {
        scale: 0.3,
        causal: 'top-left',
        mask: boolMask(keep, [L, L]),
      }).weights.data;
      assert.deepEqual(p1.dims, [1, H, L, L]);
      assert.ok(maxAbsDiff(p1.data, ref) <= 1e-5, `route 1 vs reference ${maxAbsDiff(p1.data, ref)}`);
      assert.ok(maxAbsDiff(p2, ref) <= 1e-5, `route 2 vs reference ${maxAbsDiff(p2, ref)}`);
      assert.equal(p2[(0 * L + 4) * L + 1], 0, 'masked key gets no weight');
    } finally {
      await session.release();
    }
  });

  it('com.microsoft GroupQueryAttention with rotary and a sliding window: P·V reproduces ORT, and the reference agrees', async () => {
    const [H, HK, L, D, W] = [4, 2, 9, 16, 3];
    const half = D / 2;
    const maxPos = 32;
    const cos = new Float32Array(maxPos * half);
    const sin = new Float32Array(maxPos * half);
    for (let p = 0; p < maxPos; p++) {
      for (let i = 0; i < half; i++) {
        const theta = p * Math.pow(10000, (-2 * i) / D);
        cos[p * half + i] = Math.cos(theta);
        sin[p * half + i] = Math.sin(theta);
      }
    }
    const m = model({
      microsoft: true,
      nodes: [
        node(
          'GroupQueryAttention',
          ['Q', 'K', 'V', '', '', 'seqlens_k', 'total_sequence_length', 'cos', 'sin'],
          ['Y', 'present_key', 'present_value'],
          [int('num_heads', H), int('kv_num_heads', HK), int('do_rotary', 1), int('local_window_size', W)],
          'com.microsoft',
          'gqa',
        ),
      ],
      inputs: [
        valueInfo('Q', DataType.FLOAT, [1, 'seq', H * D]),
        valueInfo('K', DataType.FLOAT, [1, 'seq', HK * D]),
        valueInfo('V', DataType.FLOAT, [1, 'seq', HK * D]),
        valueInfo('seqlens_k', DataType.INT32, [1]),
        valueInfo('total_sequence_length', DataType.INT32, []),
      ],
      outputs: [valueInfo('Y', DataType.FLOAT, [1, 'seq', H * D])],
      initializers: [floatTensor('cos', [maxPos, half], cos), floatTensor('sin', [maxPos, half], sin)],
    });
    const session = AttentionSession.open(m, { provider: 'cpu', tuning: { threads: 1 } });
    try {
      const site = session.sites[0];
      assert.equal(site.op, 'com.microsoft.GroupQueryAttention');
      assert.equal(site.probs, undefined);
      const q = randomValues(L * H * D, 4);
      const k = randomValues(L * HK * D, 5);
      const feeds = {
        Q: f32(q, [1, L, H * D]),
        K: f32(k, [1, L, HK * D]),
        V: f32(randomValues(L * HK * D, 6), [1, L, HK * D]),
        seqlens_k: new ort.Tensor('int32', Int32Array.of(L - 1), [1]),
        total_sequence_length: new ort.Tensor('int32', Int32Array.of(L), []),
      };
      assert.deepEqual(await session.checkFusedSites(feeds), [], 'P·V equals the operator output');
      const w = recomputeWeights((await session.queriesAndKeys(feeds, [0])).get(0)!);
      // Reference: rotate, then causal attention restricted to the last W keys (the query's own included).
      const positions = { data: Array.from({ length: L }, (_, i) => i), shape: [1, L] };
      const rq = applyRotaryEmbedding({ data: q, shape: [1, L, H * D] }, { data: cos, shape: [maxPos, half] }, { data: sin, shape: [maxPos, half] }, { numHeads: H, positionIds: positions });
      const rk = applyRotaryEmbedding({ data: k, shape: [1, L, HK * D] }, { data: cos, shape: [maxPos, half] }, { data: sin, shape: [maxPos, half] }, { numHeads: HK, positionIds: positions });
      const toHeads = (x: Float32Array, heads: number) => {
        const out = new Float32Array(x.length);
        for (let l = 0; l < L; l++) for (let h = 0; h < heads; h++) for (let d = 0; d < D; d++) out[(h * L + l) * D + d] = x[l * heads * D + h * D + d];
        return { data: out, shape: [1, heads, L, D] };
      };
      const window = new Uint8Array(L * L);
      for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) window[i * L + j] = j <= i && j > i - W ? 1 : 0;
      const kh = toHeads(rk.data, HK);
      const ref = scaledDotProductAttention(toHeads(rq.data, H), kh, kh, { mask: boolMask(window, [L, L]) }).weights.data;
      assert.ok(maxAbsDiff(w, ref) <= 1e-5, `GQA recompute vs reference ${maxAbsDiff(w, ref)}`);
      assert.equal(w[(1 * L + 8) * L + 5], 0, 'key 5 is outside the window of query 8');
      assert.ok(w[(1 * L + 8) * L + 6] > 0, 'key 6 is inside it');
    } finally {
      await session.release();
    }
  });

  it('com.microsoft MultiHeadAttention with packed bias, attention bias and key padding: P·V reproduces ORT', async () => {
    const [H, L, D] = [2, 6, 8];
    const hidden = H * D;
    const m = model({
      microsoft: true,
      nodes: [node('MultiHeadAttention', ['Q', 'K', 'V', 'bias', 'kpm', 'ab'], ['Y'], [int('num_heads', H), float('scale', 0.25)], 'com.microsoft', 'mha')],
      inputs: [
        valueInfo('Q', DataType.FLOAT, [1, L, hidden]),
        valueInfo('K', DataType.FLOAT, [1, L, hidden]),
        valueInfo('V', DataType.FLOAT, [1, L, hidden]),
        valueInfo('kpm', DataType.INT32, [1, L]),
        valueInfo('ab', DataType.FLOAT, [1, H, L, L]),
      ],
      outputs: [valueInfo('Y', DataType.FLOAT, [1, L, hidden])],
      initializers: [floatTensor('bias', [3 * hidden], randomValues(3 * hidden, 7))],
    });
    const session = AttentionSession.open(m, { provider: 'cpu', tuning: { threads: 1 } });
    try {
      const feeds = {
        Q: f32(randomValues(L * hidden, 8), [1, L, hidden]),
        K: f32(randomValues(L * hidden, 9), [1, L, hidden]),
        V: f32(randomValues(L * hidden, 10), [1, L, hidden]),
        kpm: new ort.Tensor('int32', Int32Array.from([1, 1, 1, 1, 0, 0]), [1, L]),
        ab: f32(randomValues(H * L * L, 11), [1, H, L, L]),
      };
      const problems = await session.checkFusedSites(feeds);
      assert.deepEqual(problems, []);
      const w = recomputeWeights((await session.queriesAndKeys(feeds, [0])).get(0)!);
      for (let row = 0; row < H * L; row++) {
        let sum = 0;
        for (let j = 0; j < L; j++) sum += w[row * L + j];
        assert.ok(Math.abs(sum - 1) < 1e-5);
        assert.ok(w[row * L + 4] < 1e-3 && w[row * L + 5] < 1e-3, 'padded keys get (almost) no weight');
      }
    } finally {
      await session.release();
    }
  });
});
