// ATTN019 softmax-no-max-subtraction: exp(x) / sum(exp(x)) overflows once logits exceed ~88
// in float32 (~11 in float16) and returns inf/inf = NaN. Subtract the row maximum first.
import type { HandSoftmaxEvent } from '../analysis/facts';
import type { FixSpec, Rule } from './rule';

function axisValue(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const t = text.replace(/^(dim|axis)\s*=\s*/, '').trim();
  return /^-?\d+$/.test(t) ? t : undefined;
}

function fixFor(e: HandSoftmaxEvent): FixSpec | undefined {
  const expInfo = e.exp.exp;
  if (!expInfo) return undefined;
  const arg = expInfo.argNode;
  if (arg.type !== 'identifier' && arg.type !== 'attribute') return undefined;
  const axis = axisValue(e.axisText);
  const x = arg.text;
  let shifted: string;
  if (e.api === 'torch') {
    if (!axis) return undefined;
    shifted = `${x} - ${x}.amax(dim=${axis}, keepdim=True)`;
  } else if (e.api === 'numpy' || e.api === 'jax') {
    shifted = axis ? `${x} - ${x}.max(axis=${axis}, keepdims=True)` : `${x} - ${x}.max()`;
  } else return undefined;
  // Both exp calls (numerator and the one inside the sum) must use the shifted logits.
  const edits = [{ start: arg.start, end: arg.end, newText: expInfo.argNode.type === 'identifier' && e.api === 'torch' && expInfo.node.text.endsWith('.exp()') ? `(${shifted})` : shifted }];
  const other = e.sum.expSum?.exp.exp;
  if (other && other.node !== expInfo.node && other.argNode.text === arg.text) {
    edits.push({ start: other.argNode.start, end: other.argNode.end, newText: other.node.text.endsWith('.exp()') ? `(${shifted})` : shifted });
  }
  return { title: 'Subtract the row maximum before exp', edits };
}

export const softmaxNoMaxSubtraction: Rule = {
  meta: {
    code: 'ATTN019',
    name: 'softmax-no-max-subtraction',
    severity: 'warning',
    summary: 'Hand-written softmax exp(x)/sum(exp(x)) without subtracting the maximum (overflow → NaN).',
    lesson: 'sdpa-steps',
    languages: ['python', 'typescript'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      for (const e of f.handSoftmax) {
        if (e.stable || !e.exp.exp) continue;
        ctx.report(e.exp.exp.node, 'Hand-written softmax without subtracting the maximum: exp overflows for logits above ~88 (float32) or ~11 (float16) and the weights become NaN. Use exp(x - x.max(axis, keepdims=True)).', { fix: fixFor(e), anchor: e.node });
      }
    }
  },
  typescript(ctx) {
    for (const f of ctx.facts) {
      for (const e of f.exps) {
        if (e.stable || !e.normalised) continue;
        ctx.report(e.node, 'Softmax without subtracting the row maximum: Math.exp overflows for large logits (above ~88 in Float32Array, ~709 in float64) and the weights become NaN. Compute exp(x - max) instead.');
      }
    }
  },
};
