// A sparse attention pattern: for every query, the sorted list of keys it may attend to.
//
// Stored the way sparse matrices usually are (CSR, "compressed sparse rows"):
//
//   keys allowed for query i = keyIndex[rowStart[i] .. rowStart[i + 1])
//
//   e.g. causal window of 2 over 4 tokens        rowStart = [0, 1, 3, 5, 7]
//        query 0 → {0}                           keyIndex = [0, 0, 1, 1, 2, 2, 3]
//        query 1 → {0, 1}
//        query 2 → {1, 2}
//        query 3 → {2, 3}
//
// The same pattern as a dense keep-mask is an [Lq, Lk] grid of 0/1. The dense form is
// what a standard kernel multiplies through (Lq·Lk work whatever the mask says); the
// CSR form is what a sparse kernel walks (work proportional to the allowed pairs only).

import type { BoolMask } from './masks';

export interface SparsePattern {
  /** Lq: number of queries (rows). */
  readonly queries: number;
  /** Lk: number of keys (columns). */
  readonly keys: number;
  /** Lq + 1 offsets into keyIndex; rowStart[Lq] is the number of allowed pairs. */
  readonly rowStart: Int32Array;
  /** Allowed key indices, ascending within each row. */
  readonly keyIndex: Int32Array;
}

/** Number of (query, key) pairs a pattern allows. */
export function pairCount(p: SparsePattern): number {
  return p.rowStart[p.queries];
}

/** The allowed keys of query i (a view, no copy). */
export function keysOf(p: SparsePattern, i: number): Int32Array {
  return p.keyIndex.subarray(p.rowStart[i], p.rowStart[i + 1]);
}

/**
 * Build a pattern from a predicate allowed(i, j). Walks all Lq·Lk pairs once, so it is
 * meant for building patterns and tests; the kernels never call a predicate.
 */
export function patternFromPredicate(queries: number, keys: number, allowed: (i: number, j: number) => boolean): SparsePattern {
  const rowStart = new Int32Array(queries + 1);
  const picked: number[] = [];
  for (let i = 0; i < queries; i++) {
    for (let j = 0; j < keys; j++) if (allowed(i, j)) picked.push(j);
    rowStart[i + 1] = picked.length;
  }
  return { queries, keys, rowStart, keyIndex: Int32Array.from(picked) };
}

/** Build a pattern from per-query key lists (any order, duplicates allowed: sorted and de-duplicated here). */
export function patternFromRows(keys: number, rows: ReadonlyArray<Iterable<number>>): SparsePattern {
  const rowStart = new Int32Array(rows.length + 1);
  const picked: number[] = [];
  rows.forEach((row, i) => {
    const sorted = [...new Set(row)].sort((a, b) => a - b);
    for (const j of sorted) {
      if (!Number.isInteger(j) || j < 0 || j >= keys) throw new Error(`sparse pattern: key ${j} of query ${i} is outside 0…${keys - 1}`);
      picked.push(j);
    }
    rowStart[i + 1] = picked.length;
  });
  return { queries: rows.length, keys, rowStart, keyIndex: Int32Array.from(picked) };
}

/** The dense [Lq, Lk] keep-mask (1 = attend) of a pattern, for the standard kernel. */
export function patternToKeepMask(p: SparsePattern): BoolMask {
  const data = new Uint8Array(p.queries * p.keys);
  for (let i = 0; i < p.queries; i++) {
    for (let t = p.rowStart[i]; t < p.rowStart[i + 1]; t++) data[i * p.keys + p.keyIndex[t]] = 1;
  }
  return { data, shape: [p.queries, p.keys] };
}

/** The pattern of a dense [Lq, Lk] keep-mask (any non-zero byte counts as allowed). */
export function patternFromKeepMask(mask: BoolMask): SparsePattern {
  if (mask.shape.length !== 2) throw new Error(`patternFromKeepMask expects an [Lq, Lk] mask, got rank ${mask.shape.length}`);
  const [lq, lk] = mask.shape;
  return patternFromPredicate(lq, lk, (i, j) => mask.data[i * lk + j] !== 0);
}

/** Pairs allowed by both patterns (e.g. a window ∧ causal). */
export function intersectPatterns(a: SparsePattern, b: SparsePattern): SparsePattern {
  if (a.queries !== b.queries || a.keys !== b.keys) {
    throw new Error(`intersectPatterns: [${a.queries}, ${a.keys}] vs [${b.queries}, ${b.keys}]`);
  }
  const rows: number[][] = [];
  for (let i = 0; i < a.queries; i++) {
    const inB = new Set(keysOf(b, i));
    rows.push([...keysOf(a, i)].filter((j) => inB.has(j)));
  }
  return patternFromRows(a.keys, rows);
}
