// Longformer attention (Beltagy et al., 2020): a local sliding window plus a few global tokens.
//
// For n tokens, window radius r and a set G of global positions, query i may attend to key j iff
//
//   |i − j| ≤ r          local: the symmetric window (see sliding-window.ts), 2r + 1 keys
//   or  i ∈ G            a global token attends to every key          (its row is full)
//   or  j ∈ G            every token attends to the global tokens     (their columns are full)
//
//       n = 8, r = 1, G = {0}     keys → 0 1 2 3 4 5 6 7
//                      query 0         ■ ■ ■ ■ ■ ■ ■ ■     global row
//                      query 1         ■ ■ ■ · · · · ·
//                      query 2         ■ ■ ■ ■ · · · ·     global column + window
//                      query 5         ■ · · · ■ ■ ■ ·
//
// The window keeps the cost at O(n·r); the global tokens (e.g. [CLS], or the question
// tokens in QA) give every pair of tokens a two-hop path through a global token.
// Longformer's `attention_window` config value is the total window 2r.
// With `causal`, the pattern is additionally restricted to j ≤ i (decoder use).

import { WindowExtent, inWindow, symmetricWindow } from './sliding-window';
import { SparsePattern, patternFromRows } from './sparse-pattern';

export interface LongformerOptions {
  /** r: keys on EACH side of the query (Longformer's attention_window / 2). */
  readonly radius: number;
  /** Global token positions. */
  readonly globalTokens?: readonly number[];
  /** Also require j ≤ i. */
  readonly causal?: boolean;
}

/** The Longformer rule for one pair. */
export function longformerAllows(i: number, j: number, extent: WindowExtent, global: ReadonlySet<number>, causal: boolean): boolean {
  if (causal && j > i) return false;
  return inWindow(i, j, extent) || global.has(i) || global.has(j);
}

/** The Longformer pattern over n tokens, built row by row in O(n·(r + |G|)) for non-global rows. */
export function longformerPattern(n: number, opts: LongformerOptions): SparsePattern {
  const extent = symmetricWindow(opts.radius);
  const globals = [...new Set(opts.globalTokens ?? [])].sort((a, b) => a - b);
  for (const g of globals) {
    if (!Number.isInteger(g) || g < 0 || g >= n) throw new Error(`Longformer global token ${g} is outside 0…${n - 1}`);
  }
  const isGlobal = new Set(globals);
  const causal = opts.causal === true;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const last = causal ? i : n - 1;
    if (isGlobal.has(i)) {
      // a global query sees everything (up to itself when causal)
      rows.push(Array.from({ length: last + 1 }, (_, j) => j));
      continue;
    }
    const row: number[] = [];
    for (const g of globals) if (g <= last) row.push(g); // global columns
    const from = Math.max(0, i - extent.before);
    const to = Math.min(last, i + extent.after);
    for (let j = from; j <= to; j++) row.push(j); // local window
    rows.push(row); // patternFromRows sorts and removes the overlap
  }
  return patternFromRows(n, rows);
}
