// ATTN020 einsum-transposed-scores: the output subscripts of the score einsum decide which
// axis holds keys. "…kq" outputs (or swapped operand labels) followed by softmax over the last
// axis normalise over queries; a consumer einsum that contracts the query axis with V mixes
// values by the transposed weights. Silent for square self-attention.
import type { Rule } from './rule';

export const einsumTransposedScores: Rule = {
  meta: {
    code: 'ATTN020',
    name: 'einsum-transposed-scores',
    severity: 'error',
    summary: 'einsum scores laid out (key, query) but normalised or consumed as (query, key).',
    lesson: 'sdpa-steps',
    languages: ['python'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      for (const s of f.softmaxes) {
        const sc = s.input.scores;
        const es = sc?.einsum;
        if (!sc || !es || sc.keyAxis === undefined || sc.queryAxis === undefined) continue;
        if (sc.keyAxis > sc.queryAxis) continue; // (…, q, k): ATTN003 judges the axis
        const rank = sc.rank;
        const dim = s.dim === undefined ? (s.defaultDim === 'last' ? -1 : undefined) : s.dim < 0 ? s.dim : rank !== undefined ? s.dim - rank : undefined;
        if (dim === undefined || dim === sc.keyAxis) continue;
        if (dim === sc.queryAxis) {
          ctx.report(es.specNode, `This einsum puts the key index '${es.keyLabel}' before the query index '${es.queryLabel}' ('${es.output}'), and the softmax normalises over dim=${s.dim ?? -1}: that is the query axis, so each key's column sums to 1 instead of each query's row.`, { anchor: s.node });
        }
      }
      // Consumer: probabilities · V must contract the key axis.
      for (const e of f.einsums) {
        const consumer = (e.result as { einsumConsumer?: { spec: { inputs: string[]; output: string }; probsIndex: number } }).einsumConsumer;
        const probs = e.operands.find((o) => o.probs)?.probs;
        const es = probs?.scores.scores?.einsum;
        const sc = probs?.scores.scores;
        if (!consumer || !es || !sc || sc.keyAxis === undefined || sc.queryAxis === undefined) continue;
        const pSpec = consumer.spec.inputs[consumer.probsIndex];
        const vSpec = consumer.spec.inputs[1 - consumer.probsIndex];
        if (!pSpec || !vSpec || pSpec.includes('.') || es.output.includes('.')) continue;
        const contracted = [...pSpec].filter((c) => vSpec.includes(c) && !consumer.spec.output.includes(c));
        if (contracted.length !== 1) continue;
        const pos = pSpec.indexOf(contracted[0]) - pSpec.length;
        // When the softmax already normalised the wrong axis, that finding covers the consumer too.
        const sm = f.softmaxes.find((x) => x.output.probs === probs);
        const smDim = sm ? (sm.dim === undefined ? -1 : sm.dim < 0 ? sm.dim : sc.rank !== undefined ? sm.dim - sc.rank : undefined) : undefined;
        if (smDim !== undefined && smDim !== sc.keyAxis) continue;
        if (pos === sc.queryAxis && pos !== sc.keyAxis) {
          ctx.report(e.specNode, `This einsum contracts the attention weights over their query axis (position ${pos}) with V; the weights were computed as '${es.output}' with keys at position ${sc.keyAxis}.`);
        }
      }
    }
  },
};
