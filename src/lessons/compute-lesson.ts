// One entry point for the host: a lesson id and its (validated) parameters → that lesson's
// data, computed by the lesson's own module.
import type { LessonDataMap, LessonId, LessonParamsMap } from '../protocol/lesson-messages';
import { computeBeforeTransformers } from './before-transformers';
import { computeCausalMasking } from './causal-masking';
import { computeComplexity } from './complexity';
import { computeFlashAttention } from './flash-attention';
import { computeKvCache } from './mha-mqa-gqa';
import { computeMultiHead } from './multi-head';
import { computePositions } from './positions';
import { computeSdpaSteps } from './sdpa-steps';
import { computeSelfVsCross } from './self-vs-cross';
import type { LessonEnvironment } from './shared/lesson-model';
import { computeSparseAttention } from './sparse-attention';
import { computeWhySqrtDk } from './why-sqrt-dk';

type Computations = { [L in LessonId]: (params: LessonParamsMap[L], env: LessonEnvironment) => LessonDataMap[L] | Promise<LessonDataMap[L]> };

const COMPUTE: Computations = {
  'sdpa-steps': computeSdpaSteps,
  'why-sqrt-dk': computeWhySqrtDk,
  'causal-masking': computeCausalMasking,
  'self-vs-cross': computeSelfVsCross,
  'multi-head': computeMultiHead,
  'mha-mqa-gqa': computeKvCache,
  'sparse-attention': computeSparseAttention,
  'flash-attention': computeFlashAttention,
  positions: computePositions,
  'before-transformers': computeBeforeTransformers,
  complexity: computeComplexity,
};

export async function computeLesson<L extends LessonId>(lesson: L, params: LessonParamsMap[L], env: LessonEnvironment = {}): Promise<LessonDataMap[L]> {
  const compute = COMPUTE[lesson] as (p: LessonParamsMap[L], e: LessonEnvironment) => LessonDataMap[L] | Promise<LessonDataMap[L]>;
  return compute(params, env);
}
