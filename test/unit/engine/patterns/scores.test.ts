// Each score against hand-computed values on small heads, and against a naive
// re-implementation of its written definition (docs/patterns.md) on random heads.
import { strict as assert } from 'node:assert';
import { bandScore } from '../../../../src/engine/patterns/band-score';
import { blockScore } from '../../../../src/engine/patterns/block-score';
import { diagonalScore } from '../../../../src/engine/patterns/diagonal-score';
import { duplicateTokenScore } from '../../../../src/engine/patterns/duplicate-token-score';
import { entropyScore } from '../../../../src/engine/patterns/entropy-score';
import { HeadInput, headInput, lift, withoutColumns } from '../../../../src/engine/patterns/head-rows';
import { inductionScore } from '../../../../src/engine/patterns/induction-score';
import { nextTokenScore } from '../../../../src/engine/patterns/next-token-score';
import { previousTokenScore } from '../../../../src/engine/patterns/previous-token-score';
import { SeededRandom } from '../../../../src/engine/patterns/seeded-random';
import { Segmentation, bracketSegments, lineSegments, segmentationTexts, sentenceSegments } from '../../../../src/engine/patterns/segments';
import { sinkScore } from '../../../../src/engine/patterns/sink-score';
import { tokenRepeats } from '../../../../src/engine/patterns/token-repeats';

function head(rows: number[][], causal: boolean): HeadInput {
  return headInput(Float32Array.from(rows.flat()), { q: rows.length, k: rows[0].length, causal });
}

/** A random head: softmax of N(0, 2) logits over each row's allowed keys, rows a bit off 1. */
function randomHead(q: number, k: number, causal: boolean, rng: SeededRandom): HeadInput {
  const a = new Float32Array(q * k);
  for (let i = 0; i < q; i++) {
    const end = causal ? i + 1 : k;
    let s = 0;
    for (let j = 0; j < end; j++) s += a[i * k + j] = Math.exp(2 * rng.normal());
    const scale = rng.uniform(0.95, 1.05); // exercises the renormalisation by m_i
    for (let j = 0; j < end; j++) a[i * k + j] *= scale / s;
  }
  return headInput(a, { q, k, causal });
}

/** The shares a_ij of the scored rows, straight from the definition. */
function shares(h: HeadInput): { rows: number[]; share: (i: number, j: number) => number; keys: (i: number) => number[] } {
  const rows: number[] = [];
  const mass: number[] = [];
  for (let i = 0; i < h.q; i++) {
    const keys = h.causal ? i + 1 : h.k;
    let m = 0;
    for (let j = 0; j < keys; j++) if (!h.excludedColumns.includes(j)) m += h.a[i * h.k + j];
    mass[i] = m;
    if (keys - h.excludedColumns.filter((j) => j < keys).length >= 2 && m > 0 && h.invMass[i] > 0) rows.push(i);
  }
  return {
    rows,
    share: (i, j) => h.a[i * h.k + j] / mass[i],
    keys: (i) => [...Array(h.causal ? i + 1 : h.k).keys()].filter((j) => !h.excludedColumns.includes(j)),
  };
}

const close = (x: number, y: number, tol = 1e-6, msg = ''): void => assert.ok(Math.abs(x - y) <= tol, `${msg} ${x} vs ${y}`);

