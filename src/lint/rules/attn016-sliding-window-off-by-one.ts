// ATTN016 sliding-window-off-by-one: window conventions differ ("W keys including self",
// "W previous keys plus self", flash-attn's inclusive window_size=(left, right)). Flags
// window bounds that contradict the stated convention, (W, W) passed to flash-attn in causal
// code, and causal/window masks combined with the wrong operator (& on block masks or | on
// keep masks, which disables both).
import { lineageVerdict, wrongCombination } from '../analysis/mask-verdict';
import { Bound, Formula, allowedDeltas, atoms, lowerBound, not } from '../analysis/mask-formula';
import type { MaskBuilder } from '../analysis/values';
import type { PyRuleContext, Rule, TsRuleContext } from './rule';

type Convention = 'including-self' | 'plus-self';

/** The window convention stated in comments/docstrings, or implied by the name sliding_window (HF). */
export function windowConvention(doc: string, symbol: string): Convention | undefined {
  if (/plus (it)?self|plus the current|and (it)?self\b|and the current (one|token)|\+ ?1 keys|w \+ 1|window \+ 1|preceding \w+ (tokens|keys) and/.test(doc)) return 'plus-self';
  if (/including (it)?self|including the current|incl\.? (it)?self|exactly \w+ keys|(it)?self included|counting (it)?self/.test(doc)) return 'including-self';
  if (/^(self\.)?(config\.)?sliding_window$/.test(symbol)) return 'including-self';
  return undefined;
}

/** Keys a query may see when the allowed offsets are lo ≤ δ ≤ 0 with lo = −W + k: W − k + 1. */
function keysAllowed(lo: Bound): { sym: string; extra: number } | undefined {
  if (!lo.sym || (lo.symSign ?? 1) !== -1) return undefined;
  return { sym: lo.sym, extra: -lo.k + 1 };
}

function checkBand(parts: (Formula | undefined)[], doc: string): string | undefined {
  const v = lineageVerdict(parts);
  if (v.kind !== 'ok' || !v.lo || v.hi.sym || v.hi.k !== 0) return undefined;
  const n = keysAllowed(v.lo);
  if (!n) return undefined;
  const conv = windowConvention(doc, n.sym);
  if (!conv) return undefined;
  const expected = conv === 'including-self' ? 0 : 1;
  if (n.extra === expected) return undefined;
  const count = n.extra === 0 ? n.sym : `${n.sym} ${n.extra > 0 ? '+' : '-'} ${Math.abs(n.extra)}`;
  const want = conv === 'including-self' ? `${n.sym} keys including the current one` : `${n.sym} previous keys plus the current one`;
  return `This window lets each query see ${count} keys, but the stated convention is ${want}: off by ${Math.abs(n.extra - expected)}.`;
}

/** Does this formula carry a symbolic (window) bound? */
function hasWindowAtom(f: Formula | undefined): boolean {
  return !!f && atoms(f).some((a) => a.kind === 'delta' && !!a.bound.sym);
}

function bandOf(allowed: Formula): boolean {
  return !!lowerBound(allowedDeltas(allowed));
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
      for (const lineage of f.lineages) {
        const combo = wrongCombination(lineage);
        if (combo) {
          const op = combo.node.child('operator') ?? combo.node.children.find((c) => c.type === '&' || c.type === '|');
          const other = combo.op === '&' ? '|' : '&';
          ctx.report(combo.node, `These masks are combined with \`${combo.op}\`, which keeps only what ${combo.op === '&' ? 'both masks block' : 'either mask allows'}: as used here the causal/window restriction is lost. Use \`${other}\`.`, {
            anchor: lineage[0].node,
            fix: op && combo.node.type === 'binary_operator' ? { title: `Combine with ${other}`, edits: [{ start: op.start, end: op.end, newText: other }] } : undefined,
          });
          continue;
        }
        const msg = checkBand(lineage.map((u) => u.blocked), f.docText);
        if (!msg) continue;
        const use = lineage.find((u) => u.blocked && hasWindowAtom(u.blocked)) ?? lineage[0];
        const builder = use.info?.builders.find((b: MaskBuilder) => (b.kind === 'compare' && hasWindowAtom(b.set)) || ((b.kind === 'triu' || b.kind === 'tril') && b.diagonal === 'symbolic'));
        ctx.report(builder?.node ?? use.maskNode, msg, { anchor: use.maskNode });
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
        const msg = checkBand(group.map((g) => g.blocked), f.docText);
        if (!msg) continue;
        const m = group.find((g) => bandOf(not(g.blocked)) || hasWindowAtom(g.blocked)) ?? group[0];
        ctx.report(m.node, msg);
      }
    }
  },
};

