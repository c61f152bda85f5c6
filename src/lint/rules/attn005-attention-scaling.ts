// ATTN005 attention-scaling: logits must be divided by √(head dimension) exactly once.
// Catches a missing scale, 1/d instead of 1/√d, √d_model instead of √d_head in multi-head
// layers, multiplying by √d, and scaling twice (q folded and scores again, or SDPA on a
// pre-scaled q).
import type { ScoreInfo, ScaleExpr } from '../analysis/values';
import type { FunctionFacts } from '../analysis/facts';
import type { SyntaxNode } from '../parser/syntax-node';
import type { PyRuleContext, Rule } from './rule';
import { isAtomic, wrap } from './rule-helpers';

/** Comments that explain a deliberate choice (T5 folds the scale into the init, µP uses 1/d). */
const ESCAPE = /\bt5\b|no scal|unscaled|without scal|not scaled|scale is folded|folded into|\bmup\b|µp|μp|1\/d\b|muP|temperature|soft-?cap|tanh/i;

function exponent(expr: ScaleExpr): number {
  return expr.terms.reduce((a, t) => a + t.exp, 0);
}

function checkScores(ctx: PyRuleContext, f: FunctionFacts, sc: ScoreInfo, at: SyntaxNode): void {
  if (sc.scaledByApi) return;
  const factors = sc.factors;
  if (factors.some((x) => x.expr.opaque)) return;
  const terms = factors.flatMap((x) => x.expr.terms.map((t) => ({ ...t, factor: x })));
  if (terms.length === 0) {
    if (factors.some((x) => x.expr.constant !== undefined)) return; // a literal scale: cannot judge
    if (!sc.qkNamed) return;
    const q = sc.q?.node;
    const fix =
      q && (q.type === 'identifier' || q.type === 'attribute') && (sc.api !== 'unknown' || true)
        ? { title: 'Scale by 1/√d_k', edits: [{ start: at.start, end: at.end, newText: `${wrap(at)} * ${q.text}.shape[-1] ** -0.5` }] }
        : undefined;
    ctx.report(at, 'Attention scores are not scaled: softmax(Q·Kᵀ) without the 1/√d_k factor saturates as d_k grows. Multiply the scores (or q) by d_k ** -0.5.', { fix });
    return;
  }
  const e = terms.reduce((a, t) => a + t.exp, 0);
  const last = terms[terms.length - 1];
  const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;
  if (close(e, -0.5)) {
    const model = terms.find((t) => t.cls === 'model');
    if (model) {
      ctx.report(model.node, `Scaled by √${model.name} (the model width) in a multi-head layer: attention logits must be scaled by the per-head width, √(d_model / n_heads).`, { anchor: at });
    }
    return;
  }
  if (close(e, -1)) {
    const single = factors.filter((x) => x.expr.terms.length > 0);
    if (single.length === 1 && single[0].expr.terms.length === 1) {
      const node = single[0].node;
      const t = single[0].expr.terms[0];
      const divisorIsDim = node.text === t.node.text && isAtomic(node);
      ctx.report(node, `Scores are divided by ${t.name} instead of √${t.name}: logits become too flat. Use ${t.name} ** 0.5.`, {
        anchor: at,
        fix: divisorIsDim && close(t.exp, -1) ? { title: `Divide by √${t.name}`, edits: [{ start: node.start, end: node.end, newText: `${wrap(node)} ** 0.5` }] } : undefined,
      });
    } else {
      ctx.report(last.factor.node, 'The 1/√d_k scale is applied twice (for example folded into q and applied to the scores again): logits are divided by d_k.', { anchor: at });
    }
    return;
  }
  if (close(e, 0.5)) {
    ctx.report(last.factor.node, `Scores are multiplied by √${last.name} instead of divided: logits grow with the head width.`, { anchor: at });
    return;
  }
  if (!close(e, 0)) {
    ctx.report(last.factor.node, `Scores are scaled by d^${+e.toFixed(3)}; attention expects d_k^-0.5 (scale q and k by d^-0.25 each, or the scores by d^-0.5 once).`, { anchor: at });
  }
  void f;
}

export const attentionScaling: Rule = {
  meta: {
    code: 'ATTN005',
    name: 'attention-scaling',
    severity: 'warning',
    summary: 'Missing, doubled or wrong 1/√d_k scale on attention logits.',
    lesson: 'why-sqrt-dk',
    languages: ['python', 'typescript'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      if (ESCAPE.test(f.docText)) continue;
      for (const s of f.softmaxes) {
        const sc = s.input.scores;
        if (!sc) continue;
        checkScores(ctx, f, sc, sc.node);
      }
      // SDPA scales by 1/√d_k itself: a q that was already scaled is scaled twice.
      for (const call of f.sdpa) {
        if (call.keywords.has('scale')) continue;
        const q = call.positional[0] as (typeof call.positional)[number] & { prescale?: { expr: ScaleExpr; node: SyntaxNode }[] };
        const pre = q?.prescale?.filter((p) => !p.expr.opaque && p.expr.terms.length > 0);
        if (pre && pre.length && Math.abs(pre.reduce((a, p) => a + exponent(p.expr), 0) + 0.5) < 1e-9) {
          ctx.report(pre[0].node, 'q is already scaled by 1/√d_k and scaled_dot_product_attention scales again by default: pass scale=1.0 or drop the manual scale.', { anchor: call.node });
        }
      }
    }
  },
  typescript(ctx) {
    for (const f of ctx.facts) {
      if (f.hasScale || !f.hasSoftmax || ESCAPE.test(f.docText)) continue;
      for (const d of f.dotLoops) {
        if (d.qkNamed) ctx.report(d.node, 'Dot-product scores are never scaled by 1/√d_k before the softmax: divide each score by Math.sqrt(headDim).');
      }
      for (const m of f.matmuls) {
        if (m.qkNamed && m.softmaxed && !m.scaled) ctx.report(m.node, 'tf.matMul(q, k) scores reach the softmax without the 1/√d_k scale: divide by Math.sqrt(headDim).');
      }
    }
  },
};
