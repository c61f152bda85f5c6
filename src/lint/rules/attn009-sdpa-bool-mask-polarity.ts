// ATTN009 sdpa-bool-mask-polarity: F.scaled_dot_product_attention reads a boolean attn_mask
// as True = attend; nn.MultiheadAttention / nn.Transformer* read True = blocked. A causal or
// padding mask built for one API and passed to the other silently inverts attention.
import { causalVerdict, } from '../analysis/mask-verdict';
import { hasPad, not, paddingVerdict, Formula } from '../analysis/mask-formula';
import type { CallEvent } from '../analysis/facts';
import type { Val } from '../analysis/values';
import type { PyRuleContext, Rule } from './rule';
import { wrap } from './rule-helpers';

const MHA_MASK_KEYWORDS = ['attn_mask', 'mask', 'src_mask', 'tgt_mask', 'memory_mask'];

function maskArg(call: CallEvent, keyword: string, position?: number): { val: Val; node: import('../parser/syntax-node').SyntaxNode } | undefined {
  const k = call.keywords.get(keyword);
  if (k) return { val: k.val, node: k.node };
  if (position !== undefined && call.positional[position] && call.positionalNodes[position]) return { val: call.positional[position], node: call.positionalNodes[position] };
  return undefined;
}

function check(ctx: PyRuleContext, api: 'sdpa' | 'mha', arg: { val: Val; node: import('../parser/syntax-node').SyntaxNode }, call: CallEvent): void {
  const info = arg.val.mask;
  if (!info || info.form === 'additive' || info.form === 'unknown' && !hasPad(info.set)) return;
  // The pairs that end up allowed under this API's convention.
  const allowed: Formula = api === 'sdpa' ? info.set : not(info.set);
  const fixInvert = info.form === 'bool' || info.form === 'unknown' ? { title: 'Invert the mask for this API', edits: [{ start: arg.node.start, end: arg.node.end, newText: `~${wrap(arg.node)}` }] } : undefined;
  const convention = api === 'sdpa' ? 'scaled_dot_product_attention reads True as "attend"' : 'nn.MultiheadAttention reads True as "blocked"';
  if (info.form === 'float01' && api === 'sdpa') {
    const v = causalVerdict(info.set);
    if (v.kind === 'ok' || paddingVerdict(info.set)?.inverted === false) {
      ctx.report(arg.node, 'A float 0/1 mask passed as attn_mask is added to the scores (0 or +1), so nothing is masked. Convert it to bool: True = attend.', {
        anchor: call.node,
        fix: { title: 'Pass a boolean mask', edits: [{ start: arg.node.start, end: arg.node.end, newText: `${wrap(arg.node)}.bool()` }] },
      });
      return;
    }
  }
  const v = causalVerdict(allowed);
  if (v.kind === 'future-visible') {
    ctx.report(arg.node, `Mask polarity is inverted for this API: ${convention}, so this causal mask lets queries attend to ${v.everything ? 'every key' : 'future keys'}.`, { anchor: call.node, fix: fixInvert });
    return;
  }
  const p = paddingVerdict(allowed);
  if (p?.inverted) {
    ctx.report(arg.node, `Mask polarity is inverted for this API: ${convention}, so padded keys are attended and real tokens are blocked.`, { anchor: call.node, fix: fixInvert });
  }
}

export const sdpaBoolMaskPolarity: Rule = {
  meta: {
    code: 'ATTN009',
    name: 'sdpa-bool-mask-polarity',
    severity: 'error',
    summary: 'Boolean mask polarity mixed up between SDPA (True = attend) and nn.MultiheadAttention (True = blocked).',
    lesson: 'causal-masking',
    languages: ['python'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      for (const call of f.sdpa) {
        const arg = maskArg(call, 'attn_mask', /scaled_dot_product_attention$/.test(call.callee) ? 3 : undefined);
        if (arg && arg.node.type !== 'none') check(ctx, 'sdpa', arg, call);
      }
      for (const call of f.mha) {
        for (const kw of MHA_MASK_KEYWORDS) {
          const arg = maskArg(call, kw);
          if (arg) check(ctx, 'mha', arg, call);
        }
      }
    }
  },
};
