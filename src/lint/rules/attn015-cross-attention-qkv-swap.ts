// ATTN015 cross-attention-qkv-swap: in cross-attention the queries come from the decoder side
// (x, hidden, tgt, latents) and keys/values from the context side (context, memory,
// encoder_*). Swapping them, or taking K and V from different sources, makes the output
// follow the wrong sequence — silently when the lengths happen to match.
import type { FunctionFacts, ProjectionEvent } from '../analysis/facts';
import type { Role } from '../analysis/values';
import type { PyRuleContext, Rule } from './rule';

const INTENDED = /retro|perceiver|co_?attn|coattention|co_attention|bidirectional|symmetric/i;

function source(p: ProjectionEvent): Role | undefined {
  const r = p.arg.role;
  return r === 'x' || r === 'ctx' ? r : undefined;
}

function checkFunction(ctx: PyRuleContext, f: FunctionFacts): void {
  const projs = f.projections.map((p) => ({ p, src: source(p) }));
  const qs = projs.filter((x) => x.p.which === 'q');
  const ks = projs.filter((x) => x.p.which === 'k' || x.p.which === 'kv');
  const vs = projs.filter((x) => x.p.which === 'v' || x.p.which === 'kv');
  // Co-attention computes both directions: queries from both sides.
  if (qs.some((x) => x.src === 'x') && qs.some((x) => x.src === 'ctx')) return;
  const qFromCtx = qs.find((x) => x.src === 'ctx');
  const kvFromX = [...ks, ...vs].find((x) => x.src === 'x');
  if (qFromCtx && kvFromX) {
    ctx.report(qFromCtx.p.node, `Queries are projected from \`${qFromCtx.p.argNode.text}\` (the context) and keys/values from \`${kvFromX.p.argNode.text}\`: cross-attention roles are swapped, so the output follows the context's length.`);
    return;
  }
  if (qs.every((x) => x.src !== 'ctx')) {
    const kSrc = ks.filter((x) => x.p.which === 'k').map((x) => x.src);
    const vSrc = vs.filter((x) => x.p.which === 'v').map((x) => x.src);
    if (kSrc.length === 1 && vSrc.length === 1 && kSrc[0] && vSrc[0] && kSrc[0] !== vSrc[0]) {
      const odd = [...ks, ...vs].find((x) => x.src === 'x' && x.p.which !== 'kv');
      if (odd) ctx.report(odd.p.node, `Keys and values come from different sequences (${ks[0].p.argNode.text} vs ${vs[0].p.argNode.text}): in cross-attention both must come from the context.`);
    }
  }
  // nn.MultiheadAttention(query, key, value) called with the context as the query.
  for (const call of f.mha) {
    const [q, k, v] = call.positional;
    const qRole = call.keywords.get('query')?.val.role ?? q?.role;
    const kRole = call.keywords.get('key')?.val.role ?? k?.role;
    const vRole = call.keywords.get('value')?.val.role ?? v?.role;
    if (qRole === 'ctx' && kRole === 'x' && (vRole === 'x' || vRole === undefined)) {
      const node = call.keywords.get('query')?.node ?? call.positionalNodes[0];
      if (node) ctx.report(node, 'The context is passed as the query and the decoder states as key/value: cross-attention expects (query=decoder, key=value=context).', { anchor: call.node });
    }
  }
}

export const crossAttentionQkvSwap: Rule = {
  meta: {
    code: 'ATTN015',
    name: 'cross-attention-qkv-swap',
    severity: 'error',
    summary: 'Cross-attention with queries and keys/values taken from the wrong sequences.',
    lesson: 'self-vs-cross',
    languages: ['python'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      if (INTENDED.test(`${f.name} ${f.className ?? ''}`) || INTENDED.test(f.docText.slice(0, 400))) continue;
      checkFunction(ctx, f);
    }
  },
};
