// Loading: backend choice, vocabulary look-ups, decoding, file errors, and a 100k-token input.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer } from '../../../../src/engine/tokenizer/load-tokenizer';
import { TokenizerFileError } from '../../../../src/engine/tokenizer/tokenizer-json';
import { BYTE_BPE, FIXTURE_DIR, WORDPIECE_BERT } from './tokenizer-fixtures';
import { assertSpanInvariants } from './tokenizer-test-texts';

describe('loadTokenizer', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tok-load-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers the native backend when its binary loads', async () => {
    const t = await loadTokenizer(BYTE_BPE);
    assert.equal(t.backendName, 'native');
    assert.equal(t.file, BYTE_BPE);
  });

  for (const backend of ['native', 'js'] as const) {
    it(`${backend}: vocabulary size, id look-up and decoding`, async () => {
      const bpe = await loadTokenizer(BYTE_BPE, { backend });
      const json = JSON.parse(readFileSync(BYTE_BPE, 'utf8')) as { model: { vocab: Record<string, number> } };
      // 256 bytes + merges + <|endoftext|>, ids contiguous from 0.
      assert.equal(bpe.vocabSize, Object.keys(json.model.vocab).length + 1);
      assert.equal(bpe.idToToken(0x20), '\u0120');
      assert.equal(bpe.idToToken(bpe.vocabSize - 1), '<|endoftext|>');
      assert.equal(bpe.idToToken(bpe.vocabSize + 5), undefined);
      const text = 'def f(x):\r\n\treturn "😀 café 日本"';
      const ids = (await bpe.encode(text)).map((t) => t.id);
      assert.equal(await bpe.decode(ids), text);

      const bert = await loadTokenizer(WORDPIECE_BERT, { backend });
      assert.equal(bert.idToToken(2), '[CLS]');
      const bertIds = (await bert.encode('Café head')).map((t) => t.id);
      assert.match(await bert.decode(bertIds), /^\[CLS\] cafe head \[SEP\]$/);
    });

    it(`${backend}: a 100k-token input is encoded with valid spans`, async () => {
      const corpus = readFileSync(join(FIXTURE_DIR, 'corpus.txt'), 'utf8');
      const text = corpus.repeat(90);
      const t = await loadTokenizer(BYTE_BPE, { backend });
      const spans = await t.encode(text);
      assert.ok(spans.length >= 100_000, `only ${spans.length} tokens`);
      assertSpanInvariants(text, spans, `${backend} long`);
      // Byte-level without normalizer: the spans tile the whole text.
      assert.equal(spans.map((s) => s.text).join(''), text);
    });
  }

  it('native and js give identical spans on the 100k-token input', async () => {
    const text = readFileSync(join(FIXTURE_DIR, 'corpus.txt'), 'utf8').repeat(90);
    for (const file of [BYTE_BPE, WORDPIECE_BERT]) {
      const a = await (await loadTokenizer(file, { backend: 'native' })).encode(text);
      const b = await (await loadTokenizer(file, { backend: 'js' })).encode(text);
      assert.equal(a.length, b.length);
      assert.deepEqual(b, a);
    }
  });

  it('reports a missing file, invalid JSON and a JSON that is not a tokenizer', async () => {
    await assert.rejects(loadTokenizer(join(dir, 'nope.json')), (e: unknown) => {
      assert.ok(e instanceof TokenizerFileError);
      assert.match(e.message, /cannot read .*nope\.json: ENOENT/);
      return true;
    });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"model": {"vocab": ');
    await assert.rejects(loadTokenizer(broken), /broken\.json is not valid JSON/);
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"architectures": ["GPT2LMHeadModel"]}');
    await assert.rejects(loadTokenizer(other), /other\.json has no "model" object/);
  });

  it('reports a tokenizer.json the Rust core refuses', async () => {
    const bad = join(dir, 'bad-model.json');
    writeFileSync(bad, JSON.stringify({ model: { type: 'NoSuchModel', vocab: {} } }));
    await assert.rejects(loadTokenizer(bad, { backend: 'native' }), (e: unknown) => {
      assert.ok(e instanceof TokenizerFileError);
      assert.match(e.message, /not a tokenizer the Hugging Face tokenizers library accepts/);
      return true;
    });
  });
});
