// BigBird attention (Zaheer et al., 2020, the "ITC" variant): window + global + random,
// decided per BLOCK of b consecutive tokens rather than per token.
//
// Cut the n tokens into nb = ⌈n / b⌉ blocks (the last one may be shorter). Query block Qb
// attends to the union of these key blocks:
//
//   window   Qb − ⌊wb/2⌋ … Qb + ⌊wb/2⌋      wb = windowBlocks (odd; default 3: left, self, right)
//   global   every block in G                G = globalBlocks (default: first and last block)
//   random   r blocks drawn uniformly, without replacement, from the blocks not already
//            chosen above, by a seeded generator (same seed → same pattern, everywhere)
//
// and a global block's own queries attend to every block (full rows). Every token of a
// query block shares its block's keys, so the pattern is block-sparse: the kind of
// layout a GPU kernel can process tile by tile.
//
//   n = 12, b = 2 (6 blocks), wb = 3, G = {0, 5}, r = 1:
//   block row 2 → window {1, 2, 3} ∪ global {0, 5} ∪ one random block from {4}
//
// Random blocks are what keep the graph's diameter small (any two tokens are a few hops
// apart); the paper shows window + global + random keeps the expressiveness of full
// attention at O(n·b·(wb + |G| + r)) cost.

import { mulberry32, sampleWithoutReplacement } from './mulberry32';
import { SparsePattern, patternFromRows } from './sparse-pattern';

export interface BigBirdOptions {
  /** b: tokens per block. */
  readonly blockSize: number;
  /** wb: window width in blocks, odd (default 3). */
  readonly windowBlocks?: number;
  /** Global block indices (default: the first and the last block). */
  readonly globalBlocks?: readonly number[];
  /** r: random key blocks per non-global query block (default 3, as in the paper's base model). */
  readonly randomBlocks?: number;
  /** Seed of the random-block choice (default 0). */
  readonly seed?: number;
}

/** The block-level layout: for each query block, the sorted key blocks it attends to. */
export interface BigBirdLayout {
  readonly blockSize: number;
  readonly blocks: number;
  /** keyBlocks[Qb] = sorted key block indices of query block Qb. */
  readonly keyBlocks: readonly (readonly number[])[];
  /** The random blocks alone (empty for global query blocks), for display. */
  readonly randomBlocks: readonly (readonly number[])[];
  readonly globalBlocks: readonly number[];
}

/** Which key blocks each query block attends to (deterministic for a given seed). */
export function bigBirdLayout(n: number, opts: BigBirdOptions): BigBirdLayout {
  const b = opts.blockSize;
  if (!Number.isInteger(b) || b < 1) throw new Error(`BigBird block size must be a whole number ≥ 1 (got ${b})`);
  const blocks = Math.ceil(n / b);
  const wb = opts.windowBlocks ?? 3;
  if (!Number.isInteger(wb) || wb < 1 || wb % 2 === 0) throw new Error(`BigBird window must be an odd number of blocks (got ${wb})`);
  const r = opts.randomBlocks ?? 3;
  const globals = [...new Set(opts.globalBlocks ?? (blocks > 1 ? [0, blocks - 1] : [0]))].sort((x, y) => x - y);
  for (const g of globals) {
    if (!Number.isInteger(g) || g < 0 || g >= blocks) throw new Error(`BigBird global block ${g} is outside 0…${blocks - 1}`);
  }
  const isGlobal = new Set(globals);
  const random = mulberry32(opts.seed ?? 0);
  const half = (wb - 1) / 2;
  const keyBlocks: number[][] = [];
  const randomBlocks: number[][] = [];
  for (let qb = 0; qb < blocks; qb++) {
    if (isGlobal.has(qb)) {
      keyBlocks.push(Array.from({ length: blocks }, (_, kb) => kb));
      randomBlocks.push([]);
      continue;
    }
    const chosen = new Set<number>(globals);
    for (let kb = Math.max(0, qb - half); kb <= Math.min(blocks - 1, qb + half); kb++) chosen.add(kb);
    const candidates: number[] = [];
    for (let kb = 0; kb < blocks; kb++) if (!chosen.has(kb)) candidates.push(kb);
    const picked = sampleWithoutReplacement(candidates, r, random);
    for (const kb of picked) chosen.add(kb);
    keyBlocks.push([...chosen].sort((x, y) => x - y));
    randomBlocks.push([...picked].sort((x, y) => x - y));
  }
  return { blockSize: b, blocks, keyBlocks, randomBlocks, globalBlocks: globals };
}

/** The token-level BigBird pattern over n tokens (each block's keys expanded to its tokens). */
export function bigBirdPattern(n: number, opts: BigBirdOptions): SparsePattern {
  const layout = bigBirdLayout(n, opts);
  const b = layout.blockSize;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (const kb of layout.keyBlocks[Math.floor(i / b)]) {
      for (let j = kb * b; j < Math.min(n, (kb + 1) * b); j++) row.push(j);
    }
    rows.push(row);
  }
  return patternFromRows(n, rows);
}
