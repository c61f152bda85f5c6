// Additive attention (Bahdanau, Cho & Bengio, 2015), the attention of RNN encoder–decoders
// before Transformers.
//
// To produce output step t, the decoder scores every encoder state h_j against its
// PREVIOUS hidden state s_{t−1} (the new state s_t does not exist yet: it is computed
// from the context this attention returns):
//
//   e_tj = vᵀ · tanh( W_s · s_{t−1} + W_h · h_j )      score: a one-hidden-layer MLP
//   α_tj = softmax_j( e_tj )                            alignment weights
//   c_t  = Σ_j α_tj · h_j                               context vector
//   s_t  = RNN( s_{t−1}, [y_{t−1}; c_t] )               (the decoder update, not done here)
//
// Shapes: s_{t−1} [Ds], encoder states H [n, Dh], W_s [A, Ds], W_h [A, Dh], v [A]
// (A = attention hidden size). Matrices are in the papers' [out, in] orientation: W·x.
// W_h · h_j does not depend on t, so a real decoder computes it once per sentence
// (`projectEncoderStates`) and reuses it at every step.

import { Tensor, shapeString } from './tensor';

export interface AdditiveAttentionParams {
  /** W_s [A, Ds]: projects the decoder state. */
  readonly decoderWeight: Tensor;
  /** W_h [A, Dh]: projects each encoder state. */
  readonly encoderWeight: Tensor;
  /** v [A]: turns the tanh features into one score. */
  readonly scoreVector: Tensor;
}

export interface ClassicAttentionStep {
  /** e_tj, [n] */
  readonly scores: Float32Array;
  /** α_tj = softmax(e), [n] */
  readonly weights: Float32Array;
  /** c_t = Σ α_tj h_j, [Dh] */
  readonly context: Float32Array;
}

/** y = W · x for W [rows, cols] row-major. */
function matVec(w: Tensor, x: ArrayLike<number>, xOffset = 0): Float64Array {
  const [rows, cols] = w.shape;
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += w.data[r * cols + c] * x[xOffset + c];
    y[r] = sum;
  }
  return y;
}

/** Softmax of a short vector (max-subtracted). */
export function softmaxVector(e: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let j = 0; j < e.length; j++) if (e[j] > max) max = e[j];
  const out = new Float32Array(e.length);
  if (max === -Infinity) return out;
  let sum = 0;
  const ex = new Float64Array(e.length);
  for (let j = 0; j < e.length; j++) sum += (ex[j] = Math.exp(e[j] - max));
  for (let j = 0; j < e.length; j++) out[j] = ex[j] / sum;
  return out;
}

/** c = Σ_j α_j · h_j over encoder states H [n, Dh]. */
export function contextVector(weights: ArrayLike<number>, encoderStates: Tensor): Float32Array {
  const [n, dh] = encoderStates.shape;
  const c = new Float64Array(dh);
  for (let j = 0; j < n; j++) for (let d = 0; d < dh; d++) c[d] += weights[j] * encoderStates.data[j * dh + d];
  return Float32Array.from(c);
}

/** W_h · h_j for every encoder state: [n, A]. Independent of the decoder step. */
export function projectEncoderStates(encoderStates: Tensor, encoderWeight: Tensor): Float64Array {
  const [n, dh] = encoderStates.shape;
  const [a, inSize] = encoderWeight.shape;
  if (inSize !== dh) throw new Error(`additive attention: W_h ${shapeString(encoderWeight.shape)} does not take encoder states ${shapeString(encoderStates.shape)}`);
  const out = new Float64Array(n * a);
  for (let j = 0; j < n; j++) out.set(matVec(encoderWeight, encoderStates.data, j * dh), j * a);
  return out;
}

/** One Bahdanau attention step from the PREVIOUS decoder state s_{t−1}. */
export function additiveAttention(previousDecoderState: Tensor, encoderStates: Tensor, params: AdditiveAttentionParams): ClassicAttentionStep {
  const { decoderWeight: ws, encoderWeight: wh, scoreVector: v } = params;
  if (encoderStates.shape.length !== 2) throw new Error(`additive attention: encoder states must be [n, Dh], got ${shapeString(encoderStates.shape)}`);
  const [n] = encoderStates.shape;
  const a = ws.shape[0];
  if (ws.shape[1] !== previousDecoderState.data.length || wh.shape[0] !== a || v.data.length !== a) {
    throw new Error(
      `additive attention: W_s ${shapeString(ws.shape)}, W_h ${shapeString(wh.shape)}, v ${shapeString(v.shape)} and s ${shapeString(previousDecoderState.shape)} do not fit`,
    );
  }
  const wsS = matVec(ws, previousDecoderState.data); // W_s · s_{t−1}, [A]
  const whH = projectEncoderStates(encoderStates, wh); // W_h · h_j, [n, A]
  const scores = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let e = 0;
    for (let i = 0; i < a; i++) e += v.data[i] * Math.tanh(wsS[i] + whH[j * a + i]);
    scores[j] = e;
  }
  const weights = softmaxVector(scores);
  return { scores, weights, context: contextVector(weights, encoderStates) };
}
