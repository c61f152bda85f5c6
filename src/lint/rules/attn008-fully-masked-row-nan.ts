// ATTN008 fully-masked-row-nan: with -inf masking, a query row whose keys are all blocked
// gives softmax 0/0 = NaN, which then spreads. Such rows appear with padding masks on both
// axes, left padding combined with a causal mask, and segment masks. Plain causal masks and
// right-padding key masks always leave a key, so they are not reported.
import { atoms } from '../analysis/mask-formula';
import type { Rule } from './rule';

export const fullyMaskedRowNan: Rule = {
  meta: {
    code: 'ATTN008',
    name: 'fully-masked-row-nan',
    severity: 'warning',
    summary: '-inf masking with masks that can block a whole row (NaN after softmax).',
    lesson: 'causal-masking',
    languages: ['python'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      if (f.nanGuard) continue;
      for (const use of f.maskUses) {
        if (use.fill?.kind !== 'neg-inf' || !use.blocked) continue;
        const as = atoms(use.blocked);
        const pads = as.filter((a) => a.kind === 'pad');
        const axes = new Set(pads.map((a) => (a.kind === 'pad' ? a.axis : 'unknown')));
        const hasDelta = as.some((a) => a.kind === 'delta');
        let reason: string | undefined;
        if (axes.has('query') && axes.has('key')) reason = 'the padding mask blocks padded queries on every key';
        else if (pads.length && hasDelta && use.info?.leftPadding) reason = 'left padding combined with the causal mask leaves the first rows without a key';
        else if (use.info?.segments && pads.length) reason = 'segment masks combined with padding give padding queries no key to attend to';
        if (!reason) continue;
        ctx.report(use.fill.node, `Filling with -inf where ${reason}: those rows become NaN after softmax (and the NaN spreads). Use a finite fill (torch.finfo(dtype).min) or zero fully-masked rows after the softmax.`, { anchor: use.node });
      }
    }
  },
};
