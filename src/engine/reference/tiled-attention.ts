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
// Memory: the tiles live in one small arena allocated once per call and reused for every
// tile, O(Bq·Bk + (Bq + Bk)·D) floats; `workingBytes` reports it. The inner loops — the
// two tile products S = Q·Kᵀ and O += P·V, and the exponentials of P — go through
// tile-kernels.ts: plain JavaScript, or the same loops in WebAssembly SIMD
// (tile-kernels-simd.ts), several times faster. Tiles are zero-padded (rows to 4, keys
// and value columns to 8) so those loops have no edge cases; the K tile is stored
// transposed so both products have the same A·B form.

import { causalOffset } from './causal-mask';
import type { CausalAlignment } from './causal-mask';
import { headGroupSize } from './head-mapping';
import { Tensor, shapeString } from './tensor';
import { TileKernels, javascriptTileKernels } from './tile-kernels';
import { simdTileKernels } from './tile-kernels-simd';

export type TileKernel = 'auto' | 'javascript' | 'wasm-simd';

export interface TiledAttentionOptions {
  /** Multiplier of Q·Kᵀ; default 1/√D. */
  scale?: number;
  /** Causal masking and its alignment; false/absent for none. */
  causal?: CausalAlignment | false;
  /** cap·tanh(s/cap) on the scaled scores (before masking, as ONNX); ≤ 0 or absent for none. */
  softcap?: number;
  /** Query rows per tile (default 128). */
  blockQ?: number;
  /** Key rows per tile (default 64). */
  blockK?: number;
  /** Inner-loop implementation: 'auto' (default) uses WebAssembly SIMD where available, else JavaScript. */
  kernel?: TileKernel;
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
  scores: Float32Array;
  /** exp(score − runningMax) of the tile (0 where hidden): this tile's un-normalised weights, same layout. */
  probabilities: Float32Array;
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
  /** Bytes of the working buffers this call allocated (tile arena, running max/sum). */
  workingBytes: number;
  /** Which tile kernels ran ('javascript' or 'wasm-simd'). */
  kernel: string;
}

/** Round up to a multiple of m (the register-block size). */
function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

