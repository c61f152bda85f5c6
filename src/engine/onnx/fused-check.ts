// Checks route 2 on a fused attention operator whose internals we only know from its
// documentation: the probabilities recomputed from its Q and K, times its V, must give back
// the operator's own output Y = P·V. A mismatch means we misread an attribute or a mask,
// and the module is reported instead of being shown with wrong weights.
import type { QkSpec } from './attention-site';
import { prepareQk, recomputeWeights, type FetchedTensors, type PreparedQk } from './qk-recompute';

export interface FusedCheckResult {
  ok: boolean;
  /** max |P·V − Y| over all elements. */
  maxDiff: number;
  /** max |Y|, for scale. */
  maxOutput: number;
}

/** The tolerance: float32 kernels that reorder sums differ by ~1e-6 relative; a misread mask by far more. */
export function fusedCheckTolerance(maxOutput: number): number {
  return 1e-4 + 1e-3 * maxOutput;
}

export function checkFusedSite(spec: QkSpec, fetched: FetchedTensors): FusedCheckResult {
  if (!spec.check) throw new Error('this attention module has no output to check against');
  const prepared = prepareQk(spec, fetched);
  const v = prepareQk({ q: spec.check.v, k: spec.check.v, steps: [] }, fetched);
  const y = fetched(spec.check.output);
  if (!y || !(y.data instanceof Float32Array)) throw new Error(`the operator output '${spec.check.output}' was not fetched as float32`);
  const out = y.data;
  const p = recomputeWeights(prepared);
  const expected = weightedValues(prepared, p, v);
  const { heads, queryLength: lq } = prepared;
  const dv = v.headSize;
  let maxDiff = 0;
  let maxOutput = 0;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < lq; i++) {
      for (let d = 0; d < dv; d++) {
        // 'hidden' output: [1, Lq, H·Dv]; 'rows': [1, H, Lq, Dv]
        const at = spec.check.outputLayout === 'hidden' ? i * heads * dv + h * dv + d : (h * lq + i) * dv + d;
        const e = expected[(h * lq + i) * dv + d];
        maxDiff = Math.max(maxDiff, Math.abs(out[at] - e));
        maxOutput = Math.max(maxOutput, Math.abs(out[at]));
      }
    }
  }
  if (out.length !== heads * lq * dv) return { ok: false, maxDiff: Infinity, maxOutput };
  return { ok: maxDiff <= fusedCheckTolerance(maxOutput), maxDiff, maxOutput };
}

/** Y[h, i, :] = Σ_j P[h, i, j] · V[g(h), j, :], with V read through the same head mapping as K. */
function weightedValues(prepared: PreparedQk, p: Float32Array, v: PreparedQk): Float64Array {
  const { heads, queryLength: lq, keyLength: lk } = prepared;
  const dv = v.headSize;
  const y = new Float64Array(heads * lq * dv);
  for (let h = 0; h < heads; h++) {
    const vBase = prepared.kHead[h] * lk * dv;
    for (let i = 0; i < lq; i++) {
      const row = (h * lq + i) * lk;
      const yRow = (h * lq + i) * dv;
      for (let j = 0; j < lk; j++) {
        const w = p[row + j];
        if (w === 0) continue;
        const vRow = vBase + j * dv;
        for (let d = 0; d < dv; d++) y[yRow + d] += w * v.q[vRow + d];
      }
    }
  }
  return y;
}
