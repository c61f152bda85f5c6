// Shared by LayerNorm and RMSNorm: both normalise over the trailing axes [axis, rank)
// of X, treating everything before `axis` as independent rows.

import { shapeString } from './tensor';

export interface NormalizationLayout {
  /** Non-negative axis. */
  axis: number;
  /** Number of independent rows (product of shape[0 … axis)). */
  rows: number;
  /** Elements per row (product of shape[axis …]). */
  rowSize: number;
  /** Shape of per-row statistics: X's shape with the normalised axes set to 1. */
  statsShape: number[];
}

export function normalizationLayout(shape: readonly number[], axis: number, op: string): NormalizationLayout {
  const rank = shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} is outside a tensor of shape ${shapeString(shape)}`);
  let rows = 1;
  for (let i = 0; i < a; i++) rows *= shape[i];
  let rowSize = 1;
  for (let i = a; i < rank; i++) rowSize *= shape[i];
  const statsShape = shape.map((d, i) => (i < a ? d : 1));
  return { axis: a, rows, rowSize, statsShape };
}
