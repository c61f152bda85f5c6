// Multiplicative ("global") attention (Luong, Pham & Manning, 2015).
//
// Unlike Bahdanau (additive-attention.ts), the decoder first updates its state, then
// attends with the CURRENT hidden state s_t:
//
//   s_t  = RNN( s_{t−1}, … )                          (not done here)
//   e_tj = score( s_t, h_j ), one of
//            dot       s_tᵀ · h_j                       (needs Ds = Dh; no parameters)
//            general   s_tᵀ · W_a · h_j                 W_a [Ds, Dh]
//            concat    v_aᵀ · tanh( W_a · [s_t; h_j] )  W_a [A, Ds + Dh], v_a [A]
//   α_tj = softmax_j( e_tj )
//   c_t  = Σ_j α_tj · h_j
//   h̃_t  = tanh( W_c · [c_t; s_t] )                    attentional hidden state, W_c [Do, Dh + Ds]
//
// "dot" is the direct ancestor of Transformer attention: Q·Kᵀ is the dot score for
// many queries at once, and the 1/√d scaling is what Transformers added to it.

import { ClassicAttentionStep, contextVector, softmaxVector } from './additive-attention';
import { Tensor, shapeString } from './tensor';

export type LuongScore =
  | { readonly kind: 'dot' }
  | { readonly kind: 'general'; readonly weight: Tensor /* W_a [Ds, Dh] */ }
  | { readonly kind: 'concat'; readonly weight: Tensor /* W_a [A, Ds + Dh] */; readonly scoreVector: Tensor /* v_a [A] */ };

export interface LuongStep extends ClassicAttentionStep {
  /** h̃_t = tanh(W_c [c_t; s_t]) when an output weight was given, [Do]. */
  readonly attentionalState?: Float32Array;
}

/** e_tj for every encoder state j. */
export function luongScores(currentDecoderState: Tensor, encoderStates: Tensor, score: LuongScore): Float32Array {
  if (encoderStates.shape.length !== 2) throw new Error(`Luong attention: encoder states must be [n, Dh], got ${shapeString(encoderStates.shape)}`);
  const [n, dh] = encoderStates.shape;
  const s = currentDecoderState.data;
  const ds = s.length;
  const h = encoderStates.data;
  const e = new Float32Array(n);
  switch (score.kind) {
    case 'dot': {
      if (ds !== dh) throw new Error(`Luong dot score needs equal sizes: decoder ${ds}, encoder ${dh}`);
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let d = 0; d < dh; d++) dot += s[d] * h[j * dh + d];
        e[j] = dot;
      }
      return e;
    }
    case 'general': {
      const w = score.weight;
      if (w.shape[0] !== ds || w.shape[1] !== dh) throw new Error(`Luong general: W_a ${shapeString(w.shape)} is not [${ds}, ${dh}]`);
      // sᵀ W_a once ([Dh]), then a dot product per encoder state
      const sw = new Float64Array(dh);
      for (let r = 0; r < ds; r++) for (let c = 0; c < dh; c++) sw[c] += s[r] * w.data[r * dh + c];
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let d = 0; d < dh; d++) dot += sw[d] * h[j * dh + d];
        e[j] = dot;
      }
      return e;
    }
    case 'concat': {
      const w = score.weight;
      const v = score.scoreVector;
      const a = w.shape[0];
      if (w.shape[1] !== ds + dh || v.data.length !== a) {
        throw new Error(`Luong concat: W_a ${shapeString(w.shape)} / v_a ${shapeString(v.shape)} do not fit [${ds} + ${dh}]`);
      }
      const cols = ds + dh;
      for (let j = 0; j < n; j++) {
        let total = 0;
        for (let i = 0; i < a; i++) {
          let z = 0; // W_a[i] · [s_t; h_j]
          for (let d = 0; d < ds; d++) z += w.data[i * cols + d] * s[d];
          for (let d = 0; d < dh; d++) z += w.data[i * cols + ds + d] * h[j * dh + d];
          total += v.data[i] * Math.tanh(z);
        }
        e[j] = total;
      }
      return e;
    }
  }
}

/** One Luong attention step from the CURRENT decoder state s_t. */
export function multiplicativeAttention(
  currentDecoderState: Tensor,
  encoderStates: Tensor,
  score: LuongScore,
  outputWeight?: Tensor /* W_c [Do, Dh + Ds] */,
): LuongStep {
  const scores = luongScores(currentDecoderState, encoderStates, score);
  const weights = softmaxVector(scores);
  const context = contextVector(weights, encoderStates);
  if (!outputWeight) return { scores, weights, context };
  const ds = currentDecoderState.data.length;
  const dh = context.length;
  const [dOut, cols] = outputWeight.shape;
  if (cols !== dh + ds) throw new Error(`Luong W_c ${shapeString(outputWeight.shape)} does not take [c_t; s_t] of ${dh} + ${ds}`);
  const attentionalState = new Float32Array(dOut);
  for (let r = 0; r < dOut; r++) {
    let z = 0;
    for (let d = 0; d < dh; d++) z += outputWeight.data[r * cols + d] * context[d];
    for (let d = 0; d < ds; d++) z += outputWeight.data[r * cols + dh + d] * currentDecoderState.data[d];
    attentionalState[r] = Math.tanh(z);
  }
  return { scores, weights, context, attentionalState };
}
