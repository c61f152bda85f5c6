import { strict as assert } from 'node:assert';
import { scaledDotProductAttention } from '../../../../src/engine/reference/scaled-dot-product-attention';
import { TileStep, tiledAttention } from '../../../../src/engine/reference/tiled-attention';
import { Tensor, tensor } from '../../../../src/engine/reference/tensor';
import { assertClose, wave } from './helpers';

type Causal = 'top-left' | 'bottom-right' | false;

/**
 * The textbook formula as a plain loop in float64, independent of every kernel under test:
 * score = scale·q·k (softcap), hidden if j > i + offset, softmax, weighted sum of v.
 */
function naiveAttention(q: Tensor, k: Tensor, v: Tensor, causal: Causal, scale?: number, cap = 0): { out: Float32Array; weights: Float64Array } {
  const [B, Hq, Lq, D] = q.shape;
  const [, Hkv, Lk] = k.shape;
  const Dv = v.shape[3];
  const s = scale ?? 1 / Math.sqrt(D);
  const offset = causal === 'top-left' ? 0 : causal === 'bottom-right' ? Lk - Lq : Infinity;
  const out = new Float32Array(B * Hq * Lq * Dv);
  const weights = new Float64Array(B * Hq * Lq * Lk);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < Hq; h++) {
      const g = Math.floor(h / (Hq / Hkv));
      for (let i = 0; i < Lq; i++) {
        const row = new Float64Array(Lk).fill(-Infinity);
        for (let j = 0; j < Lk; j++) {
          if (j > i + offset) continue;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q.data[((b * Hq + h) * Lq + i) * D + d] * k.data[((b * Hkv + g) * Lk + j) * D + d];
          row[j] = cap > 0 ? cap * Math.tanh((dot * s) / cap) : dot * s;
        }
        const max = Math.max(...row);
        if (max === -Infinity) continue;
        let sum = 0;
        for (let j = 0; j < Lk; j++) sum += (row[j] = Math.exp(row[j] - max));
        for (let j = 0; j < Lk; j++) {
          const p = row[j] / sum;
          weights[((b * Hq + h) * Lq + i) * Lk + j] = p;
          for (let d = 0; d < Dv; d++) out[((b * Hq + h) * Lq + i) * Dv + d] += p * v.data[((b * Hkv + g) * Lk + j) * Dv + d];
        }
      }
    }
  }
  return { out, weights };
}

/**
 * Bytes held by ArrayBuffers right now: where every typed-array buffer (an n×n score
 * matrix included) lives. The JS heap is checked separately and loosely, since it also
 * holds garbage that has not been collected yet.
 */
function arrayBufferBytes(): number {
  return process.memoryUsage().arrayBuffers;
}

