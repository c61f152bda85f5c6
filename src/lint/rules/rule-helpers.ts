// Small helpers shared by several rules: expression text for fixes, finding the softmax that
// consumes a score tensor, describing masks in messages.
import type { SyntaxNode } from '../parser/syntax-node';
import type { FunctionFacts, MaskUseEvent, SoftmaxEvent } from '../analysis/facts';
import type { MaskInfo, Val } from '../analysis/values';
import { Bound, boundText } from '../analysis/mask-formula';

/** Identifiers, attributes, calls and subscripts need no parentheses in a suffix expression. */
export function isAtomic(n: SyntaxNode): boolean {
  return ['identifier', 'attribute', 'call', 'subscript', 'parenthesized_expression', 'member_expression', 'call_expression', 'subscript_expression'].includes(n.type);
}

export function wrap(n: SyntaxNode): string {
  return isAtomic(n) ? n.text : `(${n.text})`;
}

/** `m == 0` inverts a boolean or 0/1 mask (works for torch, NumPy and JAX alike). */
export function invertedMaskText(n: SyntaxNode): string {
  return `${wrap(n)} == 0`;
}

/** The softmax event that normalised a score tensor produced at `scoreNode`. */
export function softmaxOf(facts: FunctionFacts, scoreNode: SyntaxNode): SoftmaxEvent | undefined {
  return facts.softmaxes.find((s) => s.input.scores?.node === scoreNode);
}

export function isTorchFile(aliases: Map<string, string>, nodeText: string): boolean {
  if (/\b(np|numpy|jnp|jax)\./.test(nodeText)) return false;
  return [...aliases.values()].some((p) => p.startsWith('torch'));
}

export function describeBuilders(info: MaskInfo | undefined): string {
  if (!info || info.builders.length === 0) return 'the mask';
  const b = info.builders[0];
  const text = b.node.text.length > 60 ? `${b.node.text.slice(0, 57)}…` : b.node.text;
  return `\`${text}\``;
}

export function describeUse(use: MaskUseEvent): string {
  switch (use.via) {
    case 'masked_fill':
      return 'masked_fill fills where the mask is True';
    case 'where-keep':
      return 'where(mask, scores, …) keeps the scores where the mask is True';
    case 'where-block':
      return 'where(mask, …, scores) blocks where the mask is True';
    case 'additive':
      return 'the mask is added to the scores';
    case 'index-assign':
      return 'the scores are overwritten where the condition holds';
    default:
      return 'the mask is applied';
  }
}

export function boundPhrase(b: Bound | undefined): string {
  if (!b) return '';
  return boundText(b);
}

export function isScoresVal(v: Val | undefined): boolean {
  return !!v?.scores;
}

/** Text of a call's argument list end (to insert `, x=y` before the closing parenthesis). */
export function closingParen(args: SyntaxNode | undefined): number | undefined {
  if (!args) return undefined;
  const last = args.children[args.children.length - 1];
  return last && last.type === ')' ? last.start : undefined;
}

export function hasPositionalArgs(args: SyntaxNode | undefined): boolean {
  return !!args && args.namedChildren.length > 0;
}

export function lessonSafe(text: string): string {
  return text.replace(/`/g, "'");
}