describe('pattern scores: hand-computed', () => {
  // Causal 4×4: row 0 is trivial and not scored.
  const causal = head(
    [
      [1, 0, 0, 0],
      [0.25, 0.75, 0, 0],
      [0.1, 0.6, 0.3, 0],
      [0.4, 0.1, 0.3, 0.2],
    ],
    true,
  );

  it('diagonal skips the causal row 0 and averages a_ii with chance 1/|S_i|', () => {
    const s = diagonalScore(causal);
    close(s.value, (0.75 + 0.3 + 0.2) / 3);
    close(s.chance, (1 / 2 + 1 / 3 + 1 / 4) / 3);
    assert.equal(s.positions, 3);
  });

  it('previous-token averages a_{i,i−1} over rows 1…', () => {
    const s = previousTokenScore(causal);
    close(s.value, (0.25 + 0.6 + 0.3) / 3);
    close(lift(s), (s.value - s.chance) / (1 - s.chance));
  });

  it('next-token is unmeasured for causal heads and exact for bidirectional ones', () => {
    assert.equal(nextTokenScore(causal).positions, 0);
    const bi = head(
      [
        [0.2, 0.8, 0],
        [0, 0.1, 0.9],
        [0.5, 0.5, 0],
      ],
      false,
    );
    const s = nextTokenScore(bi);
    close(s.value, (0.8 + 0.9) / 2);
    close(s.chance, 1 / 3);
  });

  it('sink counts other rows only, divides by all scored rows and ranks columns by lift', () => {
    const s = sinkScore(causal);
    // Column 0 (rows 1–3): share (0.25 + 0.1 + 0.4)/3 = 0.25, chance (1/2 + 1/3 + 1/4)/3 ≈ 0.361: below chance.
    // Column 1 (rows 2–3): share (0.6 + 0.1)/3 ≈ 0.233, chance (1/3 + 1/4)/3 ≈ 0.194: the best lift.
    assert.equal(s.column, 1);
    close(s.shares[0], 0.7 / 3);
    // Column 0 still holds ≥ 10% and joins; column 2 (0.3/3 = 0.1) joins too.
    assert.deepEqual(s.columns, [1, 2, 0]);
    close(s.value, (0.7 + 0.3 + 0.75) / 3);
  });

  it('broad is 1 for uniform rows and 0 for one-hot rows', () => {
    const uniform = head([[1, 0, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]], true);
    close(entropyScore(uniform).value, 1, 1e-7);
    const oneHot = head([[1, 0, 0], [0, 1, 0], [0, 0, 1]], true);
    close(entropyScore(oneHot).value, 0);
  });

  it('local-band finds the exact window of a uniform band', () => {
    const n = 64;
    for (const w of [2, 3, 5, 9]) {
      const rows = Array.from({ length: n }, (_, i) => {
        const r = new Array<number>(n).fill(0);
        const lo = Math.max(0, i - w);
        for (let j = lo; j <= i; j++) r[j] = 1 / (i - lo + 1);
        return r;
      });
      const b = bandScore(head(rows, true));
      assert.equal(b.width, w, `window ${w}`);
      close(b.lift, 1, 1e-6, `lift at ${w}`);
    }
  });

  it('induction and duplicate-token on [BOS] R R with a perfect induction head', () => {
    const L = 10;
    const r = Array.from({ length: L }, (_, i) => 100 + i * 7);
    const ids = [0, ...r, ...r];
    const n = ids.length;
    const rows = Array.from({ length: n }, (_, i) => {
      const row = new Array<number>(n).fill(0);
      if (i > L) row[i - L + 1] = 1; // the token after the first occurrence
      else row[0] = 1;
      return row;
    });
    const h = head(rows, true);
    const rep = tokenRepeats(ids);
    const ind = inductionScore(h, rep);
    close(ind.value, 1);
    assert.equal(ind.positions, L);
    close(duplicateTokenScore(h, rep).value, 0);
    // An off-by-one head (attending to the earlier occurrence itself) is a duplicate-token head.
    const dupRows = rows.map((row, i) => (i > L ? row.map((_, j) => (j === i - L ? 1 : 0)) : row));
    const dup = duplicateTokenScore(head(dupRows, true), rep);
    close(dup.value, 1);
    close(inductionScore(head(dupRows, true), rep).value, 0);
  });

  it('block is 1 for attention confined to lines and ≈0 for a band over the same lines', () => {
    const texts: string[] = [];
    for (let line = 0; line < 8; line++) for (let t = 0; t < 8; t++) texts.push(t === 7 ? '\n' : ' w');
    const n = texts.length;
    const segs = [lineSegments(texts)];
    const block = Array.from({ length: n }, (_, i) => {
      const r = new Array<number>(n).fill(0);
      const start = i - (i % 8);
      for (let j = start; j <= i; j++) r[j] = 1 / (i - start + 1);
      return r;
    });
    const b = blockScore(head(block, true), segs);
    close(b.value, 1, 1e-9);
    assert.equal(b.source, 'lines');
    const band = Array.from({ length: n }, (_, i) => {
      const r = new Array<number>(n).fill(0);
      const lo = Math.max(0, i - 4);
      for (let j = lo; j <= i; j++) r[j] = 1 / (i - lo + 1);
      return r;
    });
    assert.ok(blockScore(head(band, true), segs).value < 0.05);
  });

  it('segments from a source text and offsets when the token texts lack the newlines (WordPiece)', () => {
    const source = 'def f ( x ) :\n return x\nprint ( f )';
    const words = ['[CLS]', 'def', 'f', '(', 'x', ')', ':', 'return', 'x', 'print', '(', 'f', ')', '[SEP]'];
    let at = 0;
    const offsets = words.map((w): [number, number] => {
      if (w.startsWith('[')) return [0, 0];
      const start = source.indexOf(w, at);
      at = start + w.length;
      return [start, at];
    });
    const texts = segmentationTexts({ texts: words, offsets, source })!;
    assert.equal(texts[6], ':\n ');
    assert.equal(texts[0], '');
    assert.deepEqual(Array.from(lineSegments(texts).seg), [0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2]);
    assert.deepEqual(segmentationTexts({ texts: words }), words);
  });

  it('segments from texts: lines, sentences, brackets', () => {
    assert.deepEqual(Array.from(lineSegments(['a', '\n', 'b', 'c\n', 'd']).seg), [0, 0, 1, 1, 2]);
    assert.deepEqual(Array.from(sentenceSegments(['It', ' works', '.', ' Yes', '3', '.', '14', '!']).seg), [0, 0, 0, 1, 1, 1, 1, 1]);
    // f ( a , g ( b ) , c ) d → outer span shares an id around the inner one.
    const br = Array.from(bracketSegments(['f', '(', 'a', ',', 'g', '(', 'b', ')', ',', 'c', ')', 'd']).seg);
    assert.equal(br[1], br[2]);
    assert.equal(br[2], br[9]);
    assert.notEqual(br[5], br[2]);
    assert.equal(br[5], br[7]);
    assert.notEqual(br[0], br[11]);
  });
});

