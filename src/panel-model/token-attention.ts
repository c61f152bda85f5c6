// The attention one token pays (its row: which keys it reads) or receives (its column:
// which queries read it), averaged over a selection of heads. This is what the Tokens
// view colours the text by, like bertviz's head view.
import type { LayerAttention } from '../engine/engine-api';

export function tokenAttention(
  layers: readonly LayerAttention[],
  headsOf: (layer: LayerAttention) => readonly number[],
  token: number,
  direction: 'pays' | 'receives',
): Float32Array {
  if (layers.length === 0) return new Float32Array(0);
  const first = layers[0];
  const length = direction === 'pays' ? first.keyLength : first.queryLength;
  const out = new Float32Array(length);
  let count = 0;
  for (const layer of layers) {
    const { queryLength: q, keyLength: k, weights } = layer;
    if ((direction === 'pays' ? k : q) !== length) throw new Error('tokenAttention: layers of different lengths');
    if (direction === 'pays' ? token >= q : token >= k) throw new Error(`tokenAttention: token ${token} out of range`);
    for (const h of headsOf(layer)) {
      const base = h * q * k;
      if (direction === 'pays') {
        const row = base + token * k;
        for (let j = 0; j < k; j++) out[j] += weights[row + j];
      } else {
        for (let i = 0; i < q; i++) out[i] += weights[base + i * k + token];
      }
      count++;
    }
  }
  if (count > 0) for (let i = 0; i < length; i++) out[i] /= count;
  return out;
}
