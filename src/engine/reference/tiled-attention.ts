// FlashAttention-style tiled attention: the same result as softmax(scale·Q·Kᵀ)·V without
// ever holding an Lq × Lk matrix.
//
// Layouts: q [B, Hq, Lq, D], k [B, Hkv, Lk, D], v [B, Hkv, Lk, Dv] → output [B, Hq, Lq, Dv].
// Query head h reads kv head floor(h / (Hq / Hkv)) (MHA / GQA / MQA, see head-mapping.ts).
//
// For one (batch, head), cut the queries into blocks of Bq rows and the keys into blocks
// of Bk rows. For each query block, walk the key blocks left to right, keeping per query
// row i only three things:
//
//   m_i   running maximum of the scores seen so far          (starts at −∞)
//   l_i   running sum of exp(score − m_i)                    (starts at 0)
//   O_i   running, un-normalised output Σ exp(score − m_i)·v  (starts at 0)
//
// For a tile of scores S = scale · Q_blk · K_blkᵀ (Bq × Bk, the only score memory):
//
//   m_new = max(m_i, max_j S_ij)
//   c     = exp(m_i − m_new)              correction: rescales what was summed under the old max
//   P_ij  = exp(S_ij − m_new)
//   l_i   = c · l_i + Σ_j P_ij
//   O_i   = c · O_i + Σ_j P_ij · v_j
//   m_i   = m_new
//
// and after the last key block, output_i = O_i / l_i. This is exactly softmax·V: every
// term ends up multiplied by exp(score − final max), whichever tile it came from
// (the "online softmax", Milakov & Gimelshein 2018; Dao et al. 2022).
//
// Causal masking (query i sees key j ≤ i + offset; offset 0 for top-left, Lk − Lq for
// bottom-right, see causal-mask.ts) is applied per tile, and a key block lying entirely
// after the diagonal is skipped without computing anything: that is where causal
// attention saves half the work. A row that sees no key at all outputs zeros.
//
// Working memory is O(Bq·Bk + (Bq + Bk)·D), allocated once per call and reused for
// every tile; `workingBytes` in the result reports it.
//
// Speed notes (all plain JavaScript): the tile products use small register blocks
// (2 query rows × 4 keys for Q·Kᵀ, 2 rows × 4 keys for P·V) so each value loaded from
// memory feeds several multiply-adds; tiles are copied into zero-padded Float64Array
// buffers so the inner loops have no edge cases (padded keys are masked out).

import { causalOffset } from './causal-mask';
import type { CausalAlignment } from './causal-mask';
import { headGroupSize } from './head-mapping';
import { Tensor, shapeString } from './tensor';

export interface TiledAttentionOptions {
  /** Multiplier of Q·Kᵀ; default 1/√D. */
  scale?: number;
  /** Causal masking and its alignment; false/absent for none. */
  causal?: CausalAlignment | false;
  /** cap·tanh(s/cap) on the scaled scores (before masking, as ONNX); ≤ 0 or absent for none. */
  softcap?: number;
  /** Query rows per tile (default 64). */
  blockQ?: number;
  /** Key rows per tile (default 64). */
  blockK?: number;
  /**
   * Called after every tile (and for every skipped tile), in order, e.g. to animate the
   * online softmax. The arrays are views of the kernel's working buffers, valid only
   * during the call: copy what you want to keep.
   */
  onTile?: (step: TileStep) => void;
}

export interface TileStep {
  batch: number;
  head: number;
  kvHead: number;
  /** Query rows [queryStart, queryEnd) and key rows [keyStart, keyEnd) of this tile. */
  queryStart: number;
  queryEnd: number;
  keyStart: number;
  keyEnd: number;
  /** True when causal masking hides the whole tile, so nothing was computed. */
  skipped: boolean;
  /** Tile scores after scale, softcap and causal mask (−∞ where hidden); row r, key c at scores[r·scoreStride + c]. */
  scores: Float64Array;
  /** exp(score − runningMax) of the tile (0 where hidden): this tile's un-normalised weights, same layout. */
  probabilities: Float64Array;
  scoreStride: number;
  /** Per query row of the block: m before this tile, m after, l after, and the correction exp(m_before − m_after). */
  previousMax: Float64Array;
  runningMax: Float64Array;
  runningSum: Float64Array;
  correction: Float64Array;
}

