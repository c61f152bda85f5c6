// The lesson index: every lesson's id (the linter's `lesson` ids), order, title, a one-line
// summary and what it teaches. The lessons panel lists these; linter hovers open one by id.
import { LESSON_IDS, type LessonId, type LessonSummary } from '../protocol/lesson-messages';

export const LESSONS: readonly LessonSummary[] = [
  {
    id: 'sdpa-steps',
    order: 1,
    title: 'Scaled dot-product attention, step by step',
    summary: 'Your own text through Q·Kᵀ → scale → mask → softmax → ·V, with the shape of every stage.',
    teaches: [
      'Derive softmax(Q·Kᵀ/√d_k + M)·V and the shape after each step',
      'Read a row of the weights as a probability distribution over keys',
      'See the real layer-0 queries and keys of the bundled model',
    ],
  },
  {
    id: 'why-sqrt-dk',
    order: 2,
    title: 'Why divide by √d_k',
    summary: 'Measure the variance of random dot products, the softmax entropy and the gradient as d_k grows.',
    teaches: [
      'Var(q·k) = d_k for unit-variance q and k, measured by sampling',
      'Unscaled scores saturate the softmax (entropy → 0)',
      'A saturated softmax passes almost no gradient (Jacobian → 0)',
    ],
  },
  {
    id: 'causal-masking',
    order: 3,
    title: 'Causal masking',
    summary: 'Keep the lower triangle: the mask blocks the upper one. Then watch the wrong triangle leak the future.',
    teaches: [
      'The keep-lower-triangle rule (j ≤ i), diagonal included',
      'The mask (−∞ above the diagonal) vs the weights (below it)',
      'How a swapped triangle leaks future tokens, shown by changing one',
    ],
  },
  {
    id: 'self-vs-cross',
    order: 4,
    title: 'Self-attention vs cross-attention',
    summary: 'Queries from one sequence, keys and values from another: lengths differ, and the roles matter.',
    teaches: [
      'Cross-attention weights are [L_target, L_source]',
      'The output has one row per query token',
      'What swapping the sources does to shape and meaning',
    ],
  },
  {
    id: 'multi-head',
    order: 5,
    title: 'Multi-head attention on a real model',
    summary: "The bundled model's heads on your text: which ones look at the previous token, which copy (induction).",
    teaches: [
      'Heads specialise: previous-token, induction, sink, local band…',
      'Splitting into heads reshapes d_model: parameters do not depend on the head count',
    ],
  },
  {
    id: 'mha-mqa-gqa',
    order: 6,
    title: 'MHA vs MQA vs GQA: the KV cache',
    summary: 'A KV-cache calculator (layers, heads, groups, head size, length, dtype) and the memory/quality trade-off.',
    teaches: [
      'KV cache = 2 · layers · kv heads · head size · length · bytes',
      'How query heads map to shared key/value heads',
      'What sharing costs in quality, measured by pooling heads',
    ],
  },
  {
    id: 'sparse-attention',
    order: 7,
    title: 'Sparse attention patterns',
    summary: 'Sliding window, Longformer and BigBird masks; receptive field over layers; what falls outside.',
    teaches: [
      'Build window, window + global and window + global + random patterns',
      'Pairs computed vs full attention: O(n·w) instead of O(n²)',
      'Receptive field growth by stacking layers, and a dependency the pattern cannot see',
    ],
  },
  {
    id: 'flash-attention',
    order: 8,
    title: 'FlashAttention: tiles and the online softmax',
    summary: 'Follow one row tile by tile: running max, running sum, rescaling — and the same result as standard attention.',
    teaches: [
      'The online softmax update (m, l, O) and its correction factor',
      'Why the result equals softmax(Q·Kᵀ)·V exactly (up to rounding)',
      'Memory: n² matrices vs tiles (32K tokens × 32 heads in fp16 ≈ 65.5 GB)',
    ],
  },
  {
    id: 'positions',
    order: 9,
    title: 'Positions: sinusoidal, learned, RoPE, ALiBi',
    summary: 'How attention knows order: four answers, and RoPE scores that depend only on the offset.',
    teaches: [
      'Sinusoidal and learned tables are added to the input',
      'RoPE rotates q and k so scores depend on p − p′ only',
      'ALiBi adds a per-head linear distance penalty',
    ],
  },
  {
    id: 'before-transformers',
    order: 10,
    title: 'Before Transformers: Bahdanau and Luong',
    summary: 'Additive attention with the previous decoder state vs dot/general/concat with the current one.',
    teaches: [
      'Bahdanau scores with s_{t−1}, Luong with s_t',
      'The dot score is SDPA without the scale',
      'Parameters of each scoring function',
    ],
  },
  {
    id: 'complexity',
    order: 11,
    title: 'Complexity: time and memory as n grows',
    summary: 'Full, sliding-window, sparse, linear and FlashAttention costs plotted against sequence length.',
    teaches: [
      'Full attention is O(n²) in time and memory',
      'FlashAttention keeps O(n²) time but O(n) memory',
      'Windows and sparse patterns are O(n·w); linear attention is O(n·d²)',
    ],
  },
];

export function lessonById(id: LessonId): LessonSummary {
  const found = LESSONS.find((l) => l.id === id);
  if (!found) throw new Error(`no lesson ${id}`);
  return found;
}

/** Every protocol id has exactly one lesson, in order (checked by a unit test too). */
export function lessonIdsInOrder(): LessonId[] {
  return [...LESSONS].sort((a, b) => a.order - b.order).map((l) => l.id).filter((id) => LESSON_IDS.includes(id));
}
