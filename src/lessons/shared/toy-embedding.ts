// Deterministic stand-ins for learned weights, for lessons that run without a model.
//
//   embedding(token)  = a standard-normal vector seeded by a hash of the token's text, so the
//                       same word always gets the same vector (repeated words show up as equal
//                       keys), on every machine;
//   seededMatrix      = entries ~ N(0, 1/rows), so x·W keeps unit variance when x does.
//
// Gaussians come from the engine's seeded uniform generator (mulberry32) through Box–Muller,
// using both values of each pair (lesson 2 draws millions of them).
import { mulberry32 } from '../../engine/reference/mulberry32';
import type { Tensor } from '../../engine/reference/tensor';

/** FNV-1a over UTF-16 code units: a stable 32-bit hash of a token's text. */
export function hashText(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** `count` standard-normal values from `seed`: r = √(−2 ln u₁), θ = 2πu₂ → (r cos θ, r sin θ). */
export function seededNormals(count: number, seed: number): Float32Array {
  const uniform = mulberry32(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - uniform())); // 1 − u ∈ (0, 1]: the log stays finite
    const theta = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(theta);
    if (i + 1 < count) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}

/** [1, n, dModel]: one seeded N(0, 1) vector per token, equal for equal texts. */
export function toyEmbeddings(tokens: readonly string[], dModel: number, seed = 0): Tensor {
  const data = new Float32Array(tokens.length * dModel);
  tokens.forEach((t, i) => data.set(seededNormals(dModel, hashText(t, seed)), i * dModel));
  return { data, shape: [1, tokens.length, dModel] };
}

/** [rows, cols] with entries ~ N(0, 1/rows) (input-major, as the engine's `linear` expects). */
export function seededMatrix(rows: number, cols: number, seed: number): Tensor {
  const data = seededNormals(rows * cols, seed);
  const s = 1 / Math.sqrt(rows);
  for (let i = 0; i < data.length; i++) data[i] *= s;
  return { data, shape: [rows, cols] };
}
