// ATTN006 missing-key-transpose: scores are Q·Kᵀ over the feature axis. `q @ k` without the
// transpose, `k.transpose(1, 2)` on a 4-D (B, H, T, D) key, `.T` on a batched array (it
// reverses every axis) and a no-op `permute(0, 1, 2)` all contract the wrong axes — often
// silently when the test sizes coincide.
import { rankOf } from '../analysis/axes';
import type { Val } from '../analysis/values';
import type { Rule } from './rule';
import { isTorchFile, wrap } from './rule-helpers';

interface TransposeInfo {
  transposedAll?: import('../parser/syntax-node').SyntaxNode;
  swapInfo?: { node: import('../parser/syntax-node').SyntaxNode; d0: number; d1: number; rank?: number };
}

export const missingKeyTranspose: Rule = {
  meta: {
    code: 'ATTN006',
    name: 'missing-key-transpose',
    severity: 'error',
    summary: 'Q·K computed without transposing K over its last two axes.',
    lesson: 'sdpa-steps',
    languages: ['python', 'typescript'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      for (const s of f.scores) {
        if (s.via !== 'matmul') continue;
        const k = s.k as Val & TransposeInfo;
        const isKey = k.role === 'k' || k.projection?.kind === 'k';
        if (!isKey) continue;
        const torch = s.api === 'torch' || (s.api === 'unknown' && isTorchFile(ctx.file.aliases, s.node.text));
        if (k.transposedAll && s.kNode.contains(k.transposedAll)) {
          const before = (k as Val & { rankBefore?: number }).rankBefore;
          if (before !== undefined && before > 2) {
            const kn = s.kNode;
            const obj = kn.type === 'attribute' ? kn.child('object') : undefined;
            ctx.report(kn, `\`.T\` on a ${before}-D key reverses every axis, not just the last two. Use .swapaxes(-1, -2)${torch ? ' (or .transpose(-2, -1))' : ''}.`, {
              fix: obj ? { title: 'Swap only the last two axes', edits: [{ start: kn.start, end: kn.end, newText: `${wrap(obj)}.swapaxes(-1, -2)` }] } : undefined,
            });
          }
          continue;
        }
        const sh = k.shape;
        if (!sh || sh.axes.length < 2) continue;
        const last = sh.axes[sh.axes.length - 1];
        if (last !== 'd') continue;
        const kn = s.kNode;
        const swap = k.swapInfo;
        if (swap && swap.rank === 4 && kn.contains(swap.node)) {
          const { d0, d1 } = swap;
          const norm = (d: number): number => (d < 0 ? d + 4 : d);
          const pair = [norm(d0), norm(d1)].sort().join(',');
          const args = swap.node.child('arguments');
          ctx.report(swap.node, `transpose(${d0}, ${d1}) on a 4-D (B, H, T, D) key swaps ${pair === '1,2' ? 'heads and time' : 'the wrong axes'}; Q·Kᵀ needs the last two axes swapped: transpose(-2, -1).`, {
            anchor: kn,
            fix: args ? { title: 'Transpose the last two axes', edits: [{ start: args.start, end: args.end, newText: '(-2, -1)' }] } : undefined,
          });
          continue;
        }
        const second = sh.axes[sh.axes.length - 2];
        if (second === 't' || second === 'i' || second === 'j') {
          const rank = rankOf(sh);
          ctx.report(kn, `The key is not transposed: ${rank ? `${rank}-D ` : ''}k has layout (…, T, D), so Q·K contracts features with time. Use Q·Kᵀ (k.transpose(-2, -1)).`, {
            fix: { title: 'Transpose the key', edits: [{ start: kn.start, end: kn.end, newText: torch ? `${wrap(kn)}.transpose(-2, -1)` : `${wrap(kn)}.swapaxes(-1, -2)` }] },
          });
        }
      }
      for (const p of f.permutes) {
        if (p.identity && p.feedsMatmul) ctx.report(p.node, `\`${p.node.text}\` is the identity permutation (a no-op): the matmul uses the tensor untransposed.`);
      }
    }
  },
  typescript(ctx) {
    for (const f of ctx.facts) {
      for (const m of f.matmuls) {
        if (!m.qkNamed || m.transposeB) continue;
        const args = m.argsNode.namedChildren;
        const close = m.argsNode.children[m.argsNode.children.length - 1];
        const fix =
          args.length === 2 && close?.type === ')'
            ? { title: 'Transpose k (transposeB = true)', edits: [{ start: close.start, end: close.start, newText: ', false, true' }] }
            : args.length === 4
              ? { title: 'Transpose k (transposeB = true)', edits: [{ start: args[3].start, end: args[3].end, newText: 'true' }] }
              : undefined;
        ctx.report(m.node, 'tf.matMul(q, k) without transposeB: the scores need Q·Kᵀ (pass false, true as the 3rd and 4th arguments).', { fix });
      }
    }
  },
};
