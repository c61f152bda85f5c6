import { strict as assert } from 'node:assert';
import { BYTE_TO_CHAR, byteOfAlphabetChar, bytesOfByteLevelToken } from '../../../../src/engine/tokenizer/byte-level-alphabet';
import { codePointToUtf16Table } from '../../../../src/engine/tokenizer/code-point-offsets';

describe('tokenizer offset units', () => {
  it('maps code points to UTF-16 offsets across surrogate pairs', () => {
    // a(1 unit) 😀(2 units) b(1) 👍🏽(2+2) — code points: a, 😀, b, 👍, 🏽
    const table = codePointToUtf16Table('a😀b👍🏽');
    assert.deepEqual([...table], [0, 1, 3, 4, 6, 8]);
  });

  it('maps an empty text to a one-entry table', () => {
    assert.deepEqual([...codePointToUtf16Table('')], [0]);
  });

  it('counts a lone surrogate as one code point (the Rust side sees U+FFFD there)', () => {
    assert.deepEqual([...codePointToUtf16Table('a\ud800b')], [0, 1, 2, 3]);
  });

  it('has a byte-level alphabet of 256 distinct characters with GPT-2 anchors', () => {
    assert.equal(new Set(BYTE_TO_CHAR).size, 256);
    assert.equal(BYTE_TO_CHAR[0x20], '\u0120'); // Ġ
    assert.equal(BYTE_TO_CHAR[0x0a], '\u010a'); // Ċ
    assert.equal(BYTE_TO_CHAR[0x41], 'A');
    assert.equal(BYTE_TO_CHAR[0x00], '\u0100');
    assert.equal(BYTE_TO_CHAR[0xad], '\u0143'); // the soft hyphen is the 68th mapped byte
    for (let b = 0; b < 256; b++) assert.equal(byteOfAlphabetChar(BYTE_TO_CHAR[b]), b);
  });

  it('reads a byte-level token back into UTF-8 bytes', () => {
    assert.deepEqual([...(bytesOfByteLevelToken('\u0120hi') ?? [])], [0x20, 0x68, 0x69]);
    // 😀 is F0 9F 98 80
    const emoji = [0xf0, 0x9f, 0x98, 0x80].map((b) => BYTE_TO_CHAR[b]).join('');
    assert.deepEqual([...(bytesOfByteLevelToken(emoji) ?? [])], [0xf0, 0x9f, 0x98, 0x80]);
    assert.equal(bytesOfByteLevelToken('<|endoftext|>\u4e2d'), undefined);
  });
});
