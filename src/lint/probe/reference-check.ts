// The reference engine on the probe's inputs: what a correct implementation returns, under
// each causal alignment and each kv-head order, so a mismatch can be named, not just counted.
import { scaledDotProductAttention, type AttentionResult, type CausalAlignment } from '../../engine/reference/scaled-dot-product-attention';
import type { BoolMask } from '../../engine/reference/masks';
import type { Tensor } from '../../engine/reference/tensor';
import { maxAbs, maxAbsDiff } from './tensor-ops';
import { kvHead, type HeadMapping } from './weights-analysis';

export interface ReferenceOptions {
  causal: CausalAlignment | false;
  scale?: number;
  mask?: BoolMask;
  mapping?: HeadMapping;
}

/** k/v [B, Hkv, L, D] expanded to Hq heads in the given order. */
function expandHeads(t: Tensor, queryHeads: number, mapping: HeadMapping): Tensor {
  const [b, hkv, l, d] = t.shape;
  const block = l * d;
  const out = new Float32Array(b * queryHeads * block);
  for (let bi = 0; bi < b; bi++) {
    for (let h = 0; h < queryHeads; h++) {
      const src = (bi * hkv + kvHead(h, queryHeads, hkv, mapping)) * block;
      out.set(t.data.subarray(src, src + block), (bi * queryHeads + h) * block);
    }
  }
  return { data: out, shape: [b, queryHeads, l, d] };
}

export function reference(q: Tensor, k: Tensor, v: Tensor, opts: ReferenceOptions): AttentionResult {
  const hq = q.shape[1];
  const hkv = k.shape[1];
  const tiled = opts.mapping === 'tile' && hkv !== hq && hkv !== 1;
  const kk = tiled ? expandHeads(k, hq, 'tile') : k;
  const vv = tiled ? expandHeads(v, hq, 'tile') : v;
  return scaledDotProductAttention(q, kk, vv, { causal: opts.causal, scale: opts.scale, mask: opts.mask });
}

/** Agreement tolerance: float32 kernels in another library differ by rounding only. */
export function agrees(diff: number, ref: Tensor): boolean {
  return Number.isFinite(diff) && diff <= 1e-4 * Math.max(1, maxAbs(ref.data));
}

export interface ReferenceMatch {
  causal: CausalAlignment | false;
  diff: number;
  result: AttentionResult;
}

/** The closest of the given causal modes. */
export function closestReference(
  userOut: Tensor,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  modes: (CausalAlignment | false)[],
  extra: Omit<ReferenceOptions, 'causal'> = {},
): ReferenceMatch {
  let best: ReferenceMatch | undefined;
  for (const causal of modes) {
    const result = reference(q, k, v, { ...extra, causal });
    const diff = maxAbsDiff(userOut.data, result.output.data);
    const score = Number.isNaN(diff) ? Infinity : diff;
    if (!best || score < (Number.isNaN(best.diff) ? Infinity : best.diff)) best = { causal, diff, result };
  }
  return best as ReferenceMatch;
}

/**
 * The scale under which the reference best matches the user's output: a coarse log-grid
 * over [1e-3, 1e3], then golden-section refinement. Used when the weights cannot be read
 * (modules with their own projections are excluded earlier; x-style functions use q = k = v = x).
 */
export function fitScaleToReference(
  userOut: Tensor,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  causal: CausalAlignment | false,
): { scale: number; diff: number } {
  const diffAt = (logScale: number) => {
    const d = maxAbsDiff(userOut.data, reference(q, k, v, { causal, scale: Math.exp(logScale) }).output.data);
    return Number.isFinite(d) ? d : Infinity;
  };
  let bestLog = 0;
  let bestDiff = Infinity;
  for (let t = -3; t <= 3.0001; t += 0.1) {
    const ls = t * Math.LN10;
    const d = diffAt(ls);
    if (d < bestDiff) {
      bestDiff = d;
      bestLog = ls;
    }
  }
  let lo = bestLog - 0.1 * Math.LN10;
  let hi = bestLog + 0.1 * Math.LN10;
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 40; it++) {
    const a = hi - phi * (hi - lo);
    const b = lo + phi * (hi - lo);
    if (diffAt(a) < diffAt(b)) hi = b;
    else lo = a;
  }
  const ls = (lo + hi) / 2;
  return { scale: Math.exp(ls), diff: diffAt(ls) };
}
