// Every tokenizer fixture, every test text, both backends: ids and spans checked against the
// Rust core (the same algorithm as Hugging Face's Python package, which is not installable
// here) and between the two backends, plus invariants that do not depend on any backend.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import * as rust from 'tokenizers';
import type { TokenSpan } from '../../../../src/engine/engine-api';
import { bytesOfByteLevelToken } from '../../../../src/engine/tokenizer/byte-level-alphabet';
import { loadTokenizer } from '../../../../src/engine/tokenizer/load-tokenizer';
import type { TextTokenizer } from '../../../../src/engine/tokenizer/text-tokenizer';
import { isByteLevel, parseTokenizerJson, trimsOffsets, type TokenizerJson } from '../../../../src/engine/tokenizer/tokenizer-json';
import { allTokenizerFiles, REPO_ROOT } from './tokenizer-fixtures';
import { assertSpanInvariants, TEST_TEXTS } from './tokenizer-test-texts';

/** UTF-16 offset of code point `cp` in text, the slow obvious way (independent of the adapter). */
function utf16At(text: string, cp: number): number {
  return Array.from(text).slice(0, cp).join('').length;
}

/**
 * For a byte-level tokenizer without normalizer: the spans implied by the token bytes alone.
 * Token i covers bytes [b_i, b_{i+1}) of the UTF-8 text; a character belongs to the token that
 * holds its first byte.
 */
function spansFromBytes(text: string, tokens: readonly TokenSpan[], json: TokenizerJson): [number, number][] {
  const specials = new Set((json.added_tokens ?? []).map((t) => t.content));
  // UTF-16 offset of every character start, keyed by its first byte's index.
  const charStartAtByte = new Map<number, number>();
  let byte = 0;
  let u16 = 0;
  for (const ch of text) {
    charStartAtByte.set(byte, u16);
    byte += Buffer.byteLength(ch, 'utf8');
    u16 += ch.length;
  }
  const out: [number, number][] = [];
  let b = 0;
  let lastEnd = 0;
  for (const t of tokens) {
    if (t.special && t.start === t.end && specials.has(t.text) && !text.includes(t.text)) {
      out.push([lastEnd, lastEnd]);
      continue;
    }
    const content = specials.has(t.text) ? Buffer.from(t.text, 'utf8') : undefined;
    const tokenString = content ? undefined : bytesOfByteLevelToken(idToTokenCache.get(t.id) ?? '');
    const len = content ? content.length : (tokenString?.length ?? 0);
    let start = -1;
    let end = -1;
    for (let k = b; k < b + len; k++) {
      const at = charStartAtByte.get(k);
      if (at === undefined) continue;
      if (start < 0) start = at;
    }
    b += len;
    // The span ends where the first character starting at or after byte b begins.
    let k = b;
    while (k < byte && !charStartAtByte.has(k)) k++;
    end = k >= byte ? text.length : (charStartAtByte.get(k) ?? text.length);
    if (start < 0) start = end = lastEnd;
    out.push([start, end]);
    lastEnd = end;
  }
  assert.equal(b, byte, 'token bytes do not add up to the UTF-8 length of the text');
  return out;
}
const idToTokenCache = new Map<number, string>();

