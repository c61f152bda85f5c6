// Lesson 2 — why the scores are divided by √d_k.
//
// For q, k with independent N(0, 1) entries, q·k = Σ_i q_i k_i is a sum of d_k terms of
// variance 1, so Var(q·k) = d_k. Unscaled, typical scores grow like √d_k, the softmax
// saturates toward one-hot (entropy → 0) and its Jacobian diag(p) − p·pᵀ → 0: almost no
// gradient reaches the scores. Dividing by √d_k keeps Var = 1 at every d_k.
//
// All of it is measured here, not stated: seeded Gaussian Q and K go through the engine's SDPA
// kernel once with scale 1 and once with the default 1/√d_k; variances, entropies and Jacobian
// norms are computed from what it returns.
import { scaledDotProductAttentionStages } from '../engine/reference/scaled-dot-product-attention';
import type { Tensor } from '../engine/reference/tensor';
import type { WhySqrtDkData, WhySqrtDkParams } from '../protocol/lesson-messages';
import { entropy, histogram, sampleVariance } from './shared/statistics';
import { seededNormals } from './shared/toy-embedding';

export const WHY_SQRT_DK_DEFAULTS: WhySqrtDkParams = { dk: 64, keys: 16, seed: 1 };
/** Independent (q, k) pairs per variance measurement. */
export const SAMPLES = 2048;
/** Independent query rows averaged for entropy and gradient (each with its own keys). */
export const SOFTMAX_ROWS = 32;
export const SWEEP_DK = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
const MAX_DK = 1024;
const HISTOGRAM_BINS = 41;

/**
 * One pool of standard normals per seed: SAMPLES rows of MAX_DK for queries and for keys. A
 * measurement at d_k uses the first d_k coordinates of each row, so moving the slider draws no
 * new numbers (and the curves are measured on nested samples).
 */
const pools = new Map<number, { q: Float32Array; k: Float32Array }>();
function poolFor(seed: number): { q: Float32Array; k: Float32Array } {
  let p = pools.get(seed);
  if (!p) {
    p = { q: seededNormals(SAMPLES * MAX_DK, seed * 2 + 1), k: seededNormals(SAMPLES * MAX_DK, seed * 2 + 2) };
    if (pools.size >= 4) pools.delete(pools.keys().next().value as number);
    pools.set(seed, p);
  }
  return p;
}

/** [batch, 1, rows, dk]: the first dk coordinates of pool rows from…from + batch·rows. */
function fromPool(pool: Float32Array, batch: number, rows: number, dk: number, from = 0): Tensor {
  const n = batch * rows;
  const out = new Float32Array(n * dk);
  for (let r = 0; r < n; r++) out.set(pool.subarray((from + r) * MAX_DK, (from + r) * MAX_DK + dk), r * dk);
  return { data: out, shape: [batch, 1, rows, dk] };
}

/** ‖J‖_F of the softmax Jacobian J_ij = p_i (δ_ij − p_j) for one probability row. */
export function softmaxJacobianNorm(p: ArrayLike<number>, from = 0, to = p.length): number {
  let ss = 0;
  for (let i = from; i < to; i++) {
    for (let j = from; j < to; j++) {
      const jij = p[i] * ((i === j ? 1 : 0) - p[j]);
      ss += jij * jij;
    }
  }
  return Math.sqrt(ss);
}

interface Measured {
  dots: Float32Array; // unscaled q·k
  scaledDots: Float32Array; // q·k / √d_k, as the kernel scaled them
  varianceUnscaled: number;
  varianceScaled: number;
  weightsUnscaled: Float32Array; // [rows, keys]
  weightsScaled: Float32Array;
  entropyUnscaled: number;
  entropyScaled: number;
  gradientUnscaled: number;
  gradientScaled: number;
}

