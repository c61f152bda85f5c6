// The exercises: practice files under media/exercises/<id>/ (a README and one source file with
// a TODO or a planted bug), each tied to a lesson. "Check my solution" (exercise-check.ts) runs
// the linter — `plantedRules` are the rule codes the starting file triggers and a solution must
// not — and then the probe (issue 5), whose `probe` checks must all pass. An exercise the probe
// cannot call says what it would need in `probeGap`; its check stops at the linter and reports
// 'incomplete'. Every exercise below is probe-checked: windows, rotary tables, forward(x, memory)
// and chunked softmaxes each have their own probe (src/lint/probe/probe-window.ts, probe-rotary.ts,
// probe-cross.ts, probe-chunks.ts).
import type { ProbeCheckId } from '../lint/probe';
import type { ExerciseSummary, LessonId } from '../protocol/lesson-messages';

/** Every check a causal kernel must pass. */
const CAUSAL_KERNEL: ProbeCheckId[] = ['runs', 'finite', 'causal-leak', 'causal-self', 'rows-sum-to-one', 'softmax-axis', 'scale', 'reference-agreement'];
/** Every check a bidirectional kernel must pass. */
const KERNEL: ProbeCheckId[] = ['runs', 'finite', 'rows-sum-to-one', 'softmax-axis', 'scale', 'reference-agreement'];
/** A causal kernel with a `window` argument: its dependency map must be the engine's window. */
const WINDOW_KERNEL: ProbeCheckId[] = ['runs', 'finite', 'causal-leak', 'causal-self', 'sliding-window', 'rows-sum-to-one', 'softmax-axis', 'scale', 'reference-agreement'];
/** A kernel given cos/sin tables: RoPE on q and k only, so a common position shift changes nothing. */
const ROTARY_KERNEL: ProbeCheckId[] = ['runs', 'finite', 'rows-sum-to-one', 'softmax-axis', 'scale', 'rotary-relative', 'reference-agreement'];
/** forward(x, memory): one row per target token, queries from x, keys/values from memory. */
const CROSS_MODULE: ProbeCheckId[] = ['runs', 'finite', 'cross-sources', 'rows-sum-to-one', 'softmax-axis', 'reference-agreement'];
/** A softmax that reads a row in chunks. */
const CHUNKED_SOFTMAX: ProbeCheckId[] = ['runs', 'finite', 'rows-sum-to-one', 'chunk-invariance', 'reference-agreement'];

export interface ExerciseDefinition extends ExerciseSummary {
  /** Folder under the extension root. */
  folder: string;
  /** The practice file inside the folder (copied to the learner's scratch folder with the README). */
  file: string;
  kind: 'todo' | 'planted-bug';
  /** Function or class the probe calls. */
  entry: string;
  /** Rule codes the starting file triggers; a solution must trigger none (and no other rule). */
  plantedRules: string[];
  /** Probe checks that must pass (status 'pass'; a skipped one fails the exercise). */
  probe: ProbeCheckId[];
  /** What the probe would need to check this exercise's behaviour, when it cannot yet. */
  probeGap?: string;
}

const ex = (
  id: string,
  lesson: LessonId,
  language: 'python' | 'typescript',
  file: string,
  kind: ExerciseDefinition['kind'],
  entry: string,
  plantedRules: string[],
  probe: ProbeCheckId[],
  title: string,
  checks: string,
  probeGap?: string,
): ExerciseDefinition => ({ id, lesson, language, file, kind, entry, plantedRules, probe, title, checks, folder: `media/exercises/${id}`, ...(probeGap ? { probeGap } : {}) });

export const EXERCISES: readonly ExerciseDefinition[] = [
  ex('causal-attention-numpy', 'causal-masking', 'python', 'causal_attention.py', 'todo', 'causal_attention', [], CAUSAL_KERNEL,
    'Implement causal attention (NumPy)', 'No future token reaches an earlier output; rows sum to 1; scale 1/√d_k; equals the engine.'),
  ex('fix-causal-mask-torch', 'causal-masking', 'python', 'masked_attention.py', 'planted-bug', 'masked_attention', ['ATTN001'], CAUSAL_KERNEL,
    'Fix the causal mask (PyTorch)', 'ATTN001 gone; changing a later token never changes an earlier output.'),
  ex('fix-triu-diagonal', 'causal-masking', 'python', 'blocked_mask.py', 'planted-bug', 'causal_attention', ['ATTN002'], CAUSAL_KERNEL,
    'Fix the blocked-mask diagonal (PyTorch)', 'ATTN002 gone; no NaN row; every token sees itself; no leak.'),
  ex('scale-the-scores', 'why-sqrt-dk', 'python', 'scaled_attention.py', 'planted-bug', 'attention', ['ATTN005'], KERNEL,
    'Scale the scores (NumPy)', 'ATTN005 gone; the measured scale is 1/√d_k.'),
  ex('softmax-axis', 'sdpa-steps', 'python', 'row_softmax.py', 'planted-bug', 'attention', ['ATTN003'], KERNEL,
    'Softmax over the right axis (PyTorch)', 'ATTN003 gone; with L_query ≠ L_key every row of weights sums to 1.'),
  ex('add-gqa-torch', 'mha-mqa-gqa', 'python', 'grouped_query_attention.py', 'planted-bug', 'grouped_query_attention', ['ATTN014'], KERNEL,
    'Add GQA correctly (PyTorch)', 'ATTN014 gone; with more query heads than kv heads every head equals the engine.'),
  ex('cross-attention-sources', 'self-vs-cross', 'python', 'cross_attention.py', 'planted-bug', 'CrossAttention', ['ATTN015'], CROSS_MODULE,
    'Cross-attention sources (PyTorch)', 'ATTN015 gone; with T_target ≠ T_source the output has T_target rows, each from its own target token and the whole memory.'),
  ex('sliding-window-off-by-one', 'sparse-attention', 'python', 'local_mask.py', 'planted-bug', 'sliding_window_attention', ['ATTN016'], WINDOW_KERNEL,
    'Sliding window, off by one (PyTorch)', 'ATTN016 gone; each query sees exactly `window` keys, as the engine’s sliding-window mask.'),
  ex('online-softmax-ts', 'flash-attention', 'typescript', 'online-softmax.ts', 'todo', 'onlineSoftmax', [], CHUNKED_SOFTMAX,
    'Write the online softmax (TypeScript)', 'No ATTN019; chunked result equals the engine softmax, however the row is cut, scores up to ±1000.'),
  ex('causal-attention-ts', 'causal-masking', 'typescript', 'causal-attention.ts', 'planted-bug', 'causalAttention', ['ATTN001'], CAUSAL_KERNEL,
    'Fix causal attention (TypeScript)', 'ATTN001 gone; changing a later key never changes an earlier output.'),
  ex('rope-on-values', 'positions', 'python', 'rotary_attention.py', 'planted-bug', 'rotary_attention', ['ATTN017'], ROTARY_KERNEL,
    'RoPE on the right tensors (PyTorch)', 'ATTN017 gone; shifting all positions leaves the weights unchanged; equals the engine with RoPE on q and k.'),
];

export function exerciseById(id: string): ExerciseDefinition | undefined {
  return EXERCISES.find((e) => e.id === id);
}

/** What the lessons panel lists. */
export function exerciseSummaries(): ExerciseSummary[] {
  return EXERCISES.map(({ id, title, lesson, language, checks }) => ({ id, title, lesson, language, checks }));
}
