// Induction score, scored the way TransformerLens's head detector builds its induction
// pattern: query i should attend to every position p + 1 whose predecessor p < i holds the
// same token as i ("A B … A → attend to B").
//
//   T(i) = { p + 1 : p < i, ids[p] = ids[i] }
//   induction = mean over scored rows i with T(i) ≠ ∅ of Σ_{j ∈ T(i)} a_ij
//   chance    = mean over the same rows of |T(i)| / |S_i|
//
// On a repeated random sequence [BOS] R R this is the mean attention from each token of the
// second copy to the token after its first occurrence (the "induction stripe" at offset
// |R| − 1). TransformerLens's detect_head (error_measure "mul") divides the same stripe mass
// by the attention of *all* rows; here the average runs over the rows that have a previous
// occurrence, and `positions` says how many rows that was, so text that only partly
// repeats gives a score measured on its repeated spans. Self-attention with ids only.
import { HeadInput, Score, UNMEASURED, keyEnd } from './head-rows';
import type { TokenRepeats } from './token-repeats';

export function inductionScore(h: HeadInput, repeats: TokenRepeats | undefined): Score {
  if (!repeats || h.q !== h.k || repeats.start.length !== h.q + 1) return UNMEASURED;
  const { a, k, invMass } = h;
  const { start, prev } = repeats;
  let sum = 0;
  let chance = 0;
  let n = 0;
  for (let i = 0; i < h.q; i++) {
    const inv = invMass[i];
    if (inv === 0 || start[i + 1] === start[i]) continue;
    const end = keyEnd(h, i);
    let row = 0;
    let targets = 0;
    for (let t = start[i]; t < start[i + 1]; t++) {
      const j = prev[t] + 1;
      if (j >= end) continue; // defensive: p < i makes p + 1 ≤ i < |S_i|
      row += a[i * k + j];
      targets++;
    }
    if (targets === 0) continue;
    sum += row * inv;
    chance += targets / end;
    n++;
  }
  return n === 0 ? UNMEASURED : { value: sum / n, chance: chance / n, positions: n };
}
