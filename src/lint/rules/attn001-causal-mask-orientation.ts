// ATTN001 causal-mask-orientation: the causal mask, as built and as consumed, lets a query
// see future keys (tril used as a block mask, triu(…, 1) used as a keep mask, i <= j …).
import { fixableByInverting, lineageVerdict, wrongCombination } from '../analysis/mask-verdict';
import { boundText, hasDelta } from '../analysis/mask-formula';
import type { Rule } from './rule';
import { describeBuilders, describeUse, invertedMaskText } from './rule-helpers';


export const causalMaskOrientation: Rule = {
  meta: {
    code: 'ATTN001',
    name: 'causal-mask-orientation',
    severity: 'error',
    summary: 'The causal mask, as built and as used, lets queries attend to future keys.',
    lesson: 'causal-masking',
    languages: ['python', 'typescript'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      for (const lineage of f.lineages) {
        // A wrong & / | between causal and window masks is ATTN016's finding.
        if (wrongCombination(lineage)) continue;
        const parts = lineage.map((u) => u.blocked);
        const v = lineageVerdict(parts);
        if (v.kind !== 'future-visible') continue;
        if (!parts.some((p) => p && hasDelta(p))) continue;
        const idx = fixableByInverting(parts, (x) => x.kind === 'ok');
        const blamed = idx >= 0 ? lineage[idx] : [...lineage].reverse().find((u) => u.blocked && hasDelta(u.blocked));
        if (!blamed) continue;
        const seen = v.hi ? `keys up to j = i + ${boundText(v.hi)}` : 'later keys';
        const message = `Causal mask is inverted or mis-oriented: with ${describeBuilders(blamed.info)} and ${describeUse(blamed)}, query i sees ${seen} (future tokens leak).`;
        const canFix = idx >= 0 && (blamed.via === 'masked_fill' || blamed.via === 'where-keep' || blamed.via === 'where-block') && blamed.info?.form !== 'additive';
        ctx.report(blamed.maskNode, message, {
          anchor: blamed.node,
          fix: canFix ? { title: 'Invert the mask at this use', edits: [{ start: blamed.maskNode.start, end: blamed.maskNode.end, newText: invertedMaskText(blamed.maskNode) }] } : undefined,
        });
      }
      // A 0/1 causal mask added to the scores does not block anything.
      for (const use of f.maskUses) {
        if (use.via !== 'additive' || !use.info || (use.info.form !== 'float01' && use.info.form !== 'bool') || !hasDelta(use.info.set)) continue;
        ctx.report(use.maskNode, 'A 0/1 causal mask is added to the scores: it shifts logits by 0 or 1 instead of blocking future keys. Fill with a large negative value (masked_fill) or build an additive -inf mask.', { anchor: use.node });
      }
    }
  },
  typescript(ctx) {
    for (const f of ctx.facts) {
      for (const group of f.maskGroups) {
        const parts = group.map((m) => m.blocked);
        const v = lineageVerdict(parts);
        if (v.kind !== 'future-visible') continue;
        const idx = fixableByInverting(parts, (x) => x.kind === 'ok');
        const blamed = group[idx >= 0 ? idx : group.length - 1];
        const seen = v.hi ? `keys up to j = i + ${boundText(v.hi)}` : 'later keys';
        ctx.report(blamed.node, `Causal masking is inverted: this ${blamed.how === 'loop-bound' ? 'loop bound' : 'condition'} lets query i see ${seen} (the outer loop is the query position, the inner loop the key position).`);
      }
    }
  },
};
