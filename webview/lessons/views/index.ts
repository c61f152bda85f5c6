// Every lesson's view, by id.
import type { LessonId } from '../../../src/protocol/lesson-messages';
import type { LessonView } from '../lesson-view';
import { beforeTransformersView } from './before-transformers-view';
import { causalMaskingView } from './causal-masking-view';
import { complexityView } from './complexity-view';
import { flashAttentionView } from './flash-attention-view';
import { mhaMqaGqaView } from './mha-mqa-gqa-view';
import { multiHeadView } from './multi-head-view';
import { positionsView } from './positions-view';
import { sdpaStepsView } from './sdpa-steps-view';
import { selfVsCrossView } from './self-vs-cross-view';
import { sparseAttentionView } from './sparse-attention-view';
import { whySqrtDkView } from './why-sqrt-dk-view';

export const VIEWS: { [L in LessonId]: LessonView<L> } = {
  'sdpa-steps': sdpaStepsView,
  'why-sqrt-dk': whySqrtDkView,
  'causal-masking': causalMaskingView,
  'self-vs-cross': selfVsCrossView,
  'multi-head': multiHeadView,
  'mha-mqa-gqa': mhaMqaGqaView,
  'sparse-attention': sparseAttentionView,
  'flash-attention': flashAttentionView,
  positions: positionsView,
  'before-transformers': beforeTransformersView,
  complexity: complexityView,
};
