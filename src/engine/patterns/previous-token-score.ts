// Previous-token score: how much each query attends to the position just before it.
//
//   previous-token = mean over scored rows i ≥ 1 of a_{i, i−1},   chance = mean of 1 / |S_i|
//
// Row 0 has no previous token and is never scored; in a causal head row 1 sees two keys,
// so its chance level (1/2) is part of the average chance. Self-attention only.
import { HeadInput, Score, UNMEASURED, keyEnd } from './head-rows';

export function previousTokenScore(h: HeadInput): Score {
  if (h.q !== h.k) return UNMEASURED;
  const { a, k, invMass } = h;
  let sum = 0;
  let chance = 0;
  let n = 0;
  for (let i = 1; i < h.q; i++) {
    const inv = invMass[i];
    if (inv === 0) continue;
    sum += a[i * k + i - 1] * inv;
    chance += 1 / keyEnd(h, i);
    n++;
  }
  return n === 0 ? UNMEASURED : { value: sum / n, chance: chance / n, positions: n };
}
