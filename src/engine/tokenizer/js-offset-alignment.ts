// Recovers token offsets for the pure-JS backend, which returns ids and token strings only.
//
// The idea: a tokenizer's tokens, read back as the text they stand for, spell out the
// normalized input in order. So we normalize the source ourselves with alignment
// (aligned-normalizer.ts), turn each token back into its bytes (byte-level alphabet, '##'
// continuation prefix removed, '▁' read as a space, <0xNN> byte-fallback pieces …) and walk
// both sequences together with one cursor. Three things may legitimately not line up and are
// allowed: whitespace in the text that a pre-tokenizer dropped (BERT, Whitespace), a space a
// tokenizer inserted (add_prefix_space, Metaspace's prepended '▁'), and unknown-token
// placeholders ([UNK] stands for one word, or one character outside WordPiece). Anything else
// is a real disagreement and is reported with the token and position. The walk is linear.
import { bytesOfByteLevelToken } from './byte-level-alphabet';
import { utf8Length } from './code-point-offsets';
import { alignedFromSource, isWhiteSpace, joined, normalizeAligned, type AlignedText } from './aligned-normalizer';
import type { RawToken } from './token-spans';
import {
  isByteLevel,
  metaspaceMarker,
  postProcessorSpecialCounts,
  postProcessorSteps,
  preTokenizerSteps,
  specialTokenIds,
  trimsOffsets,
  unknownTokenId,
  type AddedTokenJson,
  type TokenizerJson,
} from './tokenizer-json';

export class OffsetRecoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OffsetRecoveryError';
  }
}

// The JS library's definition of punctuation for BERT pre-tokenization.
const PUNCTUATION = /^[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]$/u;
const BYTE_FALLBACK = /^<0x([0-9A-Fa-f]{2})>$/;
const utf8 = new TextEncoder();

/** Everything about a tokenizer.json the alignment needs, computed once per tokenizer. */
export class AlignmentPlan {
  readonly byteLevel: boolean;
  readonly wordPiece: boolean;
  readonly continuingPrefix: string | undefined;
  readonly endOfWordSuffix: string | undefined;
  readonly byteFallback: boolean;
  /** The character a Metaspace tokenizer writes for a space ('▁'), when it has one. */
  readonly spaceMarker: string | undefined;
  readonly unkId: number | undefined;
  readonly added: ReadonlyMap<number, AddedTokenJson>;
  readonly specialIds: ReadonlySet<number>;
  readonly leadingSpecials: number;
  readonly trailingSpecials: number;
  readonly trim: { enabled: boolean; addPrefixSpace: boolean };
  /** Whether a pre-tokenizer throws whitespace away (BERT, Whitespace …) rather than keeping it in tokens. */
  readonly dropsWhiteSpace: boolean;

  constructor(readonly json: TokenizerJson) {
    const model = json.model;
    this.byteLevel = isByteLevel(json);
    this.wordPiece = model.type === 'WordPiece';
    const prefix = model.continuing_subword_prefix ?? (this.wordPiece ? '##' : undefined);
    this.continuingPrefix = prefix || undefined;
    this.endOfWordSuffix = model.end_of_word_suffix || undefined;
    this.byteFallback = model.byte_fallback === true;
    this.spaceMarker = metaspaceMarker(json);
    this.unkId = unknownTokenId(json);
    this.added = new Map((json.added_tokens ?? []).map((t) => [t.id, t]));
    this.specialIds = specialTokenIds(json);
    const counts = postProcessorSpecialCounts(json);
    this.leadingSpecials = counts.leading;
    this.trailingSpecials = counts.trailing;
    const trimStep = postProcessorSteps(json).find((s) => s.type === 'ByteLevel' || s.type === 'RobertaProcessing');
    this.trim = { enabled: trimsOffsets(json), addPrefixSpace: trimStep?.add_prefix_space === true };
    this.dropsWhiteSpace = preTokenizerSteps(json).some(
      (s) =>
        s.type === 'BertPreTokenizer' || s.type === 'Whitespace' || s.type === 'WhitespaceSplit' ||
        s.type === 'CharDelimiterSplit' || (s.type === 'Split' && s.behavior === 'Removed'),
    );
  }

  /** The bytes a (non-added) token stands for in the normalized text. */
  surfaceBytes(token: string): Uint8Array {
    if (this.byteLevel) {
      const bytes = bytesOfByteLevelToken(token);
      if (bytes) return bytes;
    }
    if (this.byteFallback) {
      const m = BYTE_FALLBACK.exec(token);
      if (m) return Uint8Array.of(parseInt(m[1], 16));
    }
    let s = token;
    if (this.continuingPrefix && s.length > this.continuingPrefix.length && s.startsWith(this.continuingPrefix)) {
      s = s.slice(this.continuingPrefix.length);
    }
    if (this.endOfWordSuffix && s.length > this.endOfWordSuffix.length && s.endsWith(this.endOfWordSuffix)) {
      s = s.slice(0, s.length - this.endOfWordSuffix.length);
    }
    if (this.spaceMarker) s = s.split(this.spaceMarker).join(' ');
    return utf8.encode(s);
  }
}

