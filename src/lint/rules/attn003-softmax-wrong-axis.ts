// ATTN003 softmax-wrong-axis: attention weights must be normalised over the key axis (the
// last axis of Q·Kᵀ scores). A hard-coded dim that is right for 3-D input but not 4-D, axis=0,
// or a softmax with no dim at all normalises over queries, heads or the batch.
import { rankOf } from '../analysis/axes';
import type { SoftmaxEvent } from '../analysis/facts';
import type { FixSpec, Rule } from './rule';
import { closingParen } from './rule-helpers';

const AXIS_NAMES: Record<string, string> = { b: 'the batch axis', h: 'the heads axis', i: 'the query axis', t: 'a token axis', d: 'the feature axis', '1': 'a size-1 axis' };

function keyword(api: SoftmaxEvent['api']): string {
  return api === 'torch' || api === 'module' ? 'dim' : 'axis';
}

export const softmaxWrongAxis: Rule = {
  meta: {
    code: 'ATTN003',
    name: 'softmax-wrong-axis',
    severity: 'error',
    summary: 'Softmax over an axis other than the key axis of the scores.',
    lesson: 'sdpa-steps',
    languages: ['python', 'typescript'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      for (const s of f.softmaxes) {
        const sc = s.input.scores;
        if (!sc || sc.keyAxis === undefined) continue;
        // Key-major einsum layouts are judged by ATTN020.
        if (sc.einsum && sc.queryAxis !== undefined && sc.keyAxis < sc.queryAxis) continue;
        const rank = rankOf(s.input.shape) ?? sc.rank;
        const key = sc.keyAxis;
        const fixToKey = (): FixSpec | undefined => {
          if (key !== -1) return undefined;
          if (s.dim !== undefined && s.dimNode && s.dimNode.type !== 'argument_list') return { title: `Normalise over the last axis (${keyword(s.api)}=-1)`, edits: [{ start: s.dimNode.start, end: s.dimNode.end, newText: '-1' }] };
          const args = s.dimNode?.type === 'argument_list' ? s.dimNode : undefined;
          const close = closingParen(args);
          if (close === undefined || !args) return undefined;
          const sep = args.namedChildren.length ? ', ' : '';
          return { title: `Add ${keyword(s.api)}=-1`, edits: [{ start: close, end: close, newText: `${sep}${keyword(s.api)}=-1` }] };
        };
        if (s.dim === undefined) {
          if (s.defaultDim === 'implicit') {
            const implicit = rank === undefined ? undefined : rank === 0 || rank === 1 || rank === 3 ? 0 : 1;
            const wrong = implicit === undefined || rank === undefined || implicit - rank !== key;
            if (wrong) {
              const where = s.moduleNode ? 'nn.Softmax() without dim' : 'softmax without dim';
              ctx.report(s.node, `${where} on attention scores: PyTorch picks the axis from the rank (dim=${implicit ?? '0 or 1'}), not the key axis (dim=${key}). Pass dim=${key}.`, { fix: fixToKey() });
            }
          } else if (s.defaultDim === 'all') {
            ctx.report(s.node, 'scipy.special.softmax without axis normalises over every element of the scores, not over the keys. Pass axis=-1.', { fix: fixToKey() });
          }
          continue;
        }
        const dimFromEnd = s.dim < 0 ? s.dim : rank !== undefined ? s.dim - rank : s.dim === 0 ? -Infinity : undefined;
        if (dimFromEnd === undefined || dimFromEnd === key) continue;
        const label = rank !== undefined && s.input.shape?.full ? s.input.shape.axes[rank + (dimFromEnd as number)] : undefined;
        const what = label && AXIS_NAMES[label] ? AXIS_NAMES[label] : s.dim === 0 ? 'the first axis' : `axis ${s.dim}`;
        const rankText = rank !== undefined ? `${rank}-D ` : '';
        ctx.report(s.dimNode && s.dimNode.type !== 'argument_list' ? s.dimNode : s.node, `Softmax over ${keyword(s.api)}=${s.dim} normalises ${rankText}scores over ${what}; the keys are on ${keyword(s.api)}=${key}.`, { anchor: s.node, fix: fixToKey() });
      }
    }
  },
  typescript(ctx) {
    for (const f of ctx.facts) {
      for (const s of f.softmaxes) {
        if (!s.fromScores || s.dim === undefined || s.dim === -1) continue;
        if (s.dim === 0 && s.dimNode) {
          ctx.report(s.dimNode, 'Softmax over dim 0 of Q·Kᵀ scores normalises over queries (or the batch), not over keys (the last axis).', {
            fix: { title: 'Normalise over the last axis', edits: [{ start: s.dimNode.start, end: s.dimNode.end, newText: '-1' }] },
          });
        }
      }
    }
  },
};