describe('reference: tiled (FlashAttention-style) attention', () => {
  const cases: Array<{ name: string; b: number; hq: number; hkv: number; lq: number; lk: number; d: number; dv: number; causal: Causal; bq: number; bk: number; scale?: number; softcap?: number }> = [
    { name: 'MHA, blocks dividing n', b: 1, hq: 2, hkv: 2, lq: 64, lk: 64, d: 16, dv: 16, causal: false, bq: 16, bk: 16 },
    { name: 'MHA causal, ragged blocks', b: 2, hq: 2, hkv: 2, lq: 70, lk: 70, d: 8, dv: 5, causal: 'top-left', bq: 16, bk: 24 },
    { name: 'GQA 6→2, cross-attention Lq < Lk', b: 1, hq: 6, hkv: 2, lq: 37, lk: 53, d: 12, dv: 12, causal: false, bq: 8, bk: 12 },
    { name: 'MQA, bottom-right, decoding 5 new tokens after 125', b: 1, hq: 3, hkv: 1, lq: 5, lk: 130, d: 7, dv: 9, causal: 'bottom-right', bq: 4, bk: 32 },
    { name: 'top-left with Lq < Lk (last keys unseen)', b: 1, hq: 2, hkv: 1, lq: 9, lk: 30, d: 4, dv: 4, causal: 'top-left', bq: 4, bk: 8 },
    { name: 'bottom-right with Lq > Lk (first rows see nothing)', b: 1, hq: 2, hkv: 2, lq: 40, lk: 11, d: 6, dv: 3, causal: 'bottom-right', bq: 8, bk: 4 },
    { name: 'block sizes of one (pure online softmax)', b: 1, hq: 1, hkv: 1, lq: 13, lk: 17, d: 3, dv: 2, causal: 'top-left', bq: 1, bk: 1 },
    { name: 'blocks larger than the sequence', b: 1, hq: 2, hkv: 2, lq: 10, lk: 10, d: 5, dv: 5, causal: 'top-left', bq: 64, bk: 64 },
    { name: 'one decoding query over 300 cached keys (default blocks)', b: 2, hq: 4, hkv: 1, lq: 1, lk: 300, d: 16, dv: 16, causal: 'bottom-right', bq: 128, bk: 64 },
    { name: 'custom scale and softcap', b: 1, hq: 4, hkv: 2, lq: 33, lk: 33, d: 8, dv: 8, causal: 'top-left', bq: 8, bk: 8, scale: 1.7, softcap: 2 },
  ];
  for (const c of cases) for (const kernel of ['javascript', 'wasm-simd'] as const) {
    it(`equals the naive result within 1e-5 (${kernel}): ${c.name}`, () => {
      const q = wave([c.b, c.hq, c.lq, c.d], 1);
      // larger key values give peaked softmax rows, so the running max really moves between tiles
      const k = wave([c.b, c.hkv, c.lk, c.d], 2);
      for (let i = 0; i < k.data.length; i++) k.data[i] *= 3 + (i % 7);
      const v = wave([c.b, c.hkv, c.lk, c.dv], 3);
      const tiled = tiledAttention(q, k, v, { causal: c.causal, blockQ: c.bq, blockK: c.bk, scale: c.scale, softcap: c.softcap, kernel });
      assert.equal(tiled.kernel, kernel);
      const naive = naiveAttention(q, k, v, c.causal, c.scale, c.softcap);
      assert.deepEqual(tiled.output.shape, [c.b, c.hq, c.lq, c.dv]);
      assertClose(tiled.output.data, naive.out, 1e-5, 'vs naive loop');
      const sdpa = scaledDotProductAttention(q, k, v, { causal: c.causal, scale: c.scale, softcap: c.softcap });
      assertClose(tiled.output.data, sdpa.output.data, 1e-5, 'vs scaledDotProductAttention');
    });
  }

  it('log-sum-exp recovers every attention weight: exp(score − lse) = softmax', () => {
    const q = wave([1, 2, 20, 4], 4);
    const k = wave([1, 2, 20, 4], 5);
    const v = wave([1, 2, 20, 4], 6);
    const { logSumExp } = tiledAttention(q, k, v, { causal: 'top-left', blockQ: 8, blockK: 8 });
    const { weights } = naiveAttention(q, k, v, 'top-left');
    for (let h = 0; h < 2; h++) {
      for (let i = 0; i < 20; i++) {
        const lse = logSumExp.data[h * 20 + i];
        for (let j = 0; j <= i; j++) {
          let dot = 0;
          for (let d = 0; d < 4; d++) dot += q.data[(h * 20 + i) * 4 + d] * k.data[(h * 20 + j) * 4 + d];
          const w = Math.exp(dot / 2 - lse);
          assert.ok(Math.abs(w - weights[(h * 20 + i) * 20 + j]) < 1e-6, `h${h} (${i}, ${j})`);
        }
      }
    }
  });

  // JavaScript exps are within 1e-8 of Math.exp; the SIMD ones are float32 (≈ 1e-7)
  for (const [kernel, tol] of [['javascript', 1e-8], ['wasm-simd', 1e-6]] as const) it(`hand-computed online softmax over two tiles (${kernel}): the correction exp(m_old − m_new) rescales the first tile`, () => {
    // one query q = [1], keys [0, 2 | 1, 3] in two tiles of 2, scale 1, values [1, 2 | 3, 4]
    const q = tensor([1], [1, 1, 1, 1]);
    const k = tensor([0, 2, 1, 3], [1, 1, 4, 1]);
    const v = tensor([1, 2, 3, 4], [1, 1, 4, 1]);
    const steps: Array<{ prev: number; max: number; sum: number; corr: number; scores: number[] }> = [];
    const r = tiledAttention(q, k, v, {
      scale: 1,
      blockQ: 1,
      blockK: 2,
      kernel,
      onTile: (t: TileStep) => steps.push({ prev: t.previousMax[0], max: t.runningMax[0], sum: t.runningSum[0], corr: t.correction[0], scores: [t.scores[0], t.scores[1]] }),
    });
    // tile 1: m = 2, l = e^(0−2) + e^0 = e^−2 + 1
    // tile 2: m = 3, c = e^(2−3), l = c·(e^−2 + 1) + e^(1−3) + e^0
    assert.equal(steps.length, 2);
    assert.deepEqual(steps[0].scores, [0, 2]);
    assert.equal(steps[0].prev, -Infinity);
    assert.equal(steps[0].max, 2);
    assert.ok(Math.abs(steps[0].sum - (Math.exp(-2) + 1)) < tol);
    assert.equal(steps[1].prev, 2);
    assert.equal(steps[1].max, 3);
    assert.ok(Math.abs(steps[1].corr - Math.exp(-1)) < 1e-12);
    const l = Math.exp(-1) * (Math.exp(-2) + 1) + Math.exp(-2) + 1;
    assert.ok(Math.abs(steps[1].sum - l) < tol);
    const z = Math.exp(0) + Math.exp(2) + Math.exp(1) + Math.exp(3);
    const expected = (1 * Math.exp(0) + 2 * Math.exp(2) + 3 * Math.exp(1) + 4 * Math.exp(3)) / z;
    assert.ok(Math.abs(r.output.data[0] - expected) < 1e-6);
    assert.ok(Math.abs(r.logSumExp.data[0] - Math.log(z)) < 1e-6);
  });

  it('causal skips the tiles above the diagonal (10 of 16 computed for 4×4 blocks), and reports each one', () => {
    const n = 256;
    const x = wave([1, 1, n, 8], 1);
    const seen: boolean[] = [];
    const r = tiledAttention(x, x, x, { causal: 'top-left', blockQ: 64, blockK: 64, onTile: (t) => seen.push(t.skipped) });
    assert.equal(r.tilesComputed, 1 + 2 + 3 + 4);
    assert.equal(r.tilesSkipped, 6);
    assert.equal(seen.length, 16);
    assert.equal(seen.filter((s) => s).length, 6);
    // the running max never decreases and the final sums give the log-sum-exp
    let lastMax = -Infinity;
    tiledAttention(x, x, x, {
      blockQ: 1,
      blockK: 16,
      onTile: (t) => {
        if (t.queryStart !== 7) return;
        assert.ok(t.runningMax[0] >= lastMax);
        lastMax = t.runningMax[0];
      },
    });
  });

  it('working memory stays O(block): n = 8,192, one head, d = 64 allocates far below n²·4 bytes = 256 MiB', function () {
    this.timeout(600000);
    const n = 8192;
    const d = 64;
    const q = wave([1, 1, n, d], 1);
    const k = wave([1, 1, n, d], 2);
    const v = wave([1, 1, n, d], 3);
    const before = arrayBufferBytes();
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = before;
    let heapPeak = heapBefore;
    let tiles = 0;
    const r = tiledAttention(q, k, v, {
      causal: 'top-left',
      onTile: () => {
        if (tiles++ % 64 !== 0) return; // sample while the kernel runs
        const m = process.memoryUsage();
        peak = Math.max(peak, m.arrayBuffers);
        heapPeak = Math.max(heapPeak, m.heapUsed);
      },
    });
    peak = Math.max(peak, arrayBufferBytes());
    const grew = peak - before;
    const outputBytes = n * d * 4;
    const nSquared = n * n * 4;
    // measured growth: the output (2 MiB) + O(block) working buffers, nothing like an n×n buffer
    assert.ok(grew < outputBytes + 8 * 1024 * 1024, `tiled grew ${(grew / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(grew < nSquared / 16);
    assert.ok(heapPeak - heapBefore < nSquared / 4, `JS heap grew ${((heapPeak - heapBefore) / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(r.workingBytes < 256 * 1024, `working buffers ${r.workingBytes} B`);
    // default tiles of 128 queries × 64 keys: query block b (of 64) reaches 2(b + 1) key blocks
    assert.equal(r.tilesComputed, 2 * ((64 * 65) / 2));
  });

  it('the same meter sees the naive kernel’s n×n buffer (n = 2,048: ≥ n²·4 bytes = 16 MiB)', function () {
    this.timeout(600000);
    // proves the memory test above can fail: the standard kernel holds [Lq, Lk] weights
    const n = 2048;
    const x = wave([1, 1, n, 64], 1);
    const before = arrayBufferBytes();
    const result = scaledDotProductAttention(x, x, x, { causal: 'top-left' });
    const grew = arrayBufferBytes() - before;
    assert.ok(grew >= n * n * 4, `naive grew only ${(grew / 2 ** 20).toFixed(1)} MiB`);
    assert.equal(result.weights.data.length, n * n); // keep the result alive until measured
  });
});
