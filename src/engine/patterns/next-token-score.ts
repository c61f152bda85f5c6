// Next-token score (bidirectional self-attention only): attention to the position just after.
//
//   next-token = mean over scored rows i ≤ k − 2 of a_{i, i+1},   chance = 1 / k
//
// A causal head cannot see the next token, so the score is not measured there.
import { HeadInput, Score, UNMEASURED } from './head-rows';

export function nextTokenScore(h: HeadInput): Score {
  if (h.causal || h.q !== h.k) return UNMEASURED;
  const { a, k, invMass } = h;
  let sum = 0;
  let n = 0;
  for (let i = 0; i + 1 < k; i++) {
    const inv = invMass[i];
    if (inv === 0) continue;
    sum += a[i * k + i + 1] * inv;
    n++;
  }
  return n === 0 ? UNMEASURED : { value: sum / n, chance: 1 / k, positions: n };
}
