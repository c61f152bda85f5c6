// Lesson 3 — causal masking.
//
//   The rule: query i may read key j only when j ≤ i: KEEP THE LOWER TRIANGLE (diagonal included).
//   The additive MASK is therefore −∞ in the UPPER triangle (j > i) and 0 elsewhere, and the
//   softmax WEIGHTS are non-zero only in the lower triangle. Two triangles, two objects.
//
// Variants show the usual mistakes: 'upper' keeps the upper triangle (tril/triu swapped, or a
// mask of "blocked" cells passed where "kept" ones were expected), 'strict-lower' also hides the
// diagonal (triu without diagonal=1 used as the blocked set: row 0 sees nothing), 'none' forgets
// the mask. The leak demo replaces one token and measures, with the engine, which earlier
// outputs change: with the right mask none can.
import { causalKeepMask } from '../engine/reference/causal-mask';
import { linear } from '../engine/reference/linear';
import { boolMask, toAdditiveMask, type BoolMask } from '../engine/reference/masks';
import { scaledDotProductAttentionStages } from '../engine/reference/scaled-dot-product-attention';
import type { Tensor } from '../engine/reference/tensor';
import { checkLayerMasking } from '../engine/patterns/masking-checks';
import type { CausalMaskingData, CausalMaskingParams, CausalVariant } from '../protocol/lesson-messages';
import { rowSums } from './shared/statistics';
import { seededMatrix, toyEmbeddings } from './shared/toy-embedding';
import { toyTokens } from './shared/toy-tokens';

export const CAUSAL_MAX_TOKENS = 12;
export const CAUSAL_DEFAULT_TEXT = 'the model must not read the next word early';
export const CAUSAL_DEFAULTS: CausalMaskingParams = { text: CAUSAL_DEFAULT_TEXT, variant: 'upper', changedPosition: 5 };
const MODEL_WIDTH = 16;
const HEAD_SIZE = 8;
/** Output changes below this are rounding, not information (exact zeros are expected). */
export const LEAK_TOLERANCE = 1e-6;

/** The [n, n] keep-mask each variant applies. */
export function variantKeepMask(n: number, variant: CausalVariant): BoolMask {
  const lower = causalKeepMask(n, n, 'top-left').data; // j ≤ i
  const data = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const c = i * n + j;
      switch (variant) {
        case 'correct': data[c] = lower[c]; break;
        case 'upper': data[c] = lower[j * n + i]; break; // the transpose: j ≥ i
        case 'strict-lower': data[c] = j < i ? 1 : 0; break;
        case 'none': data[c] = 1; break;
      }
    }
  }
  return boolMask(data, [n, n]);
}

/** One head of toy attention over `tokens` with the given keep-mask. */
function attend(tokens: readonly string[], mask: BoolMask) {
  const n = tokens.length;
  const x = toyEmbeddings(tokens, MODEL_WIDTH);
  const head = (seed: number): Tensor => ({ data: linear(x, seededMatrix(MODEL_WIDTH, HEAD_SIZE, seed)).data, shape: [1, 1, n, HEAD_SIZE] });
  return scaledDotProductAttentionStages(head(301), head(302), head(303), { mask, keepStages: true });
}

/** A word that differs from `word`, for the leak demo. */
function replacementFor(word: string): string {
  return word === 'zebra' ? 'giraffe' : 'zebra';
}

/** Max |Δ| of each output row between two [n, d] outputs. */
function rowChanges(a: Float32Array, b: Float32Array, n: number): Float64Array {
  const d = a.length / n;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) out[i] = Math.max(out[i], Math.abs(a[i * d + c] - b[i * d + c]));
  return out;
}

function leaksBefore(changes: Float64Array, position: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < position; i++) if (changes[i] > LEAK_TOLERANCE) out.push(i);
  return out;
}

export function computeCausalMasking(params: CausalMaskingParams): CausalMaskingData {
  let { tokens, truncated } = toyTokens(params.text, CAUSAL_MAX_TOKENS);
  if (tokens.length < 2) ({ tokens, truncated } = toyTokens(CAUSAL_DEFAULT_TEXT, CAUSAL_MAX_TOKENS));
  const n = tokens.length;
  const changed = Math.min(Math.max(1, params.changedPosition), n - 1);
  const replacement = replacementFor(tokens[changed]);
  const edited = tokens.map((t, i) => (i === changed ? replacement : t));

  const keep = variantKeepMask(n, params.variant);
  const correct = variantKeepMask(n, 'correct');
  const before = attend(tokens, keep);
  const after = attend(edited, keep);
  const changes = rowChanges(before.output.data, after.output.data, n);
  const correctChanges = rowChanges(attend(tokens, correct).output.data, attend(edited, correct).output.data, n);

  const sums = rowSums(before.weights.data, n, n);
  const fullyMaskedRows: number[] = [];
  for (let i = 0; i < n; i++) if (!keep.data.subarray(i * n, (i + 1) * n).includes(1)) fullyMaskedRows.push(i);
  const findings = checkLayerMasking(before.weights.data, 1, n, n, 0, { causal: true });

  return {
    tokens,
    truncated,
    n,
    variant: params.variant,
    keepMask: keep.data,
    correctKeepMask: correct.data,
    additiveMask: toAdditiveMask(keep).data,
    weights: before.weights.data,
    rowSums: sums,
    fullyMaskedRows,
    changedPosition: changed,
    replacement,
    outputChange: changes,
    leakedPositions: leaksBefore(changes, changed),
    correctLeakedPositions: leaksBefore(correctChanges, changed),
    engineFindings: findings.map((f) => ({ kind: f.kind, severity: f.severity, message: f.message })),
  };
}
