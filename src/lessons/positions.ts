// Lesson 9 — how attention knows where tokens are.
//
//   sinusoidal (added to the input):  PE[p, 2i] = sin(p ω_i), PE[p, 2i+1] = cos(p ω_i);
//                                      PE[p]·PE[p'] depends on p − p' only
//   learned (added to the input):      a trained table, one row per position (read from the model)
//   RoPE (rotates q and k):            q(p)·k(p') depends on the content and on p − p' only
//   ALiBi (biases the scores):         −m_h (i − j), one slope m_h per head
//
// The RoPE demo places ONE fixed query vector and ONE fixed key vector at every pair of
// positions, rotates them with the engine's RoPE kernel and scores them with its SDPA kernel:
// every diagonal of the resulting matrix is constant (shown by its spread), while the same
// vectors without rotation score identically at every position pair.
import { alibiBias, alibiSlopes } from '../engine/reference/alibi';
import { matmulTransposedB } from '../engine/reference/matmul';
import { applyRotaryEmbedding, buildRotaryCache } from '../engine/reference/rotary-embedding';
import { scaledDotProductAttentionStages } from '../engine/reference/scaled-dot-product-attention';
import { sinusoidalPositions } from '../engine/reference/sinusoidal-positions';
import type { Tensor } from '../engine/reference/tensor';
import type { PositionsData, PositionsParams } from '../protocol/lesson-messages';
import { tryLessonModel, type LessonEnvironment } from './shared/lesson-model';
import { seededNormals } from './shared/toy-embedding';

export const POSITIONS_DEFAULTS: PositionsParams = { dim: 32, length: 32, offset: 3, shift: 10, alibiHeads: 8, seed: 1 };
/** Rows of a learned table shown (a P × P similarity grid). */
export const LEARNED_ROWS = 64;

/** The same vector at every one of `length` positions: [1, 1, length, dim]. */
function repeated(vector: Float32Array, length: number): Tensor {
  const dim = vector.length;
  const data = new Float32Array(length * dim);
  for (let p = 0; p < length; p++) data.set(vector, p * dim);
  return { data, shape: [1, 1, length, dim] };
}

/** Scaled scores of q at every position against k at every position: [length, length]. */
function scoresOf(q: Tensor, k: Tensor): Float32Array {
  const stages = scaledDotProductAttentionStages(q, k, k, { keepStages: true });
  return (stages.scores as Tensor).data;
}

/** Largest (max − min) along any diagonal p' − p = const of a square matrix. */
export function diagonalSpread(m: Float32Array, n: number): number {
  let worst = 0;
  for (let delta = -(n - 1); delta <= n - 1; delta++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = Math.max(0, -delta); p < n && p + delta < n; p++) {
      const v = m[p * n + p + delta];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    worst = Math.max(worst, hi - lo);
  }
  return worst;
}

/** RoPE score of content q at position p against content k at position p'. */
function ropeScore(q: Float32Array, k: Float32Array, p: number, pk: number): number {
  const dim = q.length;
  const { cos, sin } = buildRotaryCache(Math.max(p, pk) + 1, dim);
  const at = (x: Float32Array, pos: number) =>
    applyRotaryEmbedding({ data: x, shape: [1, 1, 1, dim] }, cos, sin, { positionIds: { data: [pos], shape: [1, 1] } });
  return scoresOf(at(q, p), at(k, pk))[0];
}

/** Cosine similarity of every pair of rows of [rows, d]. */
function cosineSimilarity(table: Float32Array, rows: number, d: number): Float32Array {
  const t: Tensor = { data: table.subarray(0, rows * d), shape: [rows, d] };
  const dots = matmulTransposedB(t, t).data;
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) norms[r] = Math.sqrt(dots[r * rows + r]) || 1;
  for (let i = 0; i < rows; i++) for (let j = 0; j < rows; j++) dots[i * rows + j] /= norms[i] * norms[j];
  return dots;
}

async function learnedTable(env: LessonEnvironment): Promise<PositionsData['learned']> {
  const found = await tryLessonModel(env);
  if ('reason' in found) return { available: false, reason: found.reason };
  const w = found.model.weights;
  if (!w.positionEmbedding) {
    return { available: false, reason: `${found.model.name} has no learned position table: it uses ${w.positions === 'rope' ? 'RoPE' : w.positions}.` };
  }
  const [rows, d] = w.positionEmbedding.shape;
  const p = Math.min(rows, LEARNED_ROWS);
  return { available: true, modelName: found.model.name, positions: p, similarity: cosineSimilarity(w.positionEmbedding.data, p, d) };
}

export async function computePositions(params: PositionsParams, env: LessonEnvironment = {}): Promise<PositionsData> {
  const { dim, length, alibiHeads } = params;
  const pe = sinusoidalPositions(length, dim);

  const q = seededNormals(dim, params.seed * 2 + 1);
  const k = seededNormals(dim, params.seed * 2 + 2);
  const { cos, sin } = buildRotaryCache(length, dim);
  const positionIds = { data: Array.from({ length }, (_, i) => i), shape: [1, length] };
  const rq = applyRotaryEmbedding(repeated(q, length), cos, sin, { positionIds });
  const rk = applyRotaryEmbedding(repeated(k, length), cos, sin, { positionIds });
  const ropeScores = scoresOf(rq, rk);
  const plainScores = scoresOf(repeated(q, length), repeated(k, length));

  const first = Math.max(0, -params.offset);
  const ropeScoreAt = [first, first + params.shift].map((p) => ({ queryPosition: p, keyPosition: p + params.offset, score: ropeScore(q, k, p, p + params.offset) }));

  const bias = alibiBias(alibiHeads, length);
  const block = length * length;

  return {
    dim,
    length,
    sinusoidal: pe.data,
    sinusoidalSimilarity: matmulTransposedB(pe, pe).data,
    ropeScores,
    ropeDiagonalSpread: diagonalSpread(ropeScores, length),
    plainScores,
    ropeScoreAt,
    alibiSlopes: alibiSlopes(alibiHeads),
    alibiBiasFirst: bias.data.slice(0, block),
    alibiBiasLast: bias.data.slice((alibiHeads - 1) * block, alibiHeads * block),
    learned: await learnedTable(env),
  };
}
