// Turns per-token code-point ranges (as the Rust core reports them, or as the JS alignment
// recovers them) into the engine's TokenSpan list: UTF-16 offsets, in order, never overlapping.
//
// Why ranges can overlap at all: a byte-level BPE token may hold only some of the UTF-8 bytes
// of a character (an emoji is 4 bytes and often 2 tokens). The Rust core then gives every such
// token the whole character, so neighbouring tokens share it. We give each character to the
// first token that touches it (the one holding its first byte); a later token left with nothing
// of its own gets an empty span where the character ends. Spans therefore only ever fall on
// code-point boundaries, which is what keeps surrogate pairs whole. A token whose range is
// empty is placed where the previous token ended.
import type { TokenSpan } from '../engine-api';

export interface RawToken {
  id: number;
  /** The token string from the vocabulary (used as text for inserted specials). */
  token: string;
  /** Special tokens inserted by the post-processor, not present in the source. */
  inserted: boolean;
  /** Code-point range in the source; ignored when inserted. */
  cpStart: number;
  cpEnd: number;
}

export function assembleTokenSpans(
  text: string,
  cpToUtf16: Uint32Array,
  raw: readonly RawToken[],
  specialIds: ReadonlySet<number>,
): TokenSpan[] {
  const cpCount = cpToUtf16.length - 1;
  const out: TokenSpan[] = new Array(raw.length);
  let frontier = 0; // code point where the previous token ended
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i];
    if (t.inserted) {
      const at = cpToUtf16[frontier];
      out[i] = { id: t.id, text: t.token, start: at, end: at, special: true };
      continue;
    }
    if (t.cpEnd <= t.cpStart) {
      // A token that covers nothing (trimmed away, or standing for an inserted space) sits
      // where the previous one ended, so the order of spans stays the order of tokens.
      const at = cpToUtf16[frontier];
      out[i] = { id: t.id, text: '', start: at, end: at, special: specialIds.has(t.id) };
      continue;
    }
    const s = Math.min(Math.max(t.cpStart, frontier), cpCount);
    const e = Math.min(Math.max(t.cpEnd, s), cpCount);
    frontier = e;
    const start = cpToUtf16[s];
    const end = cpToUtf16[e];
    out[i] = { id: t.id, text: text.slice(start, end), start, end, special: specialIds.has(t.id) };
  }
  return out;
}
