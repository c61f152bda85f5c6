// The parameters each lesson opens with (the webview starts from these).
import type { LessonParamsMap } from '../protocol/lesson-messages';
import { BEFORE_DEFAULTS } from './before-transformers';
import { CAUSAL_DEFAULTS } from './causal-masking';
import { COMPLEXITY_DEFAULTS } from './complexity';
import { FLASH_DEFAULTS } from './flash-attention';
import { KV_CACHE_DEFAULTS } from './mha-mqa-gqa';
import { MULTI_HEAD_DEFAULTS } from './multi-head';
import { POSITIONS_DEFAULTS } from './positions';
import { SDPA_DEFAULTS } from './sdpa-steps';
import { CROSS_DEFAULTS } from './self-vs-cross';
import { SPARSE_DEFAULTS } from './sparse-attention';
import { WHY_SQRT_DK_DEFAULTS } from './why-sqrt-dk';

export const LESSON_DEFAULTS: LessonParamsMap = {
  'sdpa-steps': SDPA_DEFAULTS,
  'why-sqrt-dk': WHY_SQRT_DK_DEFAULTS,
  'causal-masking': CAUSAL_DEFAULTS,
  'self-vs-cross': CROSS_DEFAULTS,
  'multi-head': MULTI_HEAD_DEFAULTS,
  'mha-mqa-gqa': KV_CACHE_DEFAULTS,
  'sparse-attention': SPARSE_DEFAULTS,
  'flash-attention': FLASH_DEFAULTS,
  positions: POSITIONS_DEFAULTS,
  'before-transformers': BEFORE_DEFAULTS,
  complexity: COMPLEXITY_DEFAULTS,
};