describe('pattern scores: naive re-implementation on random heads', () => {
  const rng = new SeededRandom(7);
  const cases: [number, number, boolean][] = [[9, 9, true], [12, 12, false], [17, 17, true], [6, 11, false], [20, 20, false]];

  for (const [q, k, causal] of cases) {
    it(`q=${q} k=${k} ${causal ? 'causal' : 'bidirectional'}`, () => {
      const h = randomHead(q, k, causal, rng);
      const { rows, share, keys } = shares(h);
      const mean = (f: (i: number) => number, over = rows): number => over.reduce((s, i) => s + f(i), 0) / over.length;

      if (q === k) {
        close(diagonalScore(h).value, mean((i) => share(i, i)), 1e-6, 'diagonal');
        const prevRows = rows.filter((i) => i >= 1);
        close(previousTokenScore(h).value, mean((i) => share(i, i - 1), prevRows), 1e-6, 'previous');
      }

      // Sink: the best column by lift, then columns holding ≥ 10%.
      const c = new Array<number>(k).fill(0);
      const e = new Array<number>(k).fill(0);
      for (const i of rows) for (const j of keys(i)) if (q !== k || j !== i) {
        c[j] += share(i, j) / rows.length;
        e[j] += 1 / keys(i).length / rows.length;
      }
      const lifts = c.map((cj, j) => (cj - e[j]) / (1 - e[j]));
      const best = lifts.indexOf(Math.max(...lifts));
      const s = sinkScore(h);
      assert.equal(s.column, best);
      close(s.shares[0], c[best], 1e-6, 'sink share');

      // Entropy.
      close(
        entropyScore(h).value,
        mean((i) => -keys(i).reduce((t, j) => (share(i, j) > 0 ? t + share(i, j) * Math.log(share(i, j)) : t), 0) / Math.log(keys(i).length)),
        1e-6,
        'entropy',
      );

      if (q === k) {
        // Band: argmax over w ≤ max(2, ⌊(k−1)/4⌋) of M(w) − V(w).
        const maxW = Math.min(k - 1, Math.max(2, Math.floor((k - 1) / 4)));
        let bestW = 0;
        let bestEx = -Infinity;
        for (let w = 0; w <= maxW; w++) {
          const M = mean((i) => keys(i).filter((j) => Math.abs(i - j) <= w).reduce((t, j) => t + share(i, j), 0));
          const V = mean((i) => keys(i).filter((j) => Math.abs(i - j) <= w).length / keys(i).length);
          if (M - V > bestEx + 1e-12) {
            bestEx = M - V;
            bestW = w;
          }
        }
        assert.equal(bandScore(h).width, bestW, 'band width');

        // Block kappa on a fixed segmentation of runs of 4, against the Toeplitz model.
        const seg = Int32Array.from({ length: q }, (_, i) => Math.floor(i / 4));
        const segmentation: Segmentation = { source: 'lines', seg, count: Math.ceil(q / 4) };
        const P = new Map<number, number>();
        for (let d = -(k - 1); d <= k - 1; d++) {
          const rowsAt = rows.filter((i) => keys(i).includes(i - d));
          P.set(d, rowsAt.length ? rowsAt.reduce((t, i) => t + share(i, i - d), 0) / rowsAt.length : 0);
        }
        let obs = 0;
        let exp = 0;
        let room = 0;
        for (const i of rows) {
          const inSeg = keys(i).filter((j) => seg[j] === seg[i]);
          obs += inSeg.reduce((t, j) => t + share(i, j), 0);
          const ei = inSeg.reduce((t, j) => t + P.get(i - j)!, 0) / keys(i).reduce((t, j) => t + P.get(i - j)!, 0);
          exp += ei;
          room += 1 - ei;
        }
        const kappa = Math.max(0, (obs - exp) / room);
        // blockScore also tries the segmentation read off the weights; a random head gives none.
        close(blockScore(h, [segmentation]).value, kappa, 1e-6, 'block kappa');
      }
    });
  }

  it('withoutColumns renormalises rows over the remaining keys', () => {
    const h = randomHead(10, 10, true, rng);
    const v = withoutColumns(h, [0]);
    const { rows, share, keys } = shares(v);
    const mean = rows.reduce((t, i) => t + keys(i).reduce((u, j) => (share(i, j) > 0 ? u - share(i, j) * Math.log(share(i, j)) : u), 0) / Math.log(keys(i).length), 0) / rows.length;
    close(entropyScore(v).value, mean, 1e-6);
  });
});

