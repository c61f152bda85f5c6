// Word-level tokens for the toy lessons (no model needed): runs of letters/digits/underscore,
// and every other visible character on its own. Lessons show a handful of tokens, so the text
// is cut to `max` tokens and the caller is told it was.

export interface ToyTokens {
  tokens: string[];
  truncated: boolean;
}

const WORD_OR_SYMBOL = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

export function toyTokens(text: string, max: number): ToyTokens {
  const all = text.match(WORD_OR_SYMBOL) ?? [];
  return { tokens: all.slice(0, max), truncated: all.length > max };
}
