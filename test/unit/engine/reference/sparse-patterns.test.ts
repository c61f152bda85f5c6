import { strict as assert } from 'node:assert';
import { bigBirdLayout, bigBirdPattern } from '../../../../src/engine/reference/bigbird-pattern';
import { blockDiagonalPattern, uniformBlockDiagonalPattern, uniformSegments } from '../../../../src/engine/reference/block-diagonal-pattern';
import { longformerPattern } from '../../../../src/engine/reference/longformer-pattern';
import { mulberry32, sampleWithoutReplacement } from '../../../../src/engine/reference/mulberry32';
import {
  blockDiagonalPairs,
  causalPairs,
  causalWindowPairs,
  fullPairs,
  patternCost,
  symmetricWindowPairs,
} from '../../../../src/engine/reference/pattern-cost';
import {
  causalWindow,
  inWindow,
  receptiveField,
  slidingWindowKeepMask,
  slidingWindowPairs,
  slidingWindowPattern,
  symmetricWindow,
} from '../../../../src/engine/reference/sliding-window';
import {
  intersectPatterns,
  keysOf,
  pairCount,
  patternFromKeepMask,
  patternFromPredicate,
  patternFromRows,
  patternToKeepMask,
} from '../../../../src/engine/reference/sparse-pattern';

/** Rows of a pattern as plain arrays, for readable deepEqual. */
function rowsOf(p: ReturnType<typeof slidingWindowPattern>): number[][] {
  return Array.from({ length: p.queries }, (_, i) => Array.from(keysOf(p, i)));
}

/** A keep-mask as strings of '■'/'·', one per query row. */
function picture(mask: { data: Uint8Array; shape: readonly number[] }): string[] {
  const [lq, lk] = mask.shape;
  return Array.from({ length: lq }, (_, i) => Array.from(mask.data.subarray(i * lk, (i + 1) * lk), (x) => (x ? '■' : '·')).join(''));
}

