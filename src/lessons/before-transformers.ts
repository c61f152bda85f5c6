// Lesson 10 — attention before Transformers, in RNN encoder–decoders.
//
//   Bahdanau (additive, 2015):  e_tj = vᵀ tanh(W_s s_{t−1} + W_h h_j)   — the PREVIOUS decoder state
//   Luong (multiplicative, 2015), with the CURRENT state s_t:
//       dot      e_tj = s_tᵀ h_j
//       general  e_tj = s_tᵀ W_a h_j
//       concat   e_tj = v_aᵀ tanh(W_a [s_t; h_j])
//   then α_t = softmax(e_t) and the context c_t = Σ_j α_tj h_j.
//
// The encoder states are seeded per source word, the decoder states seeded per step; the
// engine's additive and multiplicative kernels score them. Luong's dot score on one query is
// exactly SDPA with scale 1 — the lesson checks that with the SDPA kernel.
import { additiveAttention } from '../engine/reference/additive-attention';
import { multiplicativeAttention, type LuongScore } from '../engine/reference/multiplicative-attention';
import { scaledDotProductAttention } from '../engine/reference/scaled-dot-product-attention';
import { sizeOf, type Tensor } from '../engine/reference/tensor';
import type { BeforeTransformersData, BeforeTransformersParams } from '../protocol/lesson-messages';
import { maxAbsDiff } from './shared/statistics';
import { seededMatrix, seededNormals, toyEmbeddings } from './shared/toy-embedding';
import { toyTokens } from './shared/toy-tokens';

export const BEFORE_MAX_TOKENS = 10;
/** Decoder states s_0 … s_STEPS: Bahdanau at step t reads s_{t−1}, Luong reads s_t. */
export const DECODER_STEPS = 8;
export const BEFORE_DEFAULTS: BeforeTransformersParams = { source: 'the agreement on the European economic area was signed', step: 3, hidden: 8, seed: 1 };

/** Decoder hidden state s_t (seeded), [hidden]. */
export function decoderState(t: number, hidden: number, seed: number): Tensor {
  return { data: seededNormals(hidden, seed * 1000 + t + 1), shape: [hidden] };
}

function countAll(ts: Tensor[]): number {
  return ts.reduce((a, t) => a + sizeOf(t.shape), 0);
}

export function computeBeforeTransformers(params: BeforeTransformersParams): BeforeTransformersData {
  let { tokens, truncated } = toyTokens(params.source, BEFORE_MAX_TOKENS);
  if (tokens.length === 0) ({ tokens, truncated } = toyTokens(BEFORE_DEFAULTS.source, BEFORE_MAX_TOKENS));
  const hidden = params.hidden;
  const step = Math.min(Math.max(1, params.step), DECODER_STEPS);
  const n = tokens.length;
  const enc = toyEmbeddings(tokens, hidden, params.seed);
  const H: Tensor = { data: enc.data, shape: [n, hidden] }; // encoder states h_j
  const previous = decoderState(step - 1, hidden, params.seed);
  const current = decoderState(step, hidden, params.seed);

  const a = hidden; // attention hidden size
  const s = params.seed * 100;
  const bahdanauParams = { decoderWeight: seededMatrix(a, hidden, s + 1), encoderWeight: seededMatrix(a, hidden, s + 2), scoreVector: { data: seededNormals(a, s + 3), shape: [a] } };
  const general: LuongScore = { kind: 'general', weight: seededMatrix(hidden, hidden, s + 4) };
  const concat: LuongScore = { kind: 'concat', weight: seededMatrix(a, 2 * hidden, s + 5), scoreVector: { data: seededNormals(a, s + 6), shape: [a] } };

  const bahdanau = additiveAttention(previous, H, bahdanauParams);
  const dot = multiplicativeAttention(current, H, { kind: 'dot' });
  const gen = multiplicativeAttention(current, H, general);
  const cat = multiplicativeAttention(current, H, concat);

  // Luong dot = SDPA with scale 1 for the single query s_t over keys = values = H.
  const sdpa = scaledDotProductAttention(
    { data: current.data, shape: [1, 1, 1, hidden] },
    { data: H.data, shape: [1, 1, n, hidden] },
    { data: H.data, shape: [1, 1, n, hidden] },
    { scale: 1 },
  );

  return {
    sourceTokens: tokens,
    truncated,
    step,
    hidden,
    bahdanau: bahdanau.weights,
    luongDot: dot.weights,
    luongGeneral: gen.weights,
    luongConcat: cat.weights,
    bahdanauScores: bahdanau.scores,
    luongDotScores: dot.scores,
    luongGeneralScores: gen.scores,
    luongConcatScores: cat.scores,
    bahdanauState: step - 1,
    luongState: step,
    dotVsSdpaMaxDiff: Math.max(maxAbsDiff(sdpa.weights.data, dot.weights), maxAbsDiff(sdpa.output.data, dot.context)),
    parameterCounts: [
      { name: 'Bahdanau (W_s, W_h, v)', parameters: countAll([bahdanauParams.decoderWeight, bahdanauParams.encoderWeight, bahdanauParams.scoreVector]) },
      { name: 'Luong dot', parameters: 0 },
      { name: 'Luong general (W_a)', parameters: countAll([general.weight]) },
      { name: 'Luong concat (W_a, v_a)', parameters: countAll([concat.weight, concat.scoreVector]) },
    ],
  };
}