function chooseKernels(kernel: TileKernel): TileKernels {
  if (kernel === 'javascript') return javascriptTileKernels();
  const simd = simdTileKernels();
  if (simd) return simd;
  if (kernel === 'wasm-simd') throw new Error('tiledAttention: WebAssembly SIMD is not available in this runtime');
  return javascriptTileKernels();
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
  const blockQ = opts.blockQ ?? 128;
  const blockK = opts.blockK ?? 64;
  if (!(blockQ >= 1 && blockK >= 1 && Number.isInteger(blockQ) && Number.isInteger(blockK))) {
    throw new Error(`tiledAttention: block sizes must be whole numbers ≥ 1 (got ${blockQ}, ${blockK})`);
  }
  // query i sees keys j ≤ i + offset (Infinity: no causal mask)
  const offset = opts.causal ? causalOffset(opts.causal, lq, lk) : Infinity;
  const onTile = opts.onTile;

  // The tile arena: padded sizes, then where each tile starts (in floats).
  const rowsPad = roundUp(Math.min(blockQ, Math.max(lq, 1)), 4); // query rows of a tile (one decoding query: 4, not 128)
  const colsPad = roundUp(Math.min(blockK, Math.max(lk, 1)), 8); // keys of a tile
  const dvPad = roundUp(dv, 8); // value columns
  const Q_AT = 0; // [rowsPad × D]      scale · Q block
  const KT_AT = Q_AT + rowsPad * dim; // [D × colsPad]      K block, transposed
  const V_AT = KT_AT + dim * colsPad; // [colsPad × dvPad]  V block
  const S_AT = V_AT + colsPad * dvPad; // [rowsPad × colsPad] scores, then P
  const O_AT = S_AT + rowsPad * colsPad; // [rowsPad × dvPad]  un-normalised output rows
  const ARENA = O_AT + rowsPad * dvPad;
  const tiles = chooseKernels(opts.kernel ?? 'auto');
  const mem = tiles.reserve(ARENA);
  mem.fill(0, 0, ARENA);
  const m = new Float64Array(rowsPad); // running max
  const l = new Float64Array(rowsPad); // running sum
  const mPrev = new Float64Array(rowsPad);
  const corr = new Float64Array(rowsPad);
  // the observer sees the masked scores of each tile, kept aside before exp overwrites them
  const observed = onTile ? new Float32Array(rowsPad * colsPad) : undefined;
  const workingBytes = ARENA * 4 + 4 * rowsPad * 8 + (observed?.byteLength ?? 0);

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
        const rowsUsed = roundUp(rows, 4); // rows the tile products compute (a short last block costs less)
        // load scale · Q block (the scale is folded into Q once); padding rows are 0
        for (let t = 0; t < rows * dim; t++) mem[Q_AT + t] = q.data[(qRow0 + i0) * dim + t] * scale;
        mem.fill(0, Q_AT + rows * dim, Q_AT + rowsPad * dim);
        mem.fill(0, O_AT, O_AT + rowsPad * dvPad);
        m.fill(-Infinity);
        l.fill(0);
        // Keys after the block's last visible one are hidden for every row: stop there.
        const lastVisible = Math.min(lk - 1, i0 + rows - 1 + offset);

        for (let j0 = 0; j0 < lk; j0 += blockK) {
          const cols = Math.min(blockK, lk - j0);
          if (j0 > lastVisible) {
            tilesSkipped++;
            if (onTile) {
              corr.fill(1);
              const none = mem.subarray(0, 0);
              onTile({
                batch: b, head: h, kvHead, queryStart: i0, queryEnd: i0 + rows, keyStart: j0, keyEnd: j0 + cols,
                skipped: true, scores: none, probabilities: none, scoreStride: colsPad,
                previousMax: m.subarray(0, rows), runningMax: m.subarray(0, rows), runningSum: l.subarray(0, rows), correction: corr.subarray(0, rows),
              });
            }
            continue;
          }
          tilesComputed++;
          // load the K block transposed (KT[x, c] = k[j0 + c, x]) and the V block; padding stays 0
          for (let c = 0; c < cols; c++) {
            const kRow = (kvRow0 + j0 + c) * dim;
            for (let x = 0; x < dim; x++) mem[KT_AT + x * colsPad + c] = k.data[kRow + x];
          }
          const vFrom = (kvRow0 + j0) * dv;
          if (dv === dvPad) mem.set(v.data.subarray(vFrom, vFrom + cols * dv), V_AT); // rows are contiguous: one copy
          else for (let c = 0; c < cols; c++) mem.set(v.data.subarray(vFrom + c * dv, vFrom + (c + 1) * dv), V_AT + c * dvPad);
          if (cols < colsPad) {
            for (let x = 0; x < dim; x++) mem.fill(0, KT_AT + x * colsPad + cols, KT_AT + (x + 1) * colsPad);
            mem.fill(0, V_AT + cols * dvPad, V_AT + colsPad * dvPad);
          }

          // 1. S = (scale·Q_blk) · K_blkᵀ
          tiles.gemm(Q_AT, KT_AT, S_AT, rowsUsed, dim, colsPad, false);

          // 2.–4. softcap, causal mask, online softmax update, row by row
          for (let r = 0; r < rows; r++) {
            const sRow = S_AT + r * colsPad;
            // keys j0 + c with c < visible are allowed for query i0 + r (padding counts as hidden)
            const visible = Math.max(0, Math.min(cols, i0 + r + offset - j0 + 1));
            let tileMax = -Infinity;
            for (let c = 0; c < visible; c++) {
              let s = mem[sRow + c];
              if (cap > 0) mem[sRow + c] = s = cap * Math.tanh(s / cap);
              if (s > tileMax) tileMax = s;
            }
            if (observed) {
              observed.set(mem.subarray(sRow, sRow + visible), r * colsPad);
              observed.fill(-Infinity, r * colsPad + visible, (r + 1) * colsPad);
            }

            const mOld = m[r];
            const mNew = mOld > tileMax ? mOld : tileMax;
            mPrev[r] = mOld;
            if (mNew === -Infinity) {
              // nothing visible yet for this row: P row is all zeros, state unchanged
              corr[r] = 1;
              mem.fill(0, sRow, sRow + colsPad);
              continue;
            }
            const c0 = Math.exp(mOld - mNew); // exp(−∞) = 0 on the first visible tile
            corr[r] = c0;
            // P = exp(S − m_new) over the visible keys, padded to 4 with −∞ (whose exp is 0)
            const run = roundUp(visible, 4);
            mem.fill(-Infinity, sRow + visible, sRow + run);
            const rowSum = tiles.expShiftedSum(sRow, run, mNew);
            mem.fill(0, sRow + run, sRow + colsPad); // hidden and padded keys weigh 0
            l[r] = c0 * l[r] + rowSum;
            m[r] = mNew;
            if (c0 !== 1) {
              const o = O_AT + r * dvPad;
              for (let x = 0; x < dv; x++) mem[o + x] *= c0;
            }
          }
          // padding rows (r ≥ rows) contribute nothing
          mem.fill(0, S_AT + rows * colsPad, S_AT + rowsUsed * colsPad);

          // 5. O += P · V_blk
          tiles.gemm(S_AT, V_AT, O_AT, rowsUsed, colsPad, dvPad, true);

          if (onTile && observed) {
            onTile({
              batch: b, head: h, kvHead, queryStart: i0, queryEnd: i0 + rows, keyStart: j0, keyEnd: j0 + cols,
              skipped: false, scores: observed.subarray(0, rows * colsPad), probabilities: mem.subarray(S_AT, S_AT + rows * colsPad), scoreStride: colsPad,
              previousMax: mPrev.subarray(0, rows), runningMax: m.subarray(0, rows), runningSum: l.subarray(0, rows), correction: corr.subarray(0, rows),
            });
          }
        }

        // 6. output = O / l  (a row that saw nothing stays 0)
        for (let r = 0; r < rows; r++) {
          const row = qRow0 + i0 + r;
          const inv = l[r] > 0 ? 1 / l[r] : 0;
          for (let x = 0; x < dv; x++) output[row * dv + x] = mem[O_AT + r * dvPad + x] * inv;
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
    kernel: tiles.name,
  };
}
