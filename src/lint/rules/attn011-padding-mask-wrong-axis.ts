// ATTN011 padding-mask-wrong-axis: a (B, T) padding mask must be broadcast over the *key*
// axis of (B, H, Tq, Tk) scores ([:, None, None, :]). A singleton on the last axis
// (unsqueeze(-1), [..., None], view(b, 1, t, 1)) masks whole query rows instead: padded keys
// are still attended, padded query rows become uniform (or NaN with -inf).
import { atoms } from '../analysis/mask-formula';
import type { Rule } from './rule';

export const paddingMaskWrongAxis: Rule = {
  meta: {
    code: 'ATTN011',
    name: 'padding-mask-wrong-axis',
    severity: 'error',
    summary: 'A per-token padding mask broadcast over the query axis instead of the key axis.',
    lesson: 'causal-masking',
    languages: ['python'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      for (const use of f.maskUses) {
        if (!use.target.scores || !use.blocked) continue;
        const pads = atoms(use.blocked).filter((a) => a.kind === 'pad');
        if (pads.length === 0) continue;
        const axes = new Set(pads.map((a) => (a.kind === 'pad' ? a.axis : 'unknown')));
        if (axes.has('query') && !axes.has('key')) {
          ctx.report(use.maskNode, 'This padding mask is broadcast over the query axis (singleton on the last axis): it masks whole query rows, and the padded keys are still attended. Broadcast it over keys: mask[:, None, None, :].', { anchor: use.node });
        }
      }
    }
  },
};