/** The normalized text as UTF-8 bytes, each byte tagged with the aligned code point it belongs to. */
interface NormalizedBytes {
  bytes: Uint8Array;
  unitOfByte: Int32Array;
  /** First byte of each unit, plus bytes.length at the end. */
  unitByteStart: Int32Array;
  units: AlignedText;
}

function toBytes(units: AlignedText, spaceMarker: string | undefined): NormalizedBytes {
  const n = units.chars.length;
  let total = 0;
  const codes = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const ch = spaceMarker && units.chars[i] === spaceMarker ? ' ' : units.chars[i];
    codes[i] = ch.codePointAt(0) ?? 0;
    total += utf8Length(codes[i]);
  }
  const bytes = new Uint8Array(total);
  const unitOfByte = new Int32Array(total);
  const unitByteStart = new Int32Array(n + 1);
  let at = 0;
  for (let i = 0; i < n; i++) {
    unitByteStart[i] = at;
    const c = codes[i];
    const enc = c === 0x20 ? Uint8Array.of(0x20) : utf8.encode(String.fromCodePoint(c));
    bytes.set(enc, at);
    unitOfByte.fill(i, at, at + enc.length);
    at += enc.length;
  }
  unitByteStart[n] = at;
  return { bytes, unitOfByte, unitByteStart, units };
}

/** Hugging Face's ByteLevel/Roberta offset trimming: leading/trailing spaces leave the offsets. */
function trimRange(token: string, index: number, range: [number, number], addPrefixSpace: boolean): void {
  const isSpace = (ch: string) => ch === '\u0120' || isWhiteSpace(ch);
  const chars = Array.from(token);
  let leading = 0;
  while (leading < chars.length && isSpace(chars[leading])) leading++;
  let trailing = 0;
  while (trailing < chars.length && isSpace(chars[chars.length - 1 - trailing])) trailing++;
  if (leading > 0) {
    const isFirst = index === 0 || range[0] === 0;
    if (isFirst && addPrefixSpace && leading === 1) leading = 0;
    range[0] = Math.min(range[0] + leading, range[1]);
  }
  if (trailing > 0 && range[1] >= trailing) range[1] = Math.max(range[1] - trailing, range[0]);
}

export interface JsEncodingInput {
  ids: readonly number[];
  tokens: readonly string[];
  addSpecialTokens: boolean;
}

/**
 * Code-point ranges of the JS library's tokens in `text`. `libraryNormalize` is the library's
 * own normalizer; our aligned normalization must reproduce it exactly.
 */
