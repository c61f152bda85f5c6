// ATTN018 additive-mask-broadcast: masks broadcast against (B, H, Tq, Tk) scores from the
// right. A (B, T) padding bias lines batch up with the query axis, a (B, 1, T) one lines batch
// up with heads in 4-D, and a square (T, T) mask no longer fits once the keys include a cache.
// Mostly a shape error; silent when the sizes happen to coincide.
import { rankOf } from '../analysis/axes';
import { atoms } from '../analysis/mask-formula';
import type { Rule } from './rule';
import { wrap } from './rule-helpers';

export const additiveMaskBroadcast: Rule = {
  meta: {
    code: 'ATTN018',
    name: 'additive-mask-broadcast',
    severity: 'error',
    summary: 'A mask whose axes line up with the wrong score axes (batch vs query/heads, square mask with a cache).',
    lesson: 'multi-head',
    languages: ['python'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      for (const use of f.maskUses) {
        const sc = use.target.scores;
        const info = use.info;
        // A parameter added to the scores may already be an extended 4-D mask (HF): skip it.
        if (!sc || !info || (info.form === 'unknown' && use.via === 'additive')) continue;
        // Square (T, T) structural mask, keys extended by a cache.
        if (info.square && (sc.k?.cached || use.target.cached)) {
          ctx.report(use.maskNode, `This (${info.square.size}, ${info.square.size}) mask assumes as many keys as queries, but the keys include the cache (past + ${info.square.size}): it cannot line up with the scores. Build it as (${info.square.size}, past_len + ${info.square.size}) with the diagonal offset.`, { anchor: use.node });
          continue;
        }
        const pads = atoms(info.set).filter((a) => a.kind === 'pad');
        if (pads.length === 0) continue;
        if (pads.some((a) => a.kind === 'pad' && a.axis === 'query')) continue; // ATTN011's case
        const m = use.mask.shape;
        if (!m?.full) continue;
        const bAt = m.axes.indexOf('b');
        if (bAt < 0) continue;
        const bFromEnd = m.axes.length - bAt;
        const r = rankOf(use.target.shape) ?? sc.rank;
        const misaligned = r !== undefined ? bFromEnd !== r : bFromEnd <= 2;
        if (!misaligned) continue;
        const lineUp = bFromEnd === 2 ? 'the query axis' : bFromEnd === 3 && r === 4 ? 'the heads axis' : 'the wrong axis';
        const idx = r === 4 ? '[:, None, None, :]' : r === 3 ? '[:, None, :]' : undefined;
        const canFix = idx && m.axes.length === 2 && m.axes[1] === 't';
        ctx.report(use.maskNode, `This ${m.axes.length}-D padding mask (${m.axes.join(', ').toUpperCase()}) broadcasts its batch axis against ${lineUp} of the ${r ? `${r}-D ` : ''}scores. Reshape it to (B, 1, 1, T) for (B, H, Tq, Tk) scores.`, {
          anchor: use.node,
          fix: canFix ? { title: 'Broadcast over the key axis', edits: [{ start: use.maskNode.start, end: use.maskNode.end, newText: `${wrap(use.maskNode)}${idx}` }] } : undefined,
        });
      }
    }
  },
};
