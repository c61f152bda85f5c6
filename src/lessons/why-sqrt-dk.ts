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
/** Independent dot products per variance measurement. */
export const SAMPLES = 4096;
/** Query rows averaged for entropy and gradient. */
export const SOFTMAX_ROWS = 64;
export const SWEEP_DK = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
const HISTOGRAM_BINS = 41;

/** A [batch, 1, rows, d] tensor of seeded standard normals. */
function gaussian(batch: number, rows: number, d: number, seed: number): Tensor {
  return { data: seededNormals(batch * rows * d, seed), shape: [batch, 1, rows, d] };
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
  // Variance: SAMPLES independent (q, k) pairs, one per batch entry, through the kernel's
  // score stage (all pairs of a few vectors would share each vector's length and be correlated).
  const q = gaussian(SAMPLES, 1, dk, seed * 7919 + dk);
  const k = gaussian(SAMPLES, 1, dk, seed * 7919 + dk + 104729);
  const v = gaussian(SAMPLES, 1, 1, seed);
  const unscaled = scaledDotProductAttentionStages(q, k, v, { scale: 1, keepStages: true });
  const scaled = scaledDotProductAttentionStages(q, k, v, { keepStages: true });
  const dots = (unscaled.scores as Tensor).data;

  // Softmax statistics: SOFTMAX_ROWS independent queries, each over its own `keys` keys.
  const qs = gaussian(SOFTMAX_ROWS, 1, dk, seed * 31 + dk + 1);
  const ks = gaussian(SOFTMAX_ROWS, keys, dk, seed * 37 + dk + 2);
  const vs = gaussian(SOFTMAX_ROWS, keys, 1, seed + 3);
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