describe('reference: sparse attention patterns', () => {
  describe('sliding window', () => {
    it('causal window w = 3 keeps i − 3 < j ≤ i: exactly 3 keys including the query (boundary rows by hand)', () => {
      const p = slidingWindowPattern(6, causalWindow(3));
      assert.deepEqual(rowsOf(p), [[0], [0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]);
      // the off-by-one boundary: j = i − 3 is OUT, j = i − 2 is IN, j = i + 1 is OUT
      assert.equal(inWindow(3, 0, causalWindow(3)), false);
      assert.equal(inWindow(3, 1, causalWindow(3)), true);
      assert.equal(inWindow(3, 3, causalWindow(3)), true);
      assert.equal(inWindow(3, 4, causalWindow(3)), false);
      assert.deepEqual(picture(slidingWindowKeepMask(6, causalWindow(3))), [
        '■·····',
        '■■····',
        '■■■···',
        '·■■■··',
        '··■■■·',
        '···■■■',
      ]);
    });

    it('causal window w = 1 is the diagonal only; w ≥ n is plain causal', () => {
      assert.deepEqual(rowsOf(slidingWindowPattern(4, causalWindow(1))), [[0], [1], [2], [3]]);
      assert.deepEqual(rowsOf(slidingWindowPattern(4, causalWindow(9))), [[0], [0, 1], [0, 1, 2], [0, 1, 2, 3]]);
      assert.throws(() => causalWindow(0), /≥ 1/);
    });

    it('symmetric radius r = 1 keeps |i − j| ≤ 1 (3 keys in the middle, 2 at the ends)', () => {
      assert.deepEqual(rowsOf(slidingWindowPattern(5, symmetricWindow(1))), [[0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4]]);
      assert.equal(inWindow(2, 0, symmetricWindow(1)), false);
      assert.equal(inWindow(2, 4, symmetricWindow(1)), false);
      assert.deepEqual(rowsOf(slidingWindowPattern(3, symmetricWindow(0))), [[0], [1], [2]]);
    });

    it('the row-built pattern equals the predicate over all pairs, for many n and extents', () => {
      for (const n of [1, 2, 7, 16]) {
        for (const before of [0, 1, 3, 20]) {
          for (const after of [0, 2, 20]) {
            const extent = { before, after };
            const direct = slidingWindowPattern(n, extent);
            const scanned = patternFromPredicate(n, n, (i, j) => inWindow(i, j, extent));
            assert.deepEqual(rowsOf(direct), rowsOf(scanned), `n=${n} ${before}/${after}`);
            assert.equal(pairCount(direct), slidingWindowPairs(n, extent));
          }
        }
      }
    });

    it('pair counts follow the closed forms: n·w − w(w−1)/2 and n(2r+1) − r(r+1)', () => {
      // n = 6, w = 3: 1 + 2 + 3 + 3 + 3 + 3 = 15 = 18 − 3
      assert.equal(pairCount(slidingWindowPattern(6, causalWindow(3))), 15);
      assert.equal(causalWindowPairs(6, 3), 15);
      // n = 5, r = 1: 2 + 3 + 3 + 3 + 2 = 13 = 15 − 2
      assert.equal(symmetricWindowPairs(5, 1), 13);
      for (const n of [1, 5, 64, 300]) {
        for (const w of [1, 2, 17, 64, 500]) {
          assert.equal(pairCount(slidingWindowPattern(n, causalWindow(w))), causalWindowPairs(n, w), `n=${n} w=${w}`);
        }
        for (const r of [0, 1, 9, 400]) {
          assert.equal(pairCount(slidingWindowPattern(n, symmetricWindow(r))), symmetricWindowPairs(n, r), `n=${n} r=${r}`);
        }
      }
    });

    it('receptive field grows by w − 1 per layer', () => {
      assert.equal(receptiveField(3, 1), 2);
      assert.equal(receptiveField(4096, 32), 32 * 4095); // Mistral 7B: 131,040 positions
      assert.equal(receptiveField(3, 10, 8), 7);
    });
  });

  describe('Longformer', () => {
    it('window r = 1 plus global token 0: full row 0, full column 0 (hand-drawn)', () => {
      const p = longformerPattern(6, { radius: 1, globalTokens: [0] });
      assert.deepEqual(picture(patternToKeepMask(p)), [
        '■■■■■■',
        '■■■···',
        '■■■■··',
        '■·■■■·',
        '■··■■■',
        '■···■■',
      ]);
    });

    it('two globals and causal: global rows stop at the diagonal, global columns only from their position on', () => {
      const p = longformerPattern(6, { radius: 1, globalTokens: [3, 0], causal: true });
      assert.deepEqual(picture(patternToKeepMask(p)), [
        '■·····',
        '■■····',
        '■■■···',
        '■■■■··',
        '■··■■·',
        '■··■■■',
      ]);
    });

    it('equals the rule (|i−j| ≤ r ∨ i∈G ∨ j∈G) on random configurations', () => {
      const random = mulberry32(7);
      for (let t = 0; t < 20; t++) {
        const n = 1 + Math.floor(random() * 40);
        const r = Math.floor(random() * 6);
        const g = sampleWithoutReplacement(Array.from({ length: n }, (_, i) => i), Math.floor(random() * 4), random);
        const p = longformerPattern(n, { radius: r, globalTokens: g });
        const set = new Set(g);
        const rule = patternFromPredicate(n, n, (i, j) => Math.abs(i - j) <= r || set.has(i) || set.has(j));
        assert.deepEqual(rowsOf(p), rowsOf(rule), `n=${n} r=${r} g=${g}`);
      }
    });

    it('refuses global tokens outside the sequence', () => {
      assert.throws(() => longformerPattern(4, { radius: 1, globalTokens: [4] }), /outside/);
    });
  });

  describe('BigBird', () => {
    it('window + global + random blocks: the documented example (n = 12, b = 2, G = {0, 5}, r = 1)', () => {
      const layout = bigBirdLayout(12, { blockSize: 2, windowBlocks: 3, globalBlocks: [0, 5], randomBlocks: 1, seed: 1 });
      assert.equal(layout.blocks, 6);
      // global rows see every block
      assert.deepEqual(layout.keyBlocks[0], [0, 1, 2, 3, 4, 5]);
      assert.deepEqual(layout.keyBlocks[5], [0, 1, 2, 3, 4, 5]);
      // block 2: window {1,2,3} ∪ global {0,5} leaves only block 4 as a random candidate
      assert.deepEqual(layout.randomBlocks[2], [4]);
      assert.deepEqual(layout.keyBlocks[2], [0, 1, 2, 3, 4, 5]);
      // block 1: window {0,1,2} ∪ global {0,5}: random from {3, 4}
      assert.equal(layout.randomBlocks[1].length, 1);
      assert.ok([3, 4].includes(layout.randomBlocks[1][0]));
      // token level: tokens 2 and 3 (block 1) share their key set
      const p = bigBirdPattern(12, { blockSize: 2, windowBlocks: 3, globalBlocks: [0, 5], randomBlocks: 1, seed: 1 });
      assert.deepEqual(Array.from(keysOf(p, 2)), Array.from(keysOf(p, 3)));
      const expected = [...layout.keyBlocks[1]].flatMap((kb) => [2 * kb, 2 * kb + 1]);
      assert.deepEqual(Array.from(keysOf(p, 2)), expected);
    });

    it('is deterministic for a seed and changes with the seed', () => {
      const opts = { blockSize: 4, randomBlocks: 2 };
      const a = bigBirdLayout(128, { ...opts, seed: 42 });
      const b = bigBirdLayout(128, { ...opts, seed: 42 });
      const c = bigBirdLayout(128, { ...opts, seed: 43 });
      assert.deepEqual(a.randomBlocks, b.randomBlocks);
      assert.notDeepEqual(a.randomBlocks, c.randomBlocks);
    });

    it('every non-global block gets r distinct random blocks outside its window and the globals', () => {
      const layout = bigBirdLayout(200, { blockSize: 8, windowBlocks: 3, randomBlocks: 3, seed: 5 });
      assert.equal(layout.blocks, 25);
      assert.deepEqual(layout.globalBlocks, [0, 24]);
      for (let qb = 1; qb < 24; qb++) {
        const rnd = layout.randomBlocks[qb];
        assert.equal(new Set(rnd).size, 3);
        for (const kb of rnd) {
          assert.ok(Math.abs(kb - qb) > 1 && kb !== 0 && kb !== 24, `block ${qb} drew ${kb}`);
        }
        assert.equal(layout.keyBlocks[qb].length, 3 + 2 + 3 - (qb === 1 || qb === 23 ? 1 : 0));
      }
      // n not a multiple of b: the last block (tokens 8, 9) is short, and as a global block sees everything
      const short = bigBirdPattern(10, { blockSize: 4, randomBlocks: 0 });
      assert.equal(short.queries, 10);
      assert.deepEqual(Array.from(keysOf(short, 9)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('mulberry32 matches an independent port for seed 0, and draws uniformly', () => {
      // first three outputs of mulberry32(0) as 32-bit integers, from a separate Python implementation
      const r = mulberry32(0);
      const first = [r(), r(), r()].map((x) => Math.round(x * 4294967296));
      assert.deepEqual(first, [1144304738, 1416247, 958946056]);
      const s = mulberry32(1);
      let sum = 0;
      for (let i = 0; i < 10000; i++) sum += s();
      assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
    });
  });

  describe('block-diagonal', () => {
    it('segments [3, 2, 3] (hand-drawn), and causal inside each segment', () => {
      assert.deepEqual(picture(patternToKeepMask(blockDiagonalPattern([3, 2, 3]))), [
        '■■■·····',
        '■■■·····',
        '■■■·····',
        '···■■···',
        '···■■···',
        '·····■■■',
        '·····■■■',
        '·····■■■',
      ]);
      assert.deepEqual(picture(patternToKeepMask(blockDiagonalPattern([2, 3], { causal: true }))), [
        '■····',
        '■■···',
        '··■··',
        '··■■·',
        '··■■■',
      ]);
    });

    it('uniform blocks: the last block is short; pairs Σ sₖ²', () => {
      assert.deepEqual(uniformSegments(10, 4), [4, 4, 2]);
      const p = uniformBlockDiagonalPattern(10, 4);
      assert.equal(pairCount(p), 16 + 16 + 4);
      assert.equal(blockDiagonalPairs([4, 4, 2]), 36);
      assert.equal(pairCount(uniformBlockDiagonalPattern(10, 4, { causal: true })), blockDiagonalPairs([4, 4, 2], true));
    });
  });

  describe('pattern utilities and cost', () => {
    it('keep-mask ⇄ CSR round trip, rows sorted and de-duplicated, intersection', () => {
      const p = patternFromRows(5, [[3, 1, 1], [], [4, 0]]);
      assert.deepEqual(rowsOf(p), [[1, 3], [], [0, 4]]);
      assert.deepEqual(rowsOf(patternFromKeepMask(patternToKeepMask(p))), rowsOf(p));
      assert.throws(() => patternFromRows(3, [[3]]), /outside/);
      const causal = patternFromPredicate(6, 6, (i, j) => j <= i);
      const sym = slidingWindowPattern(6, symmetricWindow(2));
      assert.deepEqual(rowsOf(intersectPatterns(sym, causal)), rowsOf(slidingWindowPattern(6, causalWindow(3))));
    });

    it('cost: pairs vs full n² and vs causal n(n+1)/2', () => {
      const p = slidingWindowPattern(1024, causalWindow(128));
      const cost = patternCost(p);
      assert.equal(cost.pairs, 1024 * 128 - (128 * 127) / 2);
      assert.equal(cost.fullPairs, 1024 * 1024);
      assert.equal(cost.causalPairs, (1024 * 1025) / 2);
      assert.equal(cost.maxKeysPerQuery, 128);
      assert.ok(Math.abs(cost.fractionOfFull - cost.pairs / 1048576) < 1e-15);
      assert.ok(cost.fractionOfCausal < 0.24 && cost.fractionOfCausal > 0.23);
      assert.equal(fullPairs(3, 5), 15);
      assert.equal(causalPairs(4), 10);
      assert.equal(causalPairs(2, 5), 2 * 3 + 3); // bottom-right: rows see 4 and 5 keys
      assert.equal(pairCount(patternFromPredicate(2, 5, (i, j) => j <= i + 3)), causalPairs(2, 5));
    });

    it('a window pattern is linear in n: doubling n doubles the pairs (up to the edge term)', () => {
      const w = 64;
      const at = (n: number) => pairCount(slidingWindowPattern(n, causalWindow(w)));
      for (const n of [1024, 2048, 4096]) assert.equal(at(2 * n) - 2 * at(n), (w * (w - 1)) / 2);
    });
  });
});
