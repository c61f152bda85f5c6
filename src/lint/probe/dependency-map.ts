// Which output positions depend on which key positions, measured: change only key/value j
// (or input token j) and see which output rows move. For causal attention row i must never
// move when j > i (+ the alignment offset when Lq ≠ Lk). This is the behavioural proof of
// a leak, independent of how the mask was spelled.
import type { Tensor } from '../../engine/reference/tensor';
import type { ProbeCell } from './probe-types';

/** Rows (positions along `axis`) whose values differ between two outputs of the same shape. */
export function changedRows(base: Tensor, other: Tensor, axis: number): boolean[] {
  const shape = base.shape;
  const length = shape[axis];
  let outer = 1;
  for (let a = 0; a < axis; a++) outer *= shape[a];
  let inner = 1;
  for (let a = axis + 1; a < shape.length; a++) inner *= shape[a];
  let scale = 1;
  for (const x of base.data) if (Number.isFinite(x) && Math.abs(x) > scale) scale = Math.abs(x);
  const tol = 1e-5 * scale;
  const changed = new Array<boolean>(length).fill(false);
  for (let o = 0; o < outer; o++) {
    for (let l = 0; l < length; l++) {
      if (changed[l]) continue;
      const start = (o * length + l) * inner;
      for (let i = 0; i < inner; i++) {
        const a = base.data[start + i];
        const b = other.data[start + i];
        const differs = Number.isNaN(a) || Number.isNaN(b) ? Number.isNaN(a) !== Number.isNaN(b) : Math.abs(a - b) > tol;
        if (differs) {
          changed[l] = true;
          break;
        }
      }
    }
  }
  return changed;
}

/** depends[i][j]: output row i changed when key (or token) j changed. */
export interface DependencyMap {
  queries: number;
  keys: number;
  depends: boolean[][];
}

export function emptyMap(queries: number, keys: number): DependencyMap {
  return { queries, keys, depends: Array.from({ length: queries }, () => new Array<boolean>(keys).fill(false)) };
}

export function setColumn(map: DependencyMap, key: number, rows: boolean[]): void {
  for (let i = 0; i < map.queries; i++) map.depends[i][key] = rows[i];
}

export function isFull(map: DependencyMap): boolean {
  return map.depends.every((row) => row.every(Boolean));
}

/** Blocked pairs mirror each other: a bidirectional local/banded mask, not a causal one. */
export function isSymmetric(map: DependencyMap): boolean {
  if (map.queries !== map.keys) return false;
  for (let i = 0; i < map.queries; i++) for (let j = 0; j < i; j++) if (map.depends[i][j] !== map.depends[j][i]) return false;
  return true;
}

export type LeakPattern = 'none' | 'wrong-triangle' | 'no-mask' | 'partial';

export interface CausalAnalysis {
  /** Cells (query i, key j) with j > i + offset whose key moves row i. */
  leaks: ProbeCell[];
  pattern: LeakPattern;
  /** Rows that do not depend on their own position (Lq = Lk only). */
  selfBlind: number[];
  /** Rows that depend on no key at all. */
  blind: number[];
}

/** Leak analysis for queries aligned so that query i sits at key position i + offset. */
export function analyseCausal(map: DependencyMap, offset: number): CausalAnalysis {
  const leaks: ProbeCell[] = [];
  const selfBlind: number[] = [];
  const blind: number[] = [];
  let wrongTriangle = true; // sees exactly the keys j ≥ its own position
  let wrongStrict = true; // sees exactly the keys j > its own position
  for (let i = 0; i < map.queries; i++) {
    const row = map.depends[i];
    if (!row.some(Boolean)) blind.push(i);
    const own = i + offset;
    if (own >= 0 && own < map.keys && !row[own]) selfBlind.push(i);
    for (let j = 0; j < map.keys; j++) {
      if (j > own && row[j]) leaks.push({ query: i, key: j });
      // the mirror image of causal: sees exactly the keys j ≥ own position
      if (row[j] !== j >= own) wrongTriangle = false;
      if (row[j] !== j > own) wrongStrict = false;
    }
  }
  let pattern: LeakPattern = 'none';
  if (leaks.length > 0) pattern = wrongTriangle || wrongStrict ? 'wrong-triangle' : isFull(map) ? 'no-mask' : 'partial';
  return { leaks, pattern, selfBlind, blind };
}

/** The alignment a causal dependency map shows when Lq ≠ Lk, if it is exactly one of the two. */
export function causalAlignment(map: DependencyMap): 'top-left' | 'bottom-right' | undefined {
  const matches = (offset: number) => map.depends.every((row, i) => row.every((d, j) => d === j <= i + offset));
  if (matches(0)) return 'top-left';
  if (matches(map.keys - map.queries)) return 'bottom-right';
  return undefined;
}

/** "position 2 changes when token 5 changes" for the most telling leak: the earliest query, its farthest key. */
export function describeLeak(leaks: ProbeCell[]): string {
  const first = leaks.reduce((best, c) => (c.query < best.query || (c.query === best.query && c.key > best.key) ? c : best), leaks[0]);
  return `position ${first.query} changes when token ${first.key} changes`;
}
