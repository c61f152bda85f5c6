// numpy / ONNX multidirectional broadcasting.
//
// Shapes are aligned on their LAST axis; a missing leading axis counts as size 1, and
// an axis of size 1 stretches to any size. Example:
//
//     mask      [      Lq, Lk]      (2-D)
//     mask      [   H, Lq, Lk]      (3-D: the leading axis lines up with heads, not batch)
//     scores    [B, H, Lq, Lk]
//
// `broadcastTo` materialises the stretched copy; the reference engine prefers plain
// loops over clever strides, and masks are small next to the scores they apply to.

import { shapeString, sizeOf, stridesOf } from './tensor';

/** The broadcast result shape of two shapes, or an error naming both. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`shapes ${shapeString(a)} and ${shapeString(b)} do not broadcast (axis ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** True when `from` can be stretched to exactly `to` (one-directional broadcast). */
export function canBroadcastTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  for (let i = 1; i <= from.length; i++) {
    const f = from[from.length - i];
    if (f !== 1 && f !== to[to.length - i]) return false;
  }
  return true;
}

/**
 * For each element of the target shape (row-major), the flat index of the source
 * element it reads. Shared by every broadcastTo variant below.
 */
export function broadcastSourceIndex(from: readonly number[], to: readonly number[]): Int32Array {
  if (!canBroadcastTo(from, to)) {
    throw new Error(`shape ${shapeString(from)} does not broadcast to ${shapeString(to)}`);
  }
  const n = sizeOf(to);
  const out = new Int32Array(n);
  const rank = to.length;
  const fromStrides = stridesOf(from);
  // Stride per target axis in the source: 0 where the source axis is missing or 1.
  const step = new Array<number>(rank).fill(0);
  for (let i = 1; i <= from.length; i++) {
    if (from[from.length - i] !== 1) step[rank - i] = fromStrides[from.length - i];
  }
  const counter = new Array<number>(rank).fill(0);
  let src = 0;
  for (let flat = 0; flat < n; flat++) {
    out[flat] = src;
    // Increment the multi-index like an odometer, updating the source offset.
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]++;
      src += step[axis];
      if (counter[axis] < to[axis]) break;
      src -= step[axis] * counter[axis];
      counter[axis] = 0;
    }
  }
  return out;
}

/** A copy of `data` (shape `from`) stretched to shape `to`. */
export function broadcastTo<T extends Float32Array | Uint8Array>(data: T, from: readonly number[], to: readonly number[]): T {
  if (data.length !== sizeOf(from)) {
    throw new Error(`broadcastTo: ${data.length} values do not fill ${shapeString(from)}`);
  }
  const index = broadcastSourceIndex(from, to);
  const out = (data instanceof Float32Array ? new Float32Array(index.length) : new Uint8Array(index.length)) as T;
  for (let i = 0; i < index.length; i++) out[i] = data[index[i]];
  return out;
}
