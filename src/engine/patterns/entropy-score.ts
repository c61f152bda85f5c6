// Broad score: the normalised entropy of each row,
//
//   broad = mean over scored rows i of  H_i / ln |S_i|,   H_i = −Σ_j a_ij ln a_ij
//
// 1 for uniform attention over the allowed keys, 0 for attention on a single key. With raw
// weights A and row mass m, H_i = ln m − (1/m) Σ_j A_ij ln A_ij, so the row is read once.
// Its chance level is 1 by definition (uniform attention is what "broad" means).
// The analysis computes it on the head without its sink columns (see withoutColumns), so
// a head that spreads evenly apart from a first-token sink still reads as broad; the
// excluded columns then also leave |S_i|.
import { HeadInput, Score, UNMEASURED, keyCount, keyEnd } from './head-rows';

export function entropyScore(h: HeadInput): Score {
  if (h.rows === 0) return UNMEASURED;
  const { a, q, k, invMass, excluded } = h;
  let sum = 0;
  for (let i = 0; i < q; i++) {
    const inv = invMass[i];
    if (inv === 0) continue;
    const end = keyEnd(h, i);
    const base = i * k;
    let alnA = 0;
    for (let j = 0; j < end; j++) {
      const x = a[base + j];
      if (x > 0 && (excluded === undefined || excluded[j] === 0)) alnA += x * Math.log(x);
    }
    const entropy = -Math.log(inv) - alnA * inv;
    sum += Math.max(0, entropy) / Math.log(keyCount(h, i));
  }
  return { value: sum / h.rows, chance: 1, positions: h.rows };
}
