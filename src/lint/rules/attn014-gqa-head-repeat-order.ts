// ATTN014 gqa-head-repeat-order: in grouped-query attention query head h reads KV head
// h // n_rep (HF/Llama convention: repeat_interleave, or expand(b, h_kv, n_rep, …)).
// `.repeat`/`tile` along the head axis, a group axis placed before the KV-head axis, or
// repeat_interleave along the sequence axis pair heads differently — silently.
import type { RepeatEvent } from '../analysis/facts';
import { classifyDimName } from '../analysis/axes';
import { stringContent } from '../analysis/python/py-evaluator';
import type { PyRuleContext, Rule } from './rule';

const GQA_NAMES = /n_rep|num_key_value_groups|n_kv_heads|num_kv_heads|kv_heads|num_key_value_heads|\bn_kv\b|kv_groups|q_per_kv|n_groups|num_groups|\bgroups\b|n_head_kv|h_kv/;
const TILE_CONVENTION = /tile convention|h % n_kv|h mod n_kv|interleaved heads|heads are interleaved/i;

function isKv(e: RepeatEvent): boolean {
  return e.input.role === 'k' || e.input.role === 'v' || /^(k|v|key|value|keys|values|xk|xv|k_|v_)/.test(e.input.node.text);
}

function headAxis(e: RepeatEvent): number | undefined {
  const sh = e.input.shape;
  if (!sh?.full) return undefined;
  const i = sh.axes.indexOf('h');
  return i >= 0 ? i : undefined;
}

function checkRepeat(ctx: PyRuleContext, e: RepeatEvent): void {
  // An expand whose sizes name both the repeat factor and the KV heads is GQA-specific by itself.
  if (!isKv(e) && e.kind !== 'expand') return;
  if (e.kind === 'repeat' || e.kind === 'tile') {
    // .repeat(1, n_rep, 1, 1) / np.tile(k, (1, n_rep, 1, 1))
    const list = e.args.length === 1 && (e.args[0].type === 'tuple' || e.args[0].type === 'list') ? e.args[0].namedChildren : e.args;
    const nonOne = list.map((a, i) => ({ a, i })).filter((x) => x.a.text.trim() !== '1');
    if (nonOne.length !== 1) return;
    const { a, i } = nonOne[0];
    const ha = headAxis(e);
    if (ha !== undefined && ha !== i) return;
    if (ha === undefined && classifyDimName(a.text) !== 'r' && !/rep|group/i.test(a.text)) return;
    const node = e.node;
    const fn = node.child('function');
    let fix;
    if (e.kind === 'repeat' && fn?.type === 'attribute') {
      const attr = fn.child('attribute');
      const args = node.child('arguments');
      if (attr && args) fix = { title: 'Repeat each KV head in place (repeat_interleave)', edits: [{ start: attr.start, end: attr.end, newText: 'repeat_interleave' }, { start: args.start, end: args.end, newText: `(${a.text}, dim=${i})` }] };
    } else if (e.kind === 'tile' && fn && /^(np|jnp|numpy)\.tile$/.test(fn.text)) {
      const args = node.child('arguments');
      const x = args?.namedChildren[0];
      if (args && x) fix = { title: 'Repeat each KV head in place', edits: [{ start: fn.start, end: fn.end, newText: fn.text.replace(/tile$/, 'repeat') }, { start: args.start, end: args.end, newText: `(${x.text}, ${a.text}, axis=${i})` }] };
    }
    ctx.report(node, `\`${e.kind === 'tile' ? 'tile' : '.repeat'}\` copies the whole block of KV heads (h0, h1, h0, h1, …), so query head h reads KV head h % n_kv; the usual GQA convention (and pretrained weights) need h // n_rep: use repeat_interleave.`, { fix });
    return;
  }
  if (e.kind === 'repeat_interleave') {
    const ha = headAxis(e);
    const r = e.input.shape?.full ? e.input.shape.axes.length : undefined;
    if (ha === undefined || e.dim === undefined || r === undefined) return;
    const d = e.dim < 0 ? e.dim + r : e.dim;
    if (d !== ha) {
      const label = e.input.shape?.axes[d];
      ctx.report(e.node, `repeat_interleave along dim=${e.dim}, but the KV heads are on dim=${ha} in this ${e.input.shape?.axes.join('') ?? ''} layout: this repeats ${label === 't' ? 'time steps' : 'the wrong axis'}.`);
    }
    return;
  }
  if (e.kind === 'expand') {
    // x[:, None].expand(b, n_rep, h_kv, t, d): the group axis before the KV-head axis.
    const labels = e.args.map((a) => classifyDimName(a.text));
    const ri = labels.indexOf('r');
    const hi = labels.indexOf('h');
    if (ri >= 0 && hi >= 0 && ri === hi - 1) {
      ctx.report(e.node, 'The repeat axis comes before the KV-head axis in this expand: after the reshape, query head h reads KV head h % n_kv instead of h // n_rep. Expand as (b, n_kv, n_rep, t, d).');
    }
    return;
  }
  if (e.kind === 'einops') {
    const pat = e.args[0];
    if (!pat || pat.type !== 'string') return;
    const text = stringContent(pat);
    const [lhs, rhs] = text.split('->');
    if (!rhs) return;
    const inNames = new Set(lhs.replace(/[()]/g, ' ').split(/\s+/).filter(Boolean));
    for (const m of rhs.matchAll(/\(([^)]*)\)/g)) {
      const names = m[1].trim().split(/\s+/);
      if (names.length !== 2) continue;
      const [first, second] = names;
      if (!inNames.has(first) && inNames.has(second) && classifyDimName(second) === 'h') {
        const inside = pat.text.indexOf(m[0]);
        const start = pat.start + inside;
        ctx.report(pat, `'(${first} ${second})' repeats the whole block of KV heads (tile order): query head h reads KV head h % n_kv. Use '(${second} ${first})' for the grouped (h // n_rep) convention.`, {
          anchor: e.node,
          fix: inside >= 0 ? { title: `Use (${second} ${first})`, edits: [{ start, end: start + m[0].length, newText: `(${second} ${first})` }] } : undefined,
        });
      }
    }
  }
}

export const gqaHeadRepeatOrder: Rule = {
  meta: {
    code: 'ATTN014',
    name: 'gqa-head-repeat-order',
    severity: 'error',
    summary: 'GQA/MQA key/value heads repeated in tile order or along the wrong axis.',
    lesson: 'mha-mqa-gqa',
    languages: ['python'],
  },
  python(ctx) {
    // Cheapest test first: most items repeat no heads at all.
    if (!ctx.facts.some((f) => f.repeats.length > 0)) return;
    const text = ctx.item.text;
    if (!GQA_NAMES.test(text) || TILE_CONVENTION.test(text)) return;
    for (const f of ctx.facts) for (const e of f.repeats) checkRepeat(ctx, e);
  },
};
