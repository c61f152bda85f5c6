// ATTN013 attn-dropout-in-eval: functional dropout does not know the module's mode.
// F.dropout(x, p) defaults to training=True and SDPA's dropout_p always drops when > 0, so
// after model.eval() attention weights are still dropped: nondeterministic, worse outputs.
import type { DropoutEvent, FunctionFacts } from '../analysis/facts';
import type { PyRuleContext, Rule } from './rule';
import { closingParen } from './rule-helpers';

const MC_DROPOUT = /\bmc\b|mc_dropout|monte|bayes/i;
const TRAINING_PARAMS = ['training', 'train', 'is_training', 'deterministic'];

function trainingFlag(f: FunctionFacts): string | undefined {
  if (f.inModule) return 'self.training';
  return f.params.find((p) => TRAINING_PARAMS.includes(p));
}

function check(ctx: PyRuleContext, f: FunctionFacts, d: DropoutEvent): void {
  const flag = trainingFlag(f);
  if (!flag) return;
  const flagText = flag === 'deterministic' ? 'not deterministic' : flag;
  if (d.kind === 'functional') {
    if (!d.control) {
      const close = closingParen(d.argsNode);
      ctx.report(d.node, `F.dropout defaults to training=True: attention dropout stays on after model.eval(). Pass training=${flagText}.`, {
        fix: close !== undefined ? { title: `Pass training=${flagText}`, edits: [{ start: close, end: close, newText: `, training=${flagText}` }] } : undefined,
      });
      return;
    }
    const t = d.control.text;
    if (t === 'True') {
      ctx.report(d.control, 'Dropout with training=True is applied at inference too.', { anchor: d.node, fix: { title: `Use ${flagText}`, edits: [{ start: d.control.start, end: d.control.end, newText: flagText }] } });
    } else if (!t.includes(flag) && !/train|determin/i.test(t)) {
      ctx.report(d.control, `This dropout ignores \`${flag}\`: it is on regardless of the mode.`, { anchor: d.node });
    }
    return;
  }
  if (d.kind === 'sdpa') {
    const c = d.control;
    if (!c) return;
    const t = c.text.trim();
    if (/^0(\.0*)?$|^0\.$/.test(t)) return;
    if (/train|determin/.test(t)) return;
    // dropout_p given by a variable assigned from a conditional on training
    const assigned = f.env.get(t);
    if (assigned && /train|determin/.test(assigned.node.text)) return;
    const cond = flag === 'deterministic' ? 'not deterministic' : flag;
    ctx.report(c, `scaled_dot_product_attention applies dropout_p whenever it is > 0, in eval mode too. Use \`${t} if ${cond} else 0.0\`.`, {
      anchor: d.node,
      fix: { title: 'Drop only while training', edits: [{ start: c.start, end: c.end, newText: `${c.type === 'conditional_expression' ? `(${t})` : t} if ${cond} else 0.0` }] },
    });
    return;
  }
  // Flax: nn.Dropout(rate)(x, deterministic=…)
  const flaxFlag = f.params.find((p) => TRAINING_PARAMS.includes(p)) ?? 'deterministic';
  const c = d.control;
  if (!c) return;
  if (c.type === 'false' || c.text === 'False') {
    ctx.report(c, 'deterministic=False keeps attention dropout on at inference. Pass the deterministic flag through.', { anchor: d.node });
  } else if (!/determin|train/.test(c.text)) {
    ctx.report(c, `This dropout ignores \`${flaxFlag}\`.`, { anchor: d.node });
  }
}

export const attnDropoutInEval: Rule = {
  meta: {
    code: 'ATTN013',
    name: 'attn-dropout-in-eval',
    severity: 'warning',
    summary: 'Functional attention dropout that stays on at inference (no training=self.training).',
    lesson: 'sdpa-steps',
    languages: ['python'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      if (MC_DROPOUT.test(`${f.name} ${f.className ?? ''} ${f.docText}`)) continue;
      for (const d of f.dropouts) check(ctx, f, d);
    }
  },
};
