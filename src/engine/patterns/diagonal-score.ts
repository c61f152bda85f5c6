// Diagonal (self) score: how much each query attends to its own position.
//
//   diagonal = mean over scored rows i of a_ii,   chance = mean of 1 / |S_i|
//
// Only defined for self-attention (q === k). The causal row 0 is not scored (see head-rows).
import { HeadInput, Score, UNMEASURED, keyEnd } from './head-rows';

export function diagonalScore(h: HeadInput): Score {
  if (h.q !== h.k || h.rows === 0) return UNMEASURED;
  const { a, k, invMass } = h;
  let sum = 0;
  let chance = 0;
  let n = 0;
  for (let i = 0; i < h.q; i++) {
    const inv = invMass[i];
    if (inv === 0) continue;
    sum += a[i * k + i] * inv;
    chance += 1 / keyEnd(h, i);
    n++;
  }
  return { value: sum / n, chance: chance / n, positions: n };
}
