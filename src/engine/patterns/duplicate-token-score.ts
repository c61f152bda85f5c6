// Duplicate-token score: attention to earlier occurrences of the query's own token.
//
//   D(i) = { p : p < i, ids[p] = ids[i] }
//   duplicate-token = mean over scored rows i with D(i) ≠ ∅ of Σ_{p ∈ D(i)} a_ip
//   chance          = mean over the same rows of |D(i)| / |S_i|
//
// As with induction, `positions` is the number of rows that have an earlier occurrence.
// Self-attention with ids only.
import { HeadInput, Score, UNMEASURED, keyEnd } from './head-rows';
import type { TokenRepeats } from './token-repeats';

export function duplicateTokenScore(h: HeadInput, repeats: TokenRepeats | undefined): Score {
  if (!repeats || h.q !== h.k || repeats.start.length !== h.q + 1) return UNMEASURED;
  const { a, k, invMass } = h;
  const { start, prev } = repeats;
  let sum = 0;
  let chance = 0;
  let n = 0;
  for (let i = 0; i < h.q; i++) {
    const inv = invMass[i];
    const count = start[i + 1] - start[i];
    if (inv === 0 || count === 0) continue;
    let row = 0;
    for (let t = start[i]; t < start[i + 1]; t++) row += a[i * k + prev[t]];
    sum += row * inv;
    chance += count / keyEnd(h, i);
    n++;
  }
  return n === 0 ? UNMEASURED : { value: sum / n, chance: chance / n, positions: n };
}
