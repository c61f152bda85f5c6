// ATTN012 is-causal-kv-cache-misalignment: with a KV cache the new queries are the *last*
// Tq of Tk positions, so the causal mask must be bottom-right aligned (query i sees keys
// j ≤ i + Tk − Tq). SDPA's is_causal=True and tril() on a (Tq, Tk) shape are top-left
// aligned: during decoding the new token sees only the first keys of the cache.
// Also flags is_causal=True passed together with attn_mask (SDPA rejects the pair).
import { allowedOf, causalVerdict } from '../analysis/mask-verdict';
import type { Rule } from './rule';

/** Guards that make is_causal safe: only when there is no past, or the lengths match. */
const LENGTH_GUARD = /is None|==|not past|not cache|use_cache|past_len\s*==|start_pos\s*==|\bprefill\b|\.size\(\s*-?2\s*\)\s*==|shape\[\s*-?2\s*\]\s*==/;

export const isCausalKvCacheMisalignment: Rule = {
  meta: {
    code: 'ATTN012',
    name: 'is-causal-kv-cache-misalignment',
    severity: 'error',
    summary: 'Top-left aligned causal masking (is_causal=True, tril on (Tq, Tk)) with a KV cache, or is_causal together with attn_mask.',
    lesson: 'causal-masking',
    languages: ['python'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      for (const call of f.sdpa) {
        const causal = call.keywords.get('is_causal');
        if (!causal || causal.node.text !== 'True') continue;
        const mask = call.keywords.get('attn_mask') ?? (call.positional[3] ? { node: call.positionalNodes[3] } : undefined);
        if (mask && mask.node.type !== 'none') {
          ctx.report(causal.nameNode, 'is_causal=True together with attn_mask: scaled_dot_product_attention rejects (or ignores) one of them. Fold the causal structure into attn_mask or drop the mask.', { anchor: call.node });
          continue;
        }
        if (!f.kvCacheKeys && !call.positional[1]?.cached) continue;
        if (call.guards.some((g) => LENGTH_GUARD.test(g))) continue;
        ctx.report(causal.nameNode, 'is_causal=True with a KV cache: PyTorch aligns the causal mask top-left, so when the query is shorter than the keys (decoding, chunked prefill) the new tokens cannot see most of the cache. Use causal_lower_right(...) or an explicit mask offset by the cache length, or is_causal only when q and k have the same length.', { anchor: call.node });
      }
      if (!f.kvCacheKeys) continue;
      for (const use of f.maskUses) {
        const info = use.info;
        if (!info?.rect || !use.target.scores) continue;
        const allowed = allowedOf(use);
        if (!allowed) continue;
        const v = causalVerdict(allowed);
        if (v.kind === 'ok' && !v.hi.sym && v.hi.k === 0) {
          const at = info.builders[0]?.node ?? use.maskNode;
          ctx.report(at, `Causal mask on a (${info.rect.rows}, ${info.rect.cols}) shape without an offset: it is aligned top-left, but with a KV cache query i sits at position past_len + i. Offset the diagonal by ${info.rect.cols} - ${info.rect.rows}.`, { anchor: use.maskNode });
        }
      }
    }
  },
};
