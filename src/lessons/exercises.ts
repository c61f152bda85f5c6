// The exercises: practice files under media/exercises/<id>/ (a README and one source file with
// a TODO or a planted bug), each tied to a lesson. "Check my solution" runs the linter now and
// the probe once it is wired in (see exercise-check.ts): `plantedRules` are the rule codes the
// starting file triggers and a solution must not, `probe` the behaviours the probe must confirm.
import type { ExerciseSummary, LessonId } from '../protocol/lesson-messages';

/** Behaviours the probe verifies by running the learner's function (issue 5's probe). */
export type ProbeCheck =
  /** Changing only future keys/values leaves every earlier output unchanged. */
  | 'causal-no-leak'
  /** Every row of the attention weights sums to 1 (over the keys, with Lq ≠ Lk). */
  | 'rows-sum-to-one'
  /** The scores are scaled by exactly 1/√d_k. */
  | 'scale-inverse-sqrt-dk'
  /** No NaN anywhere, including the first (most masked) row. */
  | 'no-nan-rows'
  /** The output equals the reference engine's on the same non-square inputs. */
  | 'matches-reference'
  /** Query head h reads kv head ⌊h / (Hq/Hkv)⌋ (8 query heads, 2 kv heads). */
  | 'gqa-head-order'
  /** The output has one row per query (target) token when T_target ≠ T_source. */
  | 'output-rows-follow-queries'
  /** Each query sees exactly `window` keys (itself included). */
  | 'window-key-count'
  /** Shifting every position by the same amount leaves the weights unchanged. */
  | 'relative-positions-only'
  /** The chunked result equals the softmax of the whole row, with scores up to ±1000. */
  | 'online-softmax-equals-softmax';

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
  probe: ProbeCheck[];
}

const ex = (
  id: string,
  lesson: LessonId,
  language: 'python' | 'typescript',
  file: string,
  kind: ExerciseDefinition['kind'],
  entry: string,
  plantedRules: string[],
  probe: ProbeCheck[],
  title: string,
  checks: string,
): ExerciseDefinition => ({ id, lesson, language, file, kind, entry, plantedRules, probe, title, checks, folder: `media/exercises/${id}` });

export const EXERCISES: readonly ExerciseDefinition[] = [
  ex('causal-attention-numpy', 'causal-masking', 'python', 'causal_attention.py', 'todo', 'causal_attention', [],
    ['causal-no-leak', 'rows-sum-to-one', 'scale-inverse-sqrt-dk', 'matches-reference'],
    'Implement causal attention (NumPy)', 'No future token reaches an earlier output; rows sum to 1; scale 1/√d_k; equals the engine.'),
  ex('fix-causal-mask-torch', 'causal-masking', 'python', 'masked_attention.py', 'planted-bug', 'masked_attention', ['ATTN001'],
    ['causal-no-leak', 'matches-reference'],
    'Fix the causal mask (PyTorch)', 'ATTN001 gone; changing a later token never changes an earlier output.'),
  ex('fix-triu-diagonal', 'causal-masking', 'python', 'blocked_mask.py', 'planted-bug', 'causal_attention', ['ATTN002'],
    ['no-nan-rows', 'rows-sum-to-one', 'causal-no-leak'],
    'Fix the blocked-mask diagonal (PyTorch)', 'ATTN002 gone; no NaN row; rows sum to 1; no leak.'),
  ex('scale-the-scores', 'why-sqrt-dk', 'python', 'scaled_attention.py', 'planted-bug', 'attention', ['ATTN005'],
    ['scale-inverse-sqrt-dk', 'matches-reference'],
    'Scale the scores (NumPy)', 'ATTN005 gone; the measured scale is 1/√d_k.'),
  ex('softmax-axis', 'sdpa-steps', 'python', 'row_softmax.py', 'planted-bug', 'attention', ['ATTN003'],
    ['rows-sum-to-one', 'matches-reference'],
    'Softmax over the right axis (PyTorch)', 'ATTN003 gone; with L_query ≠ L_key every row of weights sums to 1.'),
  ex('add-gqa-torch', 'mha-mqa-gqa', 'python', 'grouped_query_attention.py', 'planted-bug', 'grouped_query_attention', ['ATTN014'],
    ['gqa-head-order', 'matches-reference'],
    'Add GQA correctly (PyTorch)', 'ATTN014 gone; with 8 query and 2 kv heads every head equals the engine.'),
  ex('cross-attention-sources', 'self-vs-cross', 'python', 'cross_attention.py', 'planted-bug', 'CrossAttention', ['ATTN015'],
    ['output-rows-follow-queries'],
    'Cross-attention sources (PyTorch)', 'ATTN015 gone; with T_target ≠ T_source the output has T_target rows.'),
  ex('sliding-window-off-by-one', 'sparse-attention', 'python', 'local_mask.py', 'planted-bug', 'sliding_window_attention', ['ATTN016'],
    ['window-key-count', 'causal-no-leak', 'matches-reference'],
    'Sliding window, off by one (PyTorch)', 'ATTN016 gone; each query sees exactly `window` keys.'),
  ex('online-softmax-ts', 'flash-attention', 'typescript', 'online-softmax.ts', 'todo', 'onlineSoftmax', [],
    ['online-softmax-equals-softmax'],
    'Write the online softmax (TypeScript)', 'No ATTN019; chunked result equals the engine softmax, scores up to ±1000.'),
  ex('causal-attention-ts', 'causal-masking', 'typescript', 'causal-attention.ts', 'planted-bug', 'causalAttention', ['ATTN001'],
    ['causal-no-leak', 'matches-reference'],
    'Fix causal attention (TypeScript)', 'ATTN001 gone; changing a later key never changes an earlier output.'),
  ex('rope-on-values', 'positions', 'python', 'rotary_attention.py', 'planted-bug', 'rotary_attention', ['ATTN017'],
    ['relative-positions-only'],
    'RoPE on the right tensors (PyTorch)', 'ATTN017 gone; shifting all positions leaves the weights unchanged.'),
];

export function exerciseById(id: string): ExerciseDefinition | undefined {
  return EXERCISES.find((e) => e.id === id);
}

/** What the lessons panel lists. */
export function exerciseSummaries(): ExerciseSummary[] {
  return EXERCISES.map(({ id, title, lesson, language, checks }) => ({ id, title, lesson, language, checks }));
}