export interface TiledAttentionResult {
  /** [B, Hq, Lq, Dv] */
  output: Tensor;
  /** log Σ_j exp(score_ij) per query row, [B, Hq, Lq]: enough to recover any weight as exp(s − lse). −∞ for rows that see nothing. */
  logSumExp: Tensor;
  /** Tiles computed and tiles skipped by causal masking, over all heads. */
  tilesComputed: number;
  tilesSkipped: number;
  /** Bytes of the working buffers this call allocated (tiles, running max/sum, accumulator). */
  workingBytes: number;
}

/** Round up to a multiple of m (the register-block width). */
function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

/** S (rows × cols, stride cols) = Qt · Ktᵀ for zero-padded tiles; rows % 2 = 0, cols % 4 = 0. */
function tileScores(S: Float64Array, Qt: Float64Array, Kt: Float64Array, rows: number, cols: number, d: number): void {
  for (let r = 0; r < rows; r += 2) {
    const qa = r * d;
    const qb = qa + d;
    for (let c = 0; c < cols; c += 4) {
      const k0 = c * d;
      const k1 = k0 + d;
      const k2 = k1 + d;
      const k3 = k2 + d;
      // 2 query rows × 4 keys: 6 loads feed 8 multiply-adds
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let x = 0; x < d; x++) {
        const qx = Qt[qa + x];
        const qy = Qt[qb + x];
        const v0 = Kt[k0 + x];
        const v1 = Kt[k1 + x];
        const v2 = Kt[k2 + x];
        const v3 = Kt[k3 + x];
        a0 += qx * v0; a1 += qx * v1; a2 += qx * v2; a3 += qx * v3;
        b0 += qy * v0; b1 += qy * v1; b2 += qy * v2; b3 += qy * v3;
      }
      const sa = r * cols + c;
      const sb = sa + cols;
      S[sa] = a0; S[sa + 1] = a1; S[sa + 2] = a2; S[sa + 3] = a3;
      S[sb] = b0; S[sb + 1] = b1; S[sb + 2] = b2; S[sb + 3] = b3;
    }
  }
}

/** O (rows × dv) += P (rows × cols, stride cols) · Vt (cols × dv); rows % 2 = 0, cols % 4 = 0. */
function accumulatePV(O: Float64Array, P: Float64Array, Vt: Float64Array, rows: number, cols: number, dv: number): void {
  for (let r = 0; r < rows; r += 2) {
    const pa = r * cols;
    const pb = pa + cols;
    const oa = r * dv;
    const ob = oa + dv;
    for (let c = 0; c < cols; c += 4) {
      const pa0 = P[pa + c], pa1 = P[pa + c + 1], pa2 = P[pa + c + 2], pa3 = P[pa + c + 3];
      const pb0 = P[pb + c], pb1 = P[pb + c + 1], pb2 = P[pb + c + 2], pb3 = P[pb + c + 3];
      if (pa0 === 0 && pa1 === 0 && pa2 === 0 && pa3 === 0 && pb0 === 0 && pb1 === 0 && pb2 === 0 && pb3 === 0) continue;
      const v0 = c * dv;
      const v1 = v0 + dv;
      const v2 = v1 + dv;
      const v3 = v2 + dv;
      // 2 rows × 4 value rows: 4 value loads feed 8 multiply-adds
      for (let x = 0; x < dv; x++) {
        const w0 = Vt[v0 + x];
        const w1 = Vt[v1 + x];
        const w2 = Vt[v2 + x];
        const w3 = Vt[v3 + x];
        O[oa + x] += pa0 * w0 + pa1 * w1 + pa2 * w2 + pa3 * w3;
        O[ob + x] += pb0 * w0 + pb1 * w1 + pb2 * w2 + pb3 * w3;
      }
    }
  }
}

/** Copy `count` rows of length `width` from src (starting at row offset `from`) into a zero-padded tile. */
function loadTile(tile: Float64Array, src: Float32Array, from: number, count: number, width: number, scale = 1): void {
  const n = count * width;
  const base = from * width;
  if (scale === 1) for (let t = 0; t < n; t++) tile[t] = src[base + t];
  else for (let t = 0; t < n; t++) tile[t] = src[base + t] * scale;
  tile.fill(0, n);
}