describe('tokenizer backends agree with the Rust core', function () {
  for (const file of allTokenizerFiles()) {
    const name = relative(REPO_ROOT, file);
    describe(name, () => {
      let native: TextTokenizer;
      let js: TextTokenizer;
      let reference: rust.Tokenizer;
      let json: TokenizerJson;
      before(async () => {
        native = await loadTokenizer(file, { backend: 'native' });
        js = await loadTokenizer(file, { backend: 'js' });
        reference = rust.Tokenizer.fromFile(file);
        json = parseTokenizerJson(readFileSync(file, 'utf8'), file);
      });

      for (const [label, text] of Object.entries(TEST_TEXTS)) {
        it(`${label}: ids and spans`, async () => {
          const ours = await native.encode(text);
          const theirs = await reference.encode(text);
          assertSpanInvariants(text, ours, `native ${label}`);
          assert.deepEqual(ours.map((t) => t.id), theirs.getIds(), 'ids differ from the Rust core');

          // Spans against the Rust core's code-point offsets: ours equals Rust's converted to
          // UTF-16 except where Rust gives one character to several byte-level tokens (then ours
          // keeps the character with the first of them) or aligns an inserted token with text.
          const offsets = theirs.getOffsets();
          const mask = theirs.getSpecialTokensMask();
          let prevRustEnd = 0;
          for (let i = 0; i < ours.length; i++) {
            if (mask[i] === 1) {
              assert.equal(ours[i].start, ours[i].end, `inserted special ${i} has a span`);
              continue;
            }
            const rs = utf16At(text, offsets[i][0]);
            const re = utf16At(text, offsets[i][1]);
            if (ours[i].start !== ours[i].end) {
              assert.ok(ours[i].start >= rs && ours[i].end === re, `token ${i}: [${ours[i].start},${ours[i].end}) is not within Rust's [${rs},${re})`);
            }
            if (rs >= prevRustEnd && re > rs) assert.equal(ours[i].start, rs, `token ${i} should start where Rust says`);
            prevRustEnd = Math.max(prevRustEnd, re);
          }

          const fromJs = await js.encode(text);
          assertSpanInvariants(text, fromJs, `js ${label}`);
          assert.deepEqual(fromJs, ours, 'the JS backend disagrees with the native one');
        });
      }

      it('each span, normalized by the Rust normalizer, spells its token', async () => {
        const normalizer = reference.getNormalizer();
        const prefix = json.model.continuing_subword_prefix ?? (json.model.type === 'WordPiece' ? '##' : '');
        const surfaceBytes = (token: string): Buffer => {
          const bytes = isByteLevel(json) ? bytesOfByteLevelToken(token) : undefined;
          let surface = bytes ? Buffer.from(bytes) : Buffer.from(token, 'utf8');
          if (prefix && token.startsWith(prefix) && token.length > prefix.length) surface = Buffer.from(token.slice(prefix.length), 'utf8');
          return surface;
        };
        for (const [label, text] of Object.entries(TEST_TEXTS)) {
          const spans = await native.encode(text, { addSpecialTokens: false });
          for (let i = 0; i < spans.length; i++) {
            const t = spans[i];
            const token = native.idToToken(t.id) ?? '';
            if (t.special || t.start === t.end || token === json.model.unk_token) continue;
            // A character that normalizes or encodes to several pieces may be split over several
            // tokens: the first owns the span, the rest have empty spans; compare them together.
            const group = [surfaceBytes(token)];
            for (let j = i + 1; j < spans.length && spans[j].start === spans[j].end && !spans[j].special; j++) {
              group.push(surfaceBytes(native.idToToken(spans[j].id) ?? ''));
            }
            const surface = Buffer.concat(group).toString('utf8');
            if (surface.includes('\ufffd')) continue; // starts inside a character another token owns
            const normalized = normalizer ? normalizer.normalizeString(t.text) : t.text;
            assert.equal(normalized.trim(), surface.trim(), `${label}: span ${JSON.stringify(t.text)} of token ${JSON.stringify(token)}`);
          }
        }
      });

      it('byte-level: spans follow from the token bytes alone', async function () {
        if (!isByteLevel(json) || json.normalizer) this.skip();
        for (const [label, text] of Object.entries(TEST_TEXTS)) {
          const spans = await native.encode(text, { addSpecialTokens: false });
          for (const t of spans) idToTokenCache.set(t.id, native.idToToken(t.id) ?? '');
          let expected = spansFromBytes(text, spans, json);
          if (trimsOffsets(json)) {
            // trim_offsets: the spaces a token starts or ends with leave its span.
            expected = expected.map(([s0, e0], i) => {
              const token = native.idToToken(spans[i].id) ?? '';
              const lead = token.length - token.replace(/^\u0120+/, '').length;
              const trail = token.length - token.replace(/\u0120+$/, '').length;
              const s1 = Math.min(s0 + lead, e0);
              return [s1, Math.max(e0 - trail, s1)] as [number, number];
            });
            // Empty spans sit where the previous token ended.
            let prev = 0;
            expected = expected.map(([s1, e1]) => {
              if (e1 <= s1) return [prev, prev] as [number, number];
              prev = e1;
              return [s1, e1] as [number, number];
            });
          }
          assert.deepEqual(spans.map((t) => [t.start, t.end]), expected, label);
        }
      });
    });
  }
});
