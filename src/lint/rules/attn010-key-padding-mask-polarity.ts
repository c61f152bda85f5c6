// ATTN010 key-padding-mask-polarity: tokenizers return attention_mask with 1 = real token;
// nn.MultiheadAttention's key_padding_mask wants True = padding. Passing one for the other,
// or building a "padding" mask with != pad / < lengths and filling where it is True, masks
// the real tokens and attends to the padding.
import { paddingOf } from '../analysis/mask-verdict';
import { not, paddingVerdict } from '../analysis/mask-formula';
import type { Rule } from './rule';
import { invertedMaskText } from './rule-helpers';

const KPM_KEYWORDS = ['key_padding_mask', 'src_key_padding_mask', 'tgt_key_padding_mask', 'memory_key_padding_mask'];

export const keyPaddingMaskPolarity: Rule = {
  meta: {
    code: 'ATTN010',
    name: 'key-padding-mask-polarity',
    severity: 'error',
    summary: 'Padding mask with inverted polarity (1 = real token used where True = padding is expected, or the reverse).',
    lesson: 'causal-masking',
    languages: ['python'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      for (const call of f.mha) {
        for (const kw of KPM_KEYWORDS) {
          const arg = call.keywords.get(kw);
          const info = arg?.val.mask;
          if (!arg || !info || info.form === 'additive') continue;
          const p = paddingVerdict(not(info.set));
          if (p?.inverted) {
            ctx.report(arg.node, `${kw} expects True at padding positions, but this mask is True at real tokens (like a tokenizer attention_mask): the model attends only to padding. Pass \`${invertedMaskText(arg.node)}\`.`, {
              anchor: call.node,
              fix: { title: 'Invert to True = padding', edits: [{ start: arg.node.start, end: arg.node.end, newText: invertedMaskText(arg.node) }] },
            });
          }
        }
      }
      for (const use of f.maskUses) {
        if (!use.target.scores) continue;
        const p = paddingOf(use);
        if (!p?.inverted) continue;
        const canFix = use.via === 'masked_fill' || use.via === 'where-keep' || use.via === 'where-block';
        ctx.report(use.maskNode, 'Padding mask polarity is inverted: as built, this mask is True at real tokens, and here it blocks where True — the real keys are masked and the padding is attended.', {
          anchor: use.node,
          fix: canFix ? { title: 'Invert the mask at this use', edits: [{ start: use.maskNode.start, end: use.maskNode.end, newText: invertedMaskText(use.maskNode) }] } : undefined,
        });
      }
    }
  },
};
