// Verdicts on a mask as it reaches the scores: which key offsets stay visible, and whether
// padding keeps valid keys or padded ones. Shared by the causal, triu, SDPA/MHA polarity,
// padding and sliding-window rules.
import type { MaskUseEvent } from './facts';
import { Bound, DeltaSet, FALSE, Formula, allowedDeltas, containsSub, hasDelta, hasOpaque, lowerBound, not, or, paddingVerdict, replaceSub, upperBound, PaddingVerdict } from './mask-formula';

export type CausalVerdict =
  | { kind: 'ok'; hi: Bound; lo?: Bound }
  | { kind: 'future-visible'; hi?: Bound; lo?: Bound; everything: boolean }
  | { kind: 'diagonal-blocked'; hi: Bound; lo?: Bound }
  | { kind: 'nothing-allowed' }
  | { kind: 'undecided' };

/** Causal structure of the allowed pairs, with padding assumed absent. */
export function causalVerdict(allowed: Formula): CausalVerdict {
  if (!hasDelta(allowed) || hasOpaque(allowed)) return { kind: 'undecided' };
  const set: DeltaSet = allowedDeltas(allowed);
  if (set.kind === 'unknown') return { kind: 'undecided' };
  if (set.kind === 'none') return { kind: 'nothing-allowed' };
  if (set.kind === 'all') return { kind: 'future-visible', everything: true };
  const hi = upperBound(set);
  const lo = lowerBound(set);
  if (!hi) return { kind: 'future-visible', lo, everything: !lo };
  if (hi.sym) return { kind: 'ok', hi, lo }; // bottom-right aligned (offset by the cache length)
  if (hi.k > 0) return { kind: 'future-visible', hi, lo, everything: false };
  if (hi.k < 0) return { kind: 'diagonal-blocked', hi, lo };
  return { kind: 'ok', hi, lo };
}

/** Allowed pairs for a mask use, when the blocked set is known. */
export function allowedOf(use: MaskUseEvent): Formula | undefined {
  return use.blocked ? not(use.blocked) : undefined;
}

export function paddingOf(use: MaskUseEvent): PaddingVerdict | undefined {
  const allowed = allowedOf(use);
  return allowed ? paddingVerdict(allowed) : undefined;
}

// ---------------------------------------------------------------------------------------
// Lineages: several masks applied in turn to the same scores act together.

/** Union of blocked sets (a use with no known blocked set blocks nothing we can see). */
export function combinedBlocked(parts: (Formula | undefined)[]): Formula {
  return parts.reduce<Formula>((acc, p) => (p ? (acc === FALSE ? p : or(acc, p)) : acc), FALSE);
}

export function lineageVerdict(parts: (Formula | undefined)[]): CausalVerdict {
  return causalVerdict(not(combinedBlocked(parts)));
}

/**
 * Index of the part whose inversion makes the combination a correct causal mask (that part
 * is the bug), or -1.
 */
export function fixableByInverting(parts: (Formula | undefined)[], accept: (v: CausalVerdict) => boolean): number {
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!p || !hasDelta(p)) continue;
    const alt = parts.map((q, j) => (j === i ? not(p) : q));
    if (accept(lineageVerdict(alt))) return i;
  }
  return -1;
}

/**
 * A mask built with & / | whose operator is the bug: swapping it turns a leaking mask into a
 * correct causal (or causal + window) one. Returns the combination to blame.
 */
export function wrongCombination(lineage: MaskUseEvent[]): { node: import('../parser/syntax-node').SyntaxNode; op: '&' | '|' } | undefined {
  const parts = lineage.map((u) => u.blocked);
  if (lineageVerdict(parts).kind !== 'future-visible') return undefined;
  for (const use of lineage) {
    for (const c of use.info?.combine ?? []) {
      if (!use.blocked || !containsSub(use.blocked, c.formula)) continue;
      if (!hasDelta(c.formula)) continue;
      const swapped: Formula = { op: c.op === '&' ? 'or' : 'and', a: (c.formula as { a: Formula }).a, b: (c.formula as { b: Formula }).b } as Formula;
      const alt = parts.map((p) => (p === use.blocked && p ? replaceSub(p, c.formula, swapped) : p));
      if (lineageVerdict(alt).kind === 'ok') return { node: c.node, op: c.op };
    }
  }
  return undefined;
}
