// Logit soft-capping (Gemma 2, Grok): squash scores smoothly into (−cap, +cap)
//
//   softcap(s) = cap · tanh(s / cap)
//
// Near zero it is the identity (tanh u ≈ u); large scores saturate at ±cap, so no
// single key can dominate a softmax row by an arbitrarily large margin. ONNX applies
// it to the scaled scores BEFORE adding the mask, so that −∞ (blocked) stays −∞ rather
// than becoming −cap and leaking probability. A cap ≤ 0 means "no softcap".

export function softcap(score: number, cap: number): number {
  return cap > 0 ? cap * Math.tanh(score / cap) : score;
}

/** Apply softcap to every element in place. */
export function softcapInPlace(scores: Float32Array, cap: number): Float32Array {
  if (!(cap > 0)) return scores;
  for (let i = 0; i < scores.length; i++) scores[i] = cap * Math.tanh(scores[i] / cap);
  return scores;
}
