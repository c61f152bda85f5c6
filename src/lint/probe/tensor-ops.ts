// The few tensor manipulations the probe needs on top of the reference engine: axis
// permutation (layout changes) and element-wise comparisons.
import { sizeOf, stridesOf, type Tensor } from '../../engine/reference/tensor';

/** out[i0, i1, …] = t[i_perm…]: output axis a is input axis perm[a] (like numpy.transpose). */
export function permute(t: Tensor, perm: readonly number[]): Tensor {
  const inShape = t.shape;
  if (perm.length !== inShape.length) throw new Error(`permute: ${perm.length} axes for a rank-${inShape.length} tensor`);
  const outShape = perm.map((p) => inShape[p]);
  const inStrides = stridesOf(inShape);
  const stepIn = perm.map((p) => inStrides[p]);
  const out = new Float32Array(t.data.length);
  const rank = outShape.length;
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = t.data[src];
    for (let a = rank - 1; a >= 0; a--) {
      index[a]++;
      src += stepIn[a];
      if (index[a] < outShape[a]) break;
      src -= stepIn[a] * outShape[a];
      index[a] = 0;
    }
  }
  return { data: out, shape: outShape };
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** max |a − b| over all elements (NaN when either side has a NaN where the other does not). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return NaN;
      continue;
    }
    const d = Math.abs(x - y);
    if (d > m) m = d;
  }
  return m;
}

export function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const x of a) if (Math.abs(x) > m) m = Math.abs(x);
  return m;
}

export function countNonFinite(a: Float32Array): number {
  let n = 0;
  for (const x of a) if (!Number.isFinite(x)) n++;
  return n;
}

export function reshapeTo(t: Tensor, shape: readonly number[]): Tensor | undefined {
  return sizeOf(shape) === t.data.length ? { data: t.data, shape: [...shape] } : undefined;
}