export function recoverOffsets(
  plan: AlignmentPlan,
  text: string,
  cpToUtf16: Uint32Array,
  encoding: JsEncodingInput,
  libraryNormalize: ((s: string) => string) | undefined,
): RawToken[] {
  const units = normalizeAligned(alignedFromSource(text), plan.json.normalizer);
  if (libraryNormalize) {
    const expected = libraryNormalize(text);
    if (joined(units) !== expected) {
      throw new OffsetRecoveryError(
        'the JS backend normalizes this text differently from our offset tracking, so token spans cannot be recovered',
      );
    }
  }
  const nb = toBytes(units, plan.spaceMarker);
  const cpCount = cpToUtf16.length - 1;
  const { ids, tokens } = encoding;
  const count = ids.length;
  const out: RawToken[] = new Array(count);

  // Post-processor specials at both ends are not in the text.
  let first = 0;
  let last = count; // exclusive
  if (encoding.addSpecialTokens) {
    const isSpecial = (i: number) => plan.specialIds.has(ids[i]) || plan.added.has(ids[i]);
    while (first < Math.min(plan.leadingSpecials, count) && isSpecial(first)) first++;
    let t = 0;
    while (t < plan.trailingSpecials && last > first && isSpecial(last - 1)) {
      last--;
      t++;
    }
  }
  for (let i = 0; i < count; i++) {
    if (i < first || i >= last) out[i] = { id: ids[i], token: tokens[i], inserted: true, cpStart: 0, cpEnd: 0 };
  }

  let cursor = 0; // byte index into the normalized text
  const nBytes = nb.bytes.length;
  const unitStartAt = (byte: number) => (byte < nBytes ? units.start[nb.unitOfByte[byte]] : cpCount);
  const atWhiteSpace = (byte: number) => byte < nBytes && isWhiteSpace(units.chars[nb.unitOfByte[byte]]);
  const skipUnit = (byte: number) => nb.unitByteStart[nb.unitOfByte[byte] + 1];
  const describe = (i: number) => {
    const where = unitStartAt(cursor);
    const context = text.slice(cpToUtf16[Math.min(where, cpCount)], cpToUtf16[Math.min(where + 12, cpCount)]);
    return `token ${i} ${JSON.stringify(tokens[i])} (id ${ids[i]}) at ${JSON.stringify(context)}`;
  };

  for (let i = first; i < last; i++) {
    const id = ids[i];
    // The unknown token is usually an added special token too, but it stands for text.
    if (plan.unkId !== undefined && id === plan.unkId) {
      if (plan.dropsWhiteSpace) while (atWhiteSpace(cursor)) cursor = skipUnit(cursor);
      if (cursor >= nBytes) throw new OffsetRecoveryError(`the unknown ${describe(i)} has no text left to stand for`);
      const from = cursor;
      const firstChar = units.chars[nb.unitOfByte[cursor]];
      cursor = skipUnit(cursor);
      // In WordPiece an unknown token replaces a whole word: letters up to a space or punctuation.
      if (plan.wordPiece && !PUNCTUATION.test(firstChar)) {
        while (cursor < nBytes) {
          const ch = units.chars[nb.unitOfByte[cursor]];
          if (isWhiteSpace(ch) || PUNCTUATION.test(ch)) break;
          cursor = skipUnit(cursor);
        }
      }
      out[i] = { id, token: tokens[i], inserted: false, cpStart: units.start[nb.unitOfByte[from]], cpEnd: units.end[nb.unitOfByte[cursor - 1]] };
      continue;
    }

    const added = plan.added.get(id);
    if (added) {
      // Added tokens are matched on the raw source text, as the library splits them out first.
      const content = added.content;
      let probe = cursor;
      while (atWhiteSpace(probe)) probe = skipUnit(probe);
      const p = unitStartAt(probe);
      if (text.startsWith(content, cpToUtf16[p])) {
        let s = p;
        let e = p + Array.from(content).length;
        if (added.lstrip) {
          const floor = lastEnd(out, i);
          while (s > floor && isWhiteSpace(text.slice(cpToUtf16[s - 1], cpToUtf16[s]))) s--;
        }
        if (added.rstrip) while (e < cpCount && isWhiteSpace(text.slice(cpToUtf16[e], cpToUtf16[e + 1]))) e++;
        out[i] = { id, token: tokens[i], inserted: false, cpStart: s, cpEnd: e };
        while (cursor < nBytes && unitStartAt(cursor) < e) cursor = skipUnit(cursor);
        continue;
      }
      if (added.special) {
        out[i] = { id, token: tokens[i], inserted: true, cpStart: 0, cpEnd: 0 };
        continue;
      }
      throw new OffsetRecoveryError(`cannot find the added ${describe(i)} in the text`);
    }

    const surface = plan.surfaceBytes(tokens[i]);
    // Whitespace the pre-tokenizer dropped lies between tokens.
    if (plan.dropsWhiteSpace) {
      while (surface.length > 0 && atWhiteSpace(cursor) && nb.bytes[cursor] !== surface[0]) cursor = skipUnit(cursor);
    }
    let firstMatched = -1;
    let lastMatched = -1;
    for (let k = 0; k < surface.length; k++) {
      if (cursor < nBytes && nb.bytes[cursor] === surface[k]) {
        if (firstMatched < 0) firstMatched = cursor;
        lastMatched = cursor;
        cursor++;
      } else if (surface[k] === 0x20) {
        // A space the tokenizer inserted (prefix space / prepended '▁'): it stands for nothing.
      } else {
        throw new OffsetRecoveryError(`${describe(i)} does not spell the next characters of the normalized text`);
      }
    }
    if (firstMatched < 0) {
      const at = unitStartAt(cursor);
      out[i] = { id, token: tokens[i], inserted: false, cpStart: at, cpEnd: at };
    } else {
      out[i] = {
        id,
        token: tokens[i],
        inserted: false,
        cpStart: units.start[nb.unitOfByte[firstMatched]],
        cpEnd: units.end[nb.unitOfByte[lastMatched]],
      };
    }
  }

  if (plan.trim.enabled) {
    for (let i = first; i < last; i++) {
      const range: [number, number] = [out[i].cpStart, out[i].cpEnd];
      trimRange(tokens[i], i - first, range, plan.trim.addPrefixSpace);
      out[i].cpStart = range[0];
      out[i].cpEnd = range[1];
    }
  }
  return out;
}

/** End of the last non-inserted token before index i (0 when none). */
function lastEnd(out: RawToken[], i: number): number {
  for (let k = i - 1; k >= 0; k--) if (out[k] && !out[k].inserted) return out[k].cpEnd;
  return 0;
}
