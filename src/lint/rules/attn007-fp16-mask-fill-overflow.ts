// ATTN007 fp16-mask-fill-overflow: -1e9, -1e10 or finfo(float32).min do not fit in float16
// (largest magnitude 65504). PyTorch raises when filling a half tensor; NumPy/JAX silently
// turn the value into -inf (NaN on fully masked rows). Only reported with float16 evidence
// in the file: these constants are fine in float32 and bfloat16.
import type { Rule } from './rule';
import type { FillInfo } from '../analysis/values';

function libraryOf(text: string): 'torch' | 'jnp' | 'np' {
  if (/\bjnp\.|jax\./.test(text)) return 'jnp';
  if (/\bnp\.|numpy\./.test(text)) return 'np';
  return 'torch';
}

export const fp16MaskFillOverflow: Rule = {
  meta: {
    code: 'ATTN007',
    name: 'fp16-mask-fill-overflow',
    severity: 'warning',
    summary: 'A mask fill constant that overflows float16 (-1e9, finfo(float32).min) in float16 code.',
    lesson: 'sdpa-steps',
    languages: ['python'],
  },
  python(ctx) {
    if (!ctx.fp16) return;
    for (const f of ctx.facts) {
      for (const use of f.maskUses) {
        const fill: FillInfo | undefined = use.fill ?? use.info?.fill;
        if (!fill || (fill.kind !== 'neg-large' && fill.kind !== 'finfo-f32')) continue;
        if (use.target.dtype === 'float32' || use.target.dtype === 'bfloat16') continue;
        const lib = libraryOf(use.node.text);
        const targetNode = use.target.node;
        const simple = targetNode.type === 'identifier' || targetNode.type === 'attribute';
        const fixText = simple ? `${lib}.finfo(${targetNode.text}.dtype).min` : undefined;
        const shown = fill.node.text.length > 40 ? 'this constant' : `\`${fill.node.text}\``;
        ctx.report(fill.node, `${shown} does not fit in float16 (max 65504) and this file uses float16 (${ctx.fp16}): masked_fill raises in PyTorch, NumPy/JAX turn it into -inf. Use ${lib}.finfo(<scores>.dtype).min.`, {
          anchor: use.node,
          fix: fixText ? { title: 'Use the dtype’s own minimum', edits: [{ start: fill.node.start, end: fill.node.end, newText: fixText }] } : undefined,
        });
      }
    }
  },
};
