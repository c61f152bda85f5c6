// RoPE in the reference decoder: the tables (found in an exported graph, or computed as
// PyTorch computes them in float32) and the forward pass with rotated queries and keys,
// cross-checked against a plain loop-by-loop implementation of the same formulas.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openModelFolder } from '../../../../src/engine/model/model-folder';
import { runDecoder } from '../../../../src/engine/reference-model/decoder-forward';
import { readDecoderWeights, type DecoderWeights, type LinearWeights } from '../../../../src/engine/reference-model/decoder-weights';
import { ropeTablesComputed, ropeTablesFromGraph } from '../../../../src/engine/reference-model/rope-tables';
import { GPT2_FUSED, maxAbsDiff, REPO } from './reference-test-inputs';

/** The whole decoder written as plain loops over the formulas (no shared kernels), RoPE included. */
function naiveAttention(w: DecoderWeights, ids: number[]): number[][][][] {
  const d = w.dModel;
  const H = w.heads;
  const hd = d / H;
  const T = ids.length;
  const lin = (x: number[][], l: LinearWeights) =>
    x.map((row) => {
      const out: number[] = [];
      const [n, m] = l.weight.shape;
      for (let j = 0; j < m; j++) {
        let s = l.bias ? l.bias.data[j] : 0;
        for (let k = 0; k < n; k++) s += row[k] * l.weight.data[k * m + j];
        out.push(s);
      }
      return out;
    });
  const ln = (x: number[][], p: { scale: { data: Float32Array }; bias?: { data: Float32Array }; epsilon: number }) =>
    x.map((row) => {
      const mu = row.reduce((a, b) => a + b, 0) / row.length;
      const v = row.reduce((a, b) => a + (b - mu) ** 2, 0) / row.length;
      return row.map((val, j) => ((val - mu) / Math.sqrt(v + p.epsilon)) * p.scale.data[j] + (p.bias ? p.bias.data[j] : 0));
    });
  const g = (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
  let x = ids.map((id) => Array.from(w.tokenEmbedding.data.subarray(id * d, (id + 1) * d)));
  const inv = Array.from({ length: hd / 2 }, (_, i) => Math.pow(w.ropeTheta, (-2 * i) / hd));
  const rotate = (vec: number[], p: number) => {
    const out = vec.slice();
    for (let i = 0; i < hd / 2; i++) {
      const c = Math.cos(p * inv[i]);
      const s = Math.sin(p * inv[i]);
      out[i] = vec[i] * c - vec[i + hd / 2] * s;
      out[i + hd / 2] = vec[i] * s + vec[i + hd / 2] * c;
    }
    return out;
  };
  const all: number[][][][] = [];
  for (const layer of w.layers) {
    const h = ln(x, layer.ln1);
    if (!('fused' in layer.qkv)) throw new Error('fused QKV expected');
    const qkv = lin(h, layer.qkv.fused);
    const probs: number[][][] = [];
    const ctx = x.map(() => new Array<number>(d).fill(0));
    for (let head = 0; head < H; head++) {
      const q = qkv.map((r, p) => rotate(r.slice(head * hd, (head + 1) * hd), p));
      const k = qkv.map((r, p) => rotate(r.slice(d + head * hd, d + (head + 1) * hd), p));
      const v = qkv.map((r) => r.slice(2 * d + head * hd, 2 * d + (head + 1) * hd));
      const rows: number[][] = [];
      for (let i = 0; i < T; i++) {
        const s = k.map((kj, j) => (j > i ? -Infinity : q[i].reduce((a, qi, c) => a + qi * kj[c], 0) / Math.sqrt(hd)));
        const mx = Math.max(...s);
        const e = s.map((z) => Math.exp(z - mx));
        const sum = e.reduce((a, b) => a + b, 0);
        rows.push(e.map((z) => z / sum));
        for (let c = 0; c < hd; c++) ctx[i][head * hd + c] = rows[i].reduce((a, pj, j) => a + pj * v[j][c], 0);
      }
      probs.push(rows);
    }
    all.push(probs);
    const o = lin(ctx, layer.proj);
    x = x.map((r, i) => r.map((val, j) => val + o[i][j]));
    const m = lin(lin(ln(x, layer.ln2), layer.fc).map((r) => r.map(g)), layer.fcOut);
    x = x.map((r, i) => r.map((val, j) => val + m[i][j]));
  }
  return all;
}

describe('RoPE in the reference decoder', () => {
  it('finds the cos/sin tables of an exported RoPE model, equal to PyTorch-style float32 ones within 1 ulp', async function () {
    const dir = join(REPO, 'test', 'fixtures', 'models', 'llama-rope-gqa');
    if (!existsSync(join(dir, 'model.onnx'))) this.skip();
    const folder = await openModelFolder(dir);
    const heads = folder.manifest?.heads ?? 0;
    const hd = (folder.embedding?.width ?? 0) / heads;
    const tables = ropeTablesFromGraph(folder.model.graph!, hd);
    assert.ok(tables, 'no tables found');
    assert.equal(tables.source, 'graph');
    assert.equal(tables.cos.shape[0], folder.manifest?.contextLength);
    const computed = ropeTablesComputed(tables.cos.shape[0], hd, 10000);
    assert.ok(maxAbsDiff(tables.cos.data, computed.cos.data) <= 6e-8);
    assert.ok(maxAbsDiff(tables.sin.data, computed.sin.data) <= 6e-8);
    // Not trivially equal: row 3 holds real angles.
    assert.ok(Math.abs(computed.sin.data[3 * (hd / 2)] - Math.sin(3)) < 1e-6);
  });

  it('rotates queries and keys by position exactly as the formulas say', async function () {
    if (!existsSync(join(GPT2_FUSED, 'model.onnx'))) this.skip();
    const folder = await openModelFolder(GPT2_FUSED);
    // The fixture's weights as a RoPE decoder: no learned positions, rotary angles instead.
    const learned = readDecoderWeights(folder.model, folder.manifest);
    const w: DecoderWeights = { ...learned, positionEmbedding: undefined, positions: 'rope', ropeTables: undefined, contextLength: undefined };
    const ids = (await folder.tokenizer.encode('for i in range(10):\n    total += i * i')).map((t) => t.id);
    const ours: Float32Array[] = [];
    await runDecoder(w, ids, { onLayer: (l, a) => void (ours[l] = Float32Array.from(a)) });
    const naive = naiveAttention(w, ids);
    naive.forEach((probs, l) => assert.ok(maxAbsDiff(ours[l], probs.flat(2)) <= 2e-6, `layer ${l}: ${maxAbsDiff(ours[l], probs.flat(2))}`));
    // And RoPE changed the result (the learned-position run differs).
    const plain: Float32Array[] = [];
    await runDecoder(learned, ids, { onLayer: (l, a) => void (plain[l] = Float32Array.from(a)) });
    assert.ok(maxAbsDiff(plain[0], ours[0]) > 1e-3);
  });
});