/** Tiled (FlashAttention-style) attention; see the header for the algorithm. */
export function tiledAttention(q: Tensor, k: Tensor, v: Tensor, opts: TiledAttentionOptions = {}): TiledAttentionResult {
  if (q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4) {
    throw new Error(`tiledAttention: q, k, v must be [B, H, L, D] (q ${shapeString(q.shape)}, k ${shapeString(k.shape)}, v ${shapeString(v.shape)})`);
  }
  const [batch, qHeads, lq, dim] = q.shape;
  const [, kvHeads, lk] = k.shape;
  const dv = v.shape[3];
  if (k.shape[0] !== batch || v.shape[0] !== batch || k.shape[3] !== dim || v.shape[1] !== kvHeads || v.shape[2] !== lk) {
    throw new Error(`tiledAttention: shapes do not fit (q ${shapeString(q.shape)}, k ${shapeString(k.shape)}, v ${shapeString(v.shape)})`);
  }
  const group = headGroupSize(qHeads, kvHeads);
  const scale = opts.scale ?? 1 / Math.sqrt(dim);
  const cap = opts.softcap ?? 0;
  const blockQ = opts.blockQ ?? 64;
  const blockK = opts.blockK ?? 64;
  if (!(blockQ >= 1 && blockK >= 1 && Number.isInteger(blockQ) && Number.isInteger(blockK))) {
    throw new Error(`tiledAttention: block sizes must be whole numbers ≥ 1 (got ${blockQ}, ${blockK})`);
  }
  // query i sees keys j ≤ i + offset (Infinity: no causal mask)
  const offset = opts.causal ? causalOffset(opts.causal, lq, lk) : Infinity;
  const onTile = opts.onTile;

  // Working buffers, allocated once. Rows padded to 2, keys to 4, for the register blocks.
  const rowsPad = roundUp(blockQ, 2);
  const colsPad = roundUp(blockK, 4);
  const Qt = new Float64Array(rowsPad * dim); // scale · Q block
  const Kt = new Float64Array(colsPad * dim); // K block, row-wise
  const Vt = new Float64Array(colsPad * dv); // V block
  const S = new Float64Array(rowsPad * colsPad); // scores, then P, of one tile
  const O = new Float64Array(rowsPad * dv); // un-normalised output rows
  const m = new Float64Array(rowsPad); // running max
  const l = new Float64Array(rowsPad); // running sum
  const mPrev = new Float64Array(rowsPad);
  const corr = new Float64Array(rowsPad);
  // the observer sees the masked scores of each tile, kept aside before exp overwrites them
  const observed = onTile ? new Float64Array(rowsPad * colsPad) : undefined;
  const workingBytes = [Qt, Kt, Vt, S, O, m, l, mPrev, corr, observed ?? new Float64Array(0)].reduce((acc, a) => acc + a.byteLength, 0);

  const output = new Float32Array(batch * qHeads * lq * dv);
  const lse = new Float32Array(batch * qHeads * lq);
  let tilesComputed = 0;
  let tilesSkipped = 0;

  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < qHeads; h++) {
      const kvHead = Math.floor(h / group);
      const qRow0 = (b * qHeads + h) * lq; // first row of this head in q / output
      const kvRow0 = (b * kvHeads + kvHead) * lk; // first row of its kv head in k / v

      for (let i0 = 0; i0 < lq; i0 += blockQ) {
        const rows = Math.min(blockQ, lq - i0);
        const rowsUsed = roundUp(rows, 2);
        loadTile(Qt, q.data, qRow0 + i0, rows, dim, scale); // the scale is folded into Q once
        m.fill(-Infinity);
        l.fill(0);
        O.fill(0);
        // Keys after the block's last visible one are hidden for every row: stop there.
        const lastVisible = Math.min(lk - 1, i0 + rows - 1 + offset);

        for (let j0 = 0; j0 < lk; j0 += blockK) {
          const cols = Math.min(blockK, lk - j0);
          if (j0 > lastVisible) {
            tilesSkipped++;
            if (onTile) {
              onTile({
                batch: b, head: h, kvHead, queryStart: i0, queryEnd: i0 + rows, keyStart: j0, keyEnd: j0 + cols,
                skipped: true, scores: S.subarray(0, 0), probabilities: S.subarray(0, 0), scoreStride: colsPad,
                previousMax: m.subarray(0, rows), runningMax: m.subarray(0, rows), runningSum: l.subarray(0, rows), correction: corr.fill(1).subarray(0, rows),
              });
            }
            continue;
          }
          tilesComputed++;
          const colsUsed = roundUp(cols, 4);
          loadTile(Kt, k.data, kvRow0 + j0, cols, dim);
          loadTile(Vt, v.data, kvRow0 + j0, cols, dv);

          // 1. S = (scale·Q_blk) · K_blkᵀ
          tileScores(S, Qt, Kt, rowsUsed, colsUsed, dim);

          // 2.–4. softcap, causal mask, online softmax update, row by row
          for (let r = 0; r < rows; r++) {
            const sRow = r * colsUsed;
            // keys j0 + c with c < visible are allowed for query i0 + r (padding counts as hidden)
            const visible = Math.max(0, Math.min(cols, i0 + r + offset - j0 + 1));
            let tileMax = -Infinity;
            for (let c = 0; c < visible; c++) {
              let s = S[sRow + c];
              if (cap > 0) S[sRow + c] = s = cap * Math.tanh(s / cap);
              if (s > tileMax) tileMax = s;
            }
            for (let c = visible; c < colsUsed; c++) S[sRow + c] = -Infinity;
            if (observed) observed.set(S.subarray(sRow, sRow + colsUsed), sRow); // before S becomes P

            const mOld = m[r];
            const mNew = mOld > tileMax ? mOld : tileMax;
            mPrev[r] = mOld;
            if (mNew === -Infinity) {
              // nothing visible yet for this row: P row is all zeros, state unchanged
              corr[r] = 1;
              S.fill(0, sRow, sRow + colsUsed);
              continue;
            }
            const c0 = Math.exp(mOld - mNew); // exp(−∞) = 0 on the first visible tile
            corr[r] = c0;
            let rowSum = 0;
            for (let c = 0; c < visible; c++) {
              const p = Math.exp(S[sRow + c] - mNew);
              S[sRow + c] = p;
              rowSum += p;
            }
            S.fill(0, sRow + visible, sRow + colsUsed);
            l[r] = c0 * l[r] + rowSum;
            m[r] = mNew;
            if (c0 !== 1) {
              const o = r * dv;
              for (let x = 0; x < dv; x++) O[o + x] *= c0;
            }
          }
          // padding rows (r ≥ rows) contribute nothing
          if (rowsUsed > rows) S.fill(0, rows * colsUsed, rowsUsed * colsUsed);

          // 5. O += P · V_blk
          accumulatePV(O, S, Vt, rowsUsed, colsUsed, dv);

          if (onTile) {
            onTile({
              batch: b, head: h, kvHead, queryStart: i0, queryEnd: i0 + rows, keyStart: j0, keyEnd: j0 + cols,
              skipped: false, scores: (observed as Float64Array).subarray(0, rows * colsUsed), probabilities: S.subarray(0, rows * colsUsed), scoreStride: colsUsed,
              previousMax: mPrev.subarray(0, rows), runningMax: m.subarray(0, rows), runningSum: l.subarray(0, rows), correction: corr.subarray(0, rows),
            });
          }
        }

        // 6. output = O / l  (a row that saw nothing stays 0)
        for (let r = 0; r < rows; r++) {
          const row = qRow0 + i0 + r;
          const inv = l[r] > 0 ? 1 / l[r] : 0;
          for (let x = 0; x < dv; x++) output[row * dv + x] = O[r * dv + x] * inv;
          lse[row] = l[r] > 0 ? m[r] + Math.log(l[r]) : -Infinity;
        }
      }
    }
  }
  return {
    output: { data: output, shape: [batch, qHeads, lq, dv] },
    logSumExp: { data: lse, shape: [batch, qHeads, lq] },
    tilesComputed,
    tilesSkipped,
    workingBytes,
  };
}
