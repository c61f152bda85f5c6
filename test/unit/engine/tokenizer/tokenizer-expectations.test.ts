// Hand-checked expectations on the two fixture tokenizers, for both backends. In byte-bpe.json
// ids 0..255 are the bytes themselves (the generator numbers the byte alphabet in byte order),
// so a byte-sized token's id is its byte value and can be checked against the UTF-8 encoding.
import { strict as assert } from 'node:assert';
import { loadTokenizer } from '../../../../src/engine/tokenizer/load-tokenizer';
import type { TextTokenizer } from '../../../../src/engine/tokenizer/text-tokenizer';
import { BYTE_BPE, WORDPIECE_BERT } from './tokenizer-fixtures';

type Row = [id: number, text: string, start: number, end: number, special: boolean];

async function rows(t: TextTokenizer, text: string, addSpecialTokens = true): Promise<Row[]> {
  return (await t.encode(text, { addSpecialTokens })).map((s) => [s.id, s.text, s.start, s.end, s.special]);
}

for (const backend of ['native', 'js'] as const) {
  describe(`tokenizer expectations (${backend})`, () => {
    let bpe: TextTokenizer;
    let bert: TextTokenizer;
    let emojiHead: number;
    let spaceX: number;
    before(async () => {
      bpe = await loadTokenizer(BYTE_BPE, { backend });
      bert = await loadTokenizer(WORDPIECE_BERT, { backend });
      emojiHead = (await bpe.encode('😀'))[0].id;
      spaceX = (await bpe.encode(' x'))[0].id;
      assert.equal(bpe.idToToken(emojiHead), '\u00f0\u0141'); // bytes F0 9F in the byte alphabet
      assert.equal(bpe.idToToken(spaceX), '\u0120x'); // 'Ġx'
    });

    it('byte-level: an emoji split over three tokens belongs to the first (F0 9F | 98 | 80)', async () => {
      assert.deepEqual(await rows(bpe, 'a😀b'), [
        [0x61, 'a', 0, 1, false],
        [emojiHead, '😀', 1, 3, false],
        [0x98, '', 3, 3, false],
        [0x80, '', 3, 3, false],
        [0x62, 'b', 3, 4, false],
      ]);
    });

    it('byte-level: CRLF and tabs are single-byte tokens with one-unit spans', async () => {
      assert.deepEqual(await rows(bpe, 'a\r\nb\tc'), [
        [0x61, 'a', 0, 1, false],
        [0x0d, '\r', 1, 2, false],
        [0x0a, '\n', 2, 3, false],
        [0x62, 'b', 3, 4, false],
        [0x09, '\t', 4, 5, false],
        [0x63, 'c', 5, 6, false],
      ]);
    });

    it('byte-level: a CJK character (E6 97 A5) and a space-prefixed word', async () => {
      assert.deepEqual(await rows(bpe, '日 x'), [
        [0xe6, '日', 0, 1, false],
        [0x97, '', 1, 1, false],
        [0xa5, '', 1, 1, false],
        [spaceX, ' x', 1, 3, false],
      ]);
    });

    it('byte-level: a combining accent (CC 81) is its own character span', async () => {
      assert.deepEqual(await rows(bpe, 'e\u0301'), [
        [0x65, 'e', 0, 1, false],
        [0xcc, '\u0301', 1, 2, false],
        [0x81, '', 2, 2, false],
      ]);
    });

    it('byte-level: a special token typed in the text keeps its span', async () => {
      const eos = bpe.vocabSize - 1;
      assert.deepEqual(await rows(bpe, 'x<|endoftext|>'), [
        [0x78, 'x', 0, 1, false],
        [eos, '<|endoftext|>', 1, 14, true],
      ]);
    });

    it('byte-level: the empty text has no tokens', async () => {
      assert.deepEqual(await rows(bpe, ''), []);
    });

    it('wordpiece: lowercasing and accent stripping keep the source spans', async () => {
      const cafe = bert.idToToken(432) === 'cafe' ? 432 : -1;
      assert.equal(cafe, 432);
      const r = await rows(bert, 'Café, naïve!');
      assert.deepEqual(r.map(([, text, s, e, sp]) => [text, s, e, sp]), [
        ['[CLS]', 0, 0, true],
        ['Café', 0, 4, false],
        [',', 4, 5, false],
        ['n', 6, 7, false],
        ['a', 7, 8, false],
        ['ï', 8, 9, false],
        ['v', 9, 10, false],
        ['e', 10, 11, false],
        ['!', 11, 12, false], // '!' is not in the vocabulary: [UNK] standing for it
        ['[SEP]', 12, 12, true],
      ]);
      assert.deepEqual(r.map(([id]) => bert.idToToken(id)), ['[CLS]', 'cafe', ',', 'n', '##a', '##i', '##v', '##e', '[UNK]', '[SEP]']);
    });

    it('wordpiece: a decomposed accent is dropped, CJK characters split, whitespace skipped', async () => {
      const r = await rows(bert, 'cafe\u0301 日本\tx');
      assert.deepEqual(r.map(([id, text, s, e]) => [bert.idToToken(id), text, s, e]), [
        ['[CLS]', '[CLS]', 0, 0],
        ['cafe', 'cafe', 0, 4], // U+0301 (index 4) is removed by accent stripping
        ['[UNK]', '日', 6, 7],
        ['[UNK]', '本', 7, 8],
        ['x', 'x', 9, 10],
        ['[SEP]', '[SEP]', 10, 10],
      ]);
    });

    it('wordpiece: an unknown word is one [UNK] over the whole word; CRLF is skipped', async () => {
      const r = await rows(bert, 'ΟΔΟΣ\r\nq');
      assert.deepEqual(r.map(([id, text, s, e]) => [bert.idToToken(id), text, s, e]), [
        ['[CLS]', '[CLS]', 0, 0],
        ['[UNK]', 'ΟΔΟΣ', 0, 4],
        ['q', 'q', 6, 7],
        ['[SEP]', '[SEP]', 7, 7],
      ]);
    });

    it('wordpiece: without special tokens there is no [CLS]/[SEP]; a typed [SEP] keeps its span', async () => {
      const r = await rows(bert, '[SEP] head', false);
      assert.deepEqual(r.map(([id, text, s, e, sp]) => [bert.idToToken(id), text, s, e, sp]), [
        ['[SEP]', '[SEP]', 0, 5, true],
        ['head', 'head', 6, 10, false],
      ]);
    });

    it('wordpiece: the empty text is [CLS] [SEP] with empty spans', async () => {
      assert.deepEqual(await rows(bert, ''), [
        [2, '[CLS]', 0, 0, true],
        [3, '[SEP]', 0, 0, true],
      ]);
    });
  });
}
