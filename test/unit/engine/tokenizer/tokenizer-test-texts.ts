// The texts every tokenizer test runs on, and the span invariants every backend must keep.
import { strict as assert } from 'node:assert';
import type { TokenSpan } from '../../../../src/engine/engine-api';

export const TEST_TEXTS: Record<string, string> = {
  empty: '',
  prose: 'The attention of a head is a matrix: each row belongs to a query token.',
  code: 'def f(x):\n    return x @ W.T / math.sqrt(d)  # scale\n',
  typescript: 'const y = xs.map((v) => v * 2);\n',
  emoji: 'ok 😀 then 👍🏽 and 🦀!',
  zwj: 'family 👨‍👩‍👧 coder 👩‍💻 flag 🇫🇷',
  cjk: '注意力就是你所需要的一切。日本語 x',
  hangul: '주의가 필요한 전부',
  combining: 'cafe\u0301 café nai\u0308ve e\u0304\u0304o',
  crlf: 'line one\r\nline two\r\n\r\nend',
  tabs: '\tindented\tand\t\ttabbed ',
  spaces: '  two  spaces   three ',
  greek: 'ΟΔΟΣ οδός Σίσυφος',
  special: 'before<|endoftext|>after [CLS] x [SEP]',
  mixed: 'Héllo WORLD, naïve 中文 ΟΔΟΣ 🦀 x\u00a0y\u2003z',
  controls: 'a\u0000b\u200bc\ufeffd',
  devanagari: 'ध्यान ही वह सब है',
};

/** A UTF-16 offset that falls between the two halves of a surrogate pair. */
function splitsSurrogatePair(text: string, offset: number): boolean {
  if (offset <= 0 || offset >= text.length) return false;
  const hi = text.charCodeAt(offset - 1);
  const lo = text.charCodeAt(offset);
  return hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff;
}

/** Invariants every backend and tokenizer must keep (the brief's list). */
export function assertSpanInvariants(text: string, spans: readonly TokenSpan[], label: string): void {
  let prevEnd = 0;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    const where = `${label}: token ${i} ${JSON.stringify(s)}`;
    assert.ok(Number.isInteger(s.start) && Number.isInteger(s.end), `${where}: integer offsets`);
    assert.ok(s.start >= prevEnd, `${where}: starts before the previous token ended (${prevEnd})`);
    assert.ok(s.end >= s.start && s.end <= text.length, `${where}: span out of range`);
    assert.ok(!splitsSurrogatePair(text, s.start) && !splitsSurrogatePair(text, s.end), `${where}: splits a surrogate pair`);
    if (s.special && s.start === s.end) assert.ok(s.text.length > 0, `${where}: special token without its string`);
    else assert.equal(s.text, text.slice(s.start, s.end), `${where}: text is not the source slice`);
    prevEnd = s.end;
  }
}
