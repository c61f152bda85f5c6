// ATTN016 sliding-window-off-by-one: window conventions differ ("W keys including self",
// "W previous keys plus self", flash-attn's inclusive window_size=(left, right)). Flags
// window bounds that contradict the stated convention, (W, W) passed to flash-attn in causal
// code, and causal/window masks combined with the wrong operator (& on block masks or | on
// keep masks, which disables both).
import { allowedOf, causalVerdict, combinedBlocked } from '../analysis/mask-verdict';
import { allowedDeltas, lowerBound } from '../analysis/mask-formula';
import { Bound, Formula, not } from '../analysis/mask-formula';
import type { MaskUseEvent } from '../analysis/facts';
import type { PyRuleContext, Rule, TsRuleContext } from './rule';

type Convention = 'including-self' | 'plus-self';

/** The window convention stated in comments/docstrings, or implied by the name sliding_window (HF). */
export function windowConvention(doc: string, symbol: string): Convention | undefined {
  if (/plus (it)?self|and (it)?self|\+ ?1 keys|previous \w+ tokens? (and|plus)|preceding|w \+ 1|window \+ 1|before (it|the current)/.test(doc)) return 'plus-self';
  if (/including (it)?self|including the current|incl\.? (it)?self|exactly \w+ keys|\w+ most recent keys?,? (it)?self included|(it)?self included/.test(doc)) return 'including-self';
  if (/^(self\.)?(config\.)?sliding_window$/.test(symbol)) return 'including-self';
  return undefined;
}

/** Does this allowed set have a lower (window) bound? */
function bandOf(allowed: Formula): boolean {
  return !!lowerBound(allowedDeltas(allowed));
}

/** Keys a query may see with lower bound lo (δ ≥ lo) and upper bound 0: −lo + 1. */
function keysAllowed(lo: Bound): { sym: string; extra: number } | undefined {
  if (!lo.sym || (lo.symSign ?? 1) !== -1) return undefined;
  return { sym: lo.sym, extra: -lo.k + 1 };
}

function checkBand(allowed: Formula, doc: string): string | undefined {
  const v = causalVerdict(allowed);
  if (v.kind !== 'ok' || !v.lo) return undefined;
  const n = keysAllowed(v.lo);
  if (!n) return undefined;
  const conv = windowConvention(doc, n.sym);
  if (!conv) return undefined;
  const expected = conv === 'including-self' ? 0 : 1;
  if (n.extra === expected) return undefined;
  const count = n.extra === 0 ? n.sym : `${n.sym} ${n.extra > 0 ? '+' : '-'} ${Math.abs(n.extra)}`;
  const want = conv === 'including-self' ? `${n.sym} keys including the current one` : `${n.sym} previous keys plus the current one (${n.sym} + 1)`;
  return `This window lets each query see ${count} keys, but the stated convention is ${want}: off by ${Math.abs(n.extra - expected)}.`;
}

function combinationProblem(use: MaskUseEvent): { node: import('../parser/syntax-node').SyntaxNode; op: '&' | '|' } | undefined {
  const combos = use.info?.combine ?? [];
  for (const c of combos) {
    const [a, b] = c.parts;
    if (!a?.builders.length || !b?.builders.length) continue;
    // Judge each part alone under the same consumer, then the combination.
    const consumerBlocksTrue = use.via === 'masked_fill' || use.via === 'where-block' || use.via === 'index-assign' || (use.via === 'additive');
    const allowedAlone = (set: Formula): Formula => (consumerBlocksTrue ? not(set) : set);
    const va = causalVerdict(allowedAlone(a.set));
    const vb = causalVerdict(allowedAlone(b.set));
    const whole = allowedOf(use);
    if (!whole) continue;
    const vw = causalVerdict(whole);
    const partRestricts = (v: ReturnType<typeof causalVerdict>): boolean => v.kind === 'ok' || (v.kind === 'future-visible' && !!v.lo);
    if ((partRestricts(va) || partRestricts(vb)) && vw.kind === 'future-visible') return { node: c.node, op: c.op };
  }
  return undefined;
}

function operatorToken(n: import('../parser/syntax-node').SyntaxNode): import('../parser/syntax-node').SyntaxNode | undefined {
  return n.child('operator') ?? n.children.find((c) => c.type === '&' || c.type === '|');
}

export const slidingWindowOffByOne: Rule = {
  meta: {
    code: 'ATTN016',
    name: 'sliding-window-off-by-one',
    severity: 'warning',
    summary: 'Sliding-window bounds off by one, (W, W) windows in causal flash-attn, or masks combined with the wrong operator.',
    lesson: 'sparse-attention',
    languages: ['python', 'typescript'],
  },
  python(ctx: PyRuleContext) {
    for (const f of ctx.facts) {
      for (const use of f.maskUses) {
        const combo = combinationProblem(use);
        if (combo) {
          const op = operatorToken(combo.node);
          const other = combo.op === '&' ? '|' : '&';
          ctx.report(combo.node, `These masks are combined with \`${combo.op}\`, but as used here (${combo.op === '&' ? 'True = blocked' : 'True = keep'}) that keeps only what ${combo.op === '&' ? 'both block' : 'either allows'}: the causal/window restriction is lost. Use \`${other}\`.`, {
            anchor: use.node,
            fix: op ? { title: `Combine with ${other}`, edits: [{ start: op.start, end: op.end, newText: other }] } : undefined,
          });
          continue;
        }
      }
      for (const lineage of f.lineages) {
        const msg = checkBand(not(combinedBlocked(lineage.map((u) => u.blocked))), f.docText);
        if (!msg) continue;
        const use = lineage.find((u) => u.blocked && bandOf(not(u.blocked))) ?? lineage[0];
        ctx.report(use.info?.builders[0]?.node ?? use.maskNode, msg, { anchor: use.maskNode });
      }
      for (const call of f.flashAttn) {
        const ws = call.keywords.get('window_size');
        const causal = call.keywords.get('causal');
        if (!ws || !causal || causal.node.text !== 'True') continue;
        const items = ws.node.type === 'tuple' ? ws.node.namedChildren : [];
        if (items.length === 2 && items[0].text === items[1].text && items[0].text !== '-1') {
          ctx.report(ws.node, `window_size=(${items[0].text}, ${items[1].text}) is inclusive on each side: with causal=True each query sees ${items[0].text} + 1 keys. For ${items[0].text} keys including the current one, pass (${items[0].text} - 1, 0).`, { anchor: call.node });
        }
      }
    }
  },
  typescript(ctx: TsRuleContext) {
    for (const f of ctx.facts) {
      for (const group of f.maskGroups) {
        const msg = checkBand(not(combinedBlocked(group.map((g) => g.blocked))), f.docText);
        if (!msg) continue;
        const m = group.find((g) => bandOf(not(g.blocked))) ?? group[0];
        ctx.report(m.node, msg);
      }
    }
  },
};