describe('induction and duplicate-token against TransformerLens-style detection patterns', () => {
  // TransformerLens's head detector scores a head as Σ(A ⊙ D) / ΣA over the whole (causal)
  // matrix. Our scores average over the rows that have an earlier occurrence instead, so
  // TL = ours · (attention mass of those rows) / (mass of all rows) when rows sum to 1.
  it('agrees with the TL formula on random text with repeats', () => {
    const rng = new SeededRandom(11);
    const n = 40;
    const ids = Array.from({ length: n }, (_, i) => (i === 0 ? 0 : rng.int(1, 8)));
    const h = randomHead(n, n, true, rng);
    // Normalise rows exactly to 1 so both formulas see the same weights.
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j <= i; j++) s += h.a[i * n + j];
      for (let j = 0; j <= i; j++) h.a[i * n + j] /= s;
    }
    const hn = headInput(h.a, { q: n, k: n, causal: true });
    const rep = tokenRepeats(ids);
    // TL detection patterns: duplicate D[i][j] = ids equal, j < i; induction = D shifted right by one column.
    let tlDup = 0;
    let tlInd = 0;
    let total = 0;
    let rowsWithRepeat = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const x = hn.a[i * n + j];
        total += x;
        if (j < i && ids[j] === ids[i]) tlDup += x;
        if (j >= 1 && j - 1 < i && ids[j - 1] === ids[i]) tlInd += x;
      }
      if (i >= 1 && ids.slice(0, i).includes(ids[i])) rowsWithRepeat++;
    }
    const dup = duplicateTokenScore(hn, rep);
    const ind = inductionScore(hn, rep);
    assert.equal(dup.positions, rowsWithRepeat);
    close(dup.value * dup.positions / total, tlDup / total, 1e-6, 'duplicate vs TL');
    close(ind.value * ind.positions / total, tlInd / total, 1e-6, 'induction vs TL');
  });
});
