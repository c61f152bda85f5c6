// The rule registry, in code order. Codes follow the order of the bug catalogue
// (shared/guides/attention-bugs.md); each rule lives in its own file with a doc page at
// docs/rules/<CODE>.md.
import type { Rule } from './rule';
import { causalMaskOrientation } from './attn001-causal-mask-orientation';
import { triuDiagonal } from './attn002-triu-diagonal';
import { softmaxWrongAxis } from './attn003-softmax-wrong-axis';
import { maskAfterSoftmax } from './attn004-mask-after-softmax';
import { attentionScaling } from './attn005-attention-scaling';
import { missingKeyTranspose } from './attn006-missing-key-transpose';
import { fp16MaskFillOverflow } from './attn007-fp16-mask-fill-overflow';
import { fullyMaskedRowNan } from './attn008-fully-masked-row-nan';
import { sdpaBoolMaskPolarity } from './attn009-sdpa-bool-mask-polarity';
import { keyPaddingMaskPolarity } from './attn010-key-padding-mask-polarity';
import { paddingMaskWrongAxis } from './attn011-padding-mask-wrong-axis';
import { isCausalKvCacheMisalignment } from './attn012-is-causal-kv-cache-misalignment';
import { attnDropoutInEval } from './attn013-attn-dropout-in-eval';
import { gqaHeadRepeatOrder } from './attn014-gqa-head-repeat-order';
import { crossAttentionQkvSwap } from './attn015-cross-attention-qkv-swap';
import { slidingWindowOffByOne } from './attn016-sliding-window-off-by-one';
import { ropeMisapplied } from './attn017-rope-misapplied';
import { additiveMaskBroadcast } from './attn018-additive-mask-broadcast';
import { softmaxNoMaxSubtraction } from './attn019-softmax-no-max-subtraction';
import { einsumTransposedScores } from './attn020-einsum-transposed-scores';

export const RULES: readonly Rule[] = [
  causalMaskOrientation,
  triuDiagonal,
  softmaxWrongAxis,
  maskAfterSoftmax,
  attentionScaling,
  missingKeyTranspose,
  fp16MaskFillOverflow,
  fullyMaskedRowNan,
  sdpaBoolMaskPolarity,
  keyPaddingMaskPolarity,
  paddingMaskWrongAxis,
  isCausalKvCacheMisalignment,
  attnDropoutInEval,
  gqaHeadRepeatOrder,
  crossAttentionQkvSwap,
  slidingWindowOffByOne,
  ropeMisapplied,
  additiveMaskBroadcast,
  softmaxNoMaxSubtraction,
  einsumTransposedScores,
];

const BY_CODE = new Map(RULES.map((r) => [r.meta.code, r]));

export function ruleByCode(code: string): Rule | undefined {
  return BY_CODE.get(code.toUpperCase());
}

export function ruleByName(name: string): Rule | undefined {
  return RULES.find((r) => r.meta.name === name);
}
