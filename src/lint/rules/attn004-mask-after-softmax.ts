// ATTN004 mask-after-softmax: masking must change the logits before normalisation. Masking
// the probabilities afterwards (without renormalising) leaves rows that do not sum to 1,
// filling them with -inf gives NaN, and writing the mask into the scores after their
// softmax was taken has no effect at all.
import type { Rule } from './rule';

const DROPOUT_NAMES = /drop|keep_prob|bernoulli|dropout/i;

export const maskAfterSoftmax: Rule = {
  meta: {
    code: 'ATTN004',
    name: 'mask-after-softmax',
    severity: 'error',
    summary: 'A mask applied to attention probabilities after softmax (or to scores already normalised).',
    lesson: 'sdpa-steps',
    languages: ['python'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      for (const e of f.probsMasks) {
        if (e.renormalised || e.guard) continue;
        const maskText = e.mask?.node.text ?? '';
        if (DROPOUT_NAMES.test(maskText)) continue;
        // Zeroing NaN rows of fully-masked queries is a guard, not masking.
        if (/isnan|isinf|\.any\(|\.all\(|row_has|has_any|any_valid|fully_masked|all_masked/i.test(maskText)) continue;
        const inf = e.fill && (e.fill.kind === 'neg-inf' || e.fill.kind === 'pos-inf');
        const message = inf
          ? 'Infinity written into attention probabilities after softmax: those rows become NaN/-inf. Apply the mask to the scores before softmax.'
          : 'Mask applied after softmax: masked keys still took part in the normaliser and the rows no longer sum to 1. Mask the scores before softmax (or renormalise by the row sums).';
        ctx.report(e.node, message);
      }
      for (const w of f.scoreWrites) {
        ctx.report(w.node, `\`${w.name}\` is masked after its softmax was already computed: the attention weights in use never see this mask. Apply it before the softmax.`);
      }
    }
  },
};
