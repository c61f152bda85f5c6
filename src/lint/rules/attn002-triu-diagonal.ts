// ATTN002 triu-diagonal: a block mask built with triu (diagonal 0 by default) also blocks
// the diagonal, so every token is hidden from itself and row 0 has no key left (NaN with -inf).
import { causalVerdict, lineageVerdict } from '../analysis/mask-verdict';
import { not } from '../analysis/mask-formula';
import type { MaskBuilder } from '../analysis/values';
import type { SyntaxNode } from '../parser/syntax-node';
import type { FixSpec, Rule } from './rule';
import { closingParen } from './rule-helpers';

function triuFix(b: Extract<MaskBuilder, { kind: 'triu' }>): FixSpec | undefined {
  const node = b.node;
  if (b.diagNode) {
    if (b.diagNode.type === 'keyword_argument' || b.diagNode.text.trim() === '0') return { title: 'Use diagonal=1', edits: [{ start: b.diagNode.start, end: b.diagNode.end, newText: '1' }] };
    return undefined;
  }
  const args = node.child('arguments');
  const close = closingParen(args);
  if (close === undefined || !args) return undefined;
  if (b.api === 'method') return { title: 'Start one above the diagonal', edits: [{ start: close, end: close, newText: args.namedChildren.length ? ', 1' : '1' }] };
  if (b.api === 'triu_indices') return { title: 'Use offset=1', edits: [{ start: close, end: close, newText: ', 1' }] };
  const kw = b.api === 'torch' ? 'diagonal' : 'k';
  return { title: `Use ${kw}=1`, edits: [{ start: close, end: close, newText: `, ${kw}=1` }] };
}

export const triuDiagonal: Rule = {
  meta: {
    code: 'ATTN002',
    name: 'triu-diagonal',
    severity: 'error',
    summary: 'A triu block mask without diagonal=1 hides each token from itself (row 0 becomes NaN).',
    lesson: 'causal-masking',
    languages: ['python', 'typescript'],
  },
  python(ctx) {
    for (const f of ctx.facts) {
      for (const lineage of f.lineages) {
        const parts = lineage.map((u) => u.blocked);
        const v = lineageVerdict(parts);
        if (v.kind !== 'diagonal-blocked') continue;
        let triu: Extract<MaskBuilder, { kind: 'triu' }> | undefined;
        let use = lineage[0];
        for (const u of lineage) {
          const b = u.info?.builders.find((x): x is Extract<MaskBuilder, { kind: 'triu' }> => x.kind === 'triu' && typeof x.diagonal === 'number' && x.diagonal <= 0);
          if (b) {
            triu = b;
            use = u;
            break;
          }
        }
        if (!triu) use = lineage.find((u) => u.blocked && causalVerdict(not(u.blocked)).kind === 'diagonal-blocked') ?? lineage[lineage.length - 1];
        const target: SyntaxNode = triu?.node ?? use.maskNode;
        const message = triu
          ? `\`${shorten(triu.node.text)}\` keeps the diagonal (${triu.api === 'triu_indices' ? 'offset' : 'diagonal'}=0), and it is used as a block mask: every token is blocked from itself and row 0 has no allowed key (NaN with -inf). Use ${triu.api === 'torch' ? 'diagonal=1' : triu.api === 'triu_indices' ? 'offset=1' : triu.api === 'method' ? 'triu(1)' : 'k=1'}.`
          : 'This causal mask also blocks the diagonal: token i cannot attend to itself and row 0 has no allowed key (NaN with -inf).';
        ctx.report(target, message, { anchor: use.maskNode, fix: triu ? triuFix(triu) : undefined });
      }
    }
  },
  typescript(ctx) {
    for (const f of ctx.facts) {
      for (const group of f.maskGroups) {
        if (lineageVerdict(group.map((g) => g.blocked)).kind !== 'diagonal-blocked') continue;
        const m = group.find((g) => g.triuNoDiagonal) ?? group.find((g) => causalVerdict(not(g.blocked)).kind === 'diagonal-blocked') ?? group[0];
        const msg = m.triuNoDiagonal
          ? 'bandPart(x, 0, -1) keeps the diagonal; used as a block mask it hides each token from itself (row 0 has no key left).'
          : `This ${m.how === 'loop-bound' ? 'loop bound' : 'condition'} also excludes the diagonal (key j = query i): each token is blocked from itself and the first row has no key (NaN after softmax).`;
        ctx.report(m.triuNoDiagonal ?? m.node, msg);
      }
    }
  },
};

function shorten(t: string): string {
  return t.length > 50 ? `${t.slice(0, 47)}…` : t;
}