function measure(dk: number, keys: number, seed: number): Measured {
  if (dk > MAX_DK) throw new Error(`d_k ${dk} is above ${MAX_DK}`);
  const pool = poolFor(seed);
  // Variance: SAMPLES independent (q, k) pairs, one per batch entry, through the kernel's
  // score stage (all pairs of a few vectors would share each vector's length and be correlated).
  const q = fromPool(pool.q, SAMPLES, 1, dk);
  const k = fromPool(pool.k, SAMPLES, 1, dk);
  const v: Tensor = { data: new Float32Array(SAMPLES), shape: [SAMPLES, 1, 1, 1] }; // values do not matter here
  const unscaled = scaledDotProductAttentionStages(q, k, v, { scale: 1, keepStages: true });
  const scaled = scaledDotProductAttentionStages(q, k, v, { keepStages: true });
  const dots = (unscaled.scores as Tensor).data;

  // Softmax statistics: SOFTMAX_ROWS independent queries, each over its own `keys` keys.
  const qs = fromPool(pool.q, SOFTMAX_ROWS, 1, dk);
  const ks = fromPool(pool.k, SOFTMAX_ROWS, keys, dk);
  const vs: Tensor = { data: new Float32Array(SOFTMAX_ROWS * keys), shape: [SOFTMAX_ROWS, 1, keys, 1] };
  const pu = scaledDotProductAttentionStages(qs, ks, vs, { scale: 1 }).weights.data;
  const ps = scaledDotProductAttentionStages(qs, ks, vs).weights.data;
  let eu = 0, es = 0, gu = 0, gs = 0;
  for (let r = 0; r < SOFTMAX_ROWS; r++) {
    const from = r * keys;
    const to = from + keys;
    eu += entropy(pu, from, to);
    es += entropy(ps, from, to);
    gu += softmaxJacobianNorm(pu, from, to);
    gs += softmaxJacobianNorm(ps, from, to);
  }
  return {
    dots,
    scaledDots: (scaled.scores as Tensor).data,
    varianceUnscaled: sampleVariance(dots),
    varianceScaled: sampleVariance((scaled.scores as Tensor).data),
    weightsUnscaled: pu,
    weightsScaled: ps,
    entropyUnscaled: eu / SOFTMAX_ROWS,
    entropyScaled: es / SOFTMAX_ROWS,
    gradientUnscaled: gu / SOFTMAX_ROWS,
    gradientScaled: gs / SOFTMAX_ROWS,
  };
}

/** The sweep depends on (keys, seed) only: a slider move recomputes one d_k, not eleven. */
const sweeps = new Map<string, Measured[]>();
function sweepFor(keys: number, seed: number): Measured[] {
  const key = `${keys}:${seed}`;
  let s = sweeps.get(key);
  if (!s) {
    s = SWEEP_DK.map((d) => measure(d, keys, seed));
    if (sweeps.size >= 8) sweeps.delete(sweeps.keys().next().value as string);
    sweeps.set(key, s);
  }
  return s;
}

export function computeWhySqrtDk(params: WhySqrtDkParams): WhySqrtDkData {
  const { dk, keys, seed } = params;
  const sweep = sweepFor(keys, seed);
  const swept = SWEEP_DK.indexOf(dk);
  const here = swept >= 0 ? sweep[swept] : measure(dk, keys, seed);
  const col = (f: (m: Measured) => number) => Float64Array.from(sweep, f);

  const reach = 4 * Math.sqrt(dk);
  const edges = Float64Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => -reach + (2 * reach * i) / HISTOGRAM_BINS);
  return {
    dk,
    keys,
    samples: here.dots.length,
    varianceUnscaled: here.varianceUnscaled,
    varianceScaled: here.varianceScaled,
    sweepDk: Float64Array.from(SWEEP_DK),
    sweepVarianceUnscaled: col((m) => m.varianceUnscaled),
    sweepVarianceScaled: col((m) => m.varianceScaled),
    sweepEntropyUnscaled: col((m) => m.entropyUnscaled),
    sweepEntropyScaled: col((m) => m.entropyScaled),
    sweepGradientUnscaled: col((m) => m.gradientUnscaled),
    sweepGradientScaled: col((m) => m.gradientScaled),
    maxEntropy: Math.log(keys),
    exampleUnscaled: here.weightsUnscaled.slice(0, keys),
    exampleScaled: here.weightsScaled.slice(0, keys),
    entropyUnscaled: here.entropyUnscaled,
    entropyScaled: here.entropyScaled,
    gradientUnscaled: here.gradientUnscaled,
    gradientScaled: here.gradientScaled,
    histogramEdges: edges,
    histogramUnscaled: histogram(here.dots, edges),
    histogramScaled: histogram(here.scaledDots, edges),
  };
}
