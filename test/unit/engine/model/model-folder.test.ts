// openModelFolder on a good folder and on one broken copy per failure mode. Broken folders are
// generated into a temp directory per test (a tiny real ONNX model + the byte-level fixture
// tokenizer), so nothing large is committed.
import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledModelDir, BUNDLED_MODEL_NAME } from '../../../../src/engine/model/bundled-model';
import { openModelFolder, type OpenModelFolderOptions } from '../../../../src/engine/model/model-folder';
import { ModelFolderError, type ModelFolderErrorCode } from '../../../../src/engine/model/model-folder-error';
import type { ModelProto } from '../../../../src/engine/onnx/proto';
import { tinyOnnxModel, type TinyModelOptions } from './tiny-onnx-model';

const REPO = join(__dirname, '..', '..', '..', '..');
const BYTE_BPE = join(REPO, 'test', 'fixtures', 'tokenizers', 'byte-bpe', 'tokenizer.json');
/** Ids the byte-bpe fixture can emit: 256 bytes + 600 merges + <|endoftext|>. */
const BPE_IDS = 857;

let root: string;
let counter = 0;

function folder(model: TinyModelOptions | null, extra: Record<string, string | Uint8Array> = {}, tokenizer: string | null = BYTE_BPE): string {
  const dir = join(root, `m${counter++}`);
  mkdirSync(dir);
  if (model) {
    const built = tinyOnnxModel(model);
    writeFileSync(join(dir, 'model.onnx'), built.bytes);
    if (built.external && model.externalEmbeddingFile) writeFileSync(join(dir, model.externalEmbeddingFile), built.external);
  }
  if (tokenizer) copyFileSync(tokenizer, join(dir, 'tokenizer.json'));
  for (const [name, content] of Object.entries(extra)) writeFileSync(join(dir, name), content);
  return dir;
}

async function expectError(dir: string, code: ModelFolderErrorCode, file: string, message: RegExp, options?: OpenModelFolderOptions) {
  await assert.rejects(openModelFolder(dir, options), (e: unknown) => {
    assert.ok(e instanceof ModelFolderError, `expected a ModelFolderError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.file, file);
    assert.match(e.message, message);
    // One clear message that names the file, and a fix.
    assert.ok(e.message.includes(file), `the message does not name ${file}: ${e.message}`);
    assert.ok(e.fix.length > 10, 'no fix given');
    assert.match(e.describe(), / Fix: /);
    return true;
  });
}

/** The attention check the graph-surgery module plugs in; here: "is there a Softmax?". */
const softmaxCheck = (model: ModelProto) =>
  model.graph?.node.some((n) => n.op_type === 'Softmax') ? undefined : 'the graph has no Softmax node';

describe('openModelFolder', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'model-folders-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('opens a good folder: model, tokenizer, embedding found by structure', async () => {
    const dir = folder({ rows: BPE_IDS }, { 'inspector.json': JSON.stringify({ name: 'tiny', causal: true, attentionOutputs: ['probs'], extra: 1 }) });
    const f = await openModelFolder(dir, { findAttentionProblem: softmaxCheck });
    assert.equal(f.name, 'tiny');
    assert.equal(f.idsInput, 'input_ids');
    assert.deepEqual(f.embedding, { initializer: 'wte.weight', rows: BPE_IDS, width: 8 });
    assert.equal(f.tokenizer.vocabSize, BPE_IDS);
    assert.equal(f.hasExternalData, false);
    assert.equal(f.model.graph?.node.length, 5);
    assert.deepEqual(f.notes, ['inspector.json: fields not used by this version: extra']);
  });

  it('says when the pure-JS tokenizer is used', async () => {
    const f = await openModelFolder(folder({ rows: BPE_IDS }), { tokenizer: { backend: 'js' } });
    assert.equal(f.tokenizer.backendName, 'js');
    assert.match(f.notes.join('\n'), /using the pure-JavaScript tokenizer with recovered offsets/);
  });

  it('names the folder after the directory without inspector.json', async () => {
    const dir = folder({ rows: BPE_IDS });
    const f = await openModelFolder(dir);
    assert.equal(f.name, dir.split(/[\\/]/).pop());
    assert.equal(f.manifest, undefined);
  });

  it('missing folder, and a file given as folder', async () => {
    const missing = join(root, 'does-not-exist');
    await expectError(missing, 'folder-missing', missing, /does not exist/);
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await expectError(file, 'folder-missing', file, /is a file, not a model folder/);
  });

  it('missing model.onnx (and a hint when another .onnx file is there)', async () => {
    const dir = folder(null);
    await expectError(dir, 'model-missing', join(dir, 'model.onnx'), /model\.onnx is missing\.$/);
    const other = folder(null, { 'decoder_model.onnx': tinyOnnxModel({ rows: BPE_IDS }).bytes });
    await assert.rejects(openModelFolder(other), (e: ModelFolderError) => e.code === 'model-missing' && /rename decoder_model\.onnx/.test(e.fix));
  });

  it('missing tokenizer.json (and a hint for vocab.txt)', async () => {
    const dir = folder({ rows: BPE_IDS }, {}, null);
    await expectError(dir, 'tokenizer-missing', join(dir, 'tokenizer.json'), /tokenizer\.json is missing\.$/);
    const old = folder({ rows: BPE_IDS }, { 'vocab.txt': '[PAD]\n[UNK]\n' }, null);
    await assert.rejects(openModelFolder(old), (e: ModelFolderError) => e.code === 'tokenizer-missing' && /save_pretrained/.test(e.fix));
  });

  it('invalid tokenizer.json', async () => {
    const dir = folder({ rows: BPE_IDS }, { 'tokenizer.json': '{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [' }, null);
    await expectError(dir, 'tokenizer-invalid', join(dir, 'tokenizer.json'), /not valid JSON/);
    const wrong = folder({ rows: BPE_IDS }, { 'tokenizer.json': '{"model": {"type": "Nonsense", "vocab": {}}}' }, null);
    await expectError(wrong, 'tokenizer-invalid', join(wrong, 'tokenizer.json'), /not a tokenizer the Hugging Face tokenizers library accepts/);
  });

  it('truncated, empty and non-ONNX model files', async () => {
    const good = tinyOnnxModel({ rows: BPE_IDS }).bytes;
    const cut = folder(null, { 'model.onnx': good.subarray(0, Math.floor(good.length / 2)) });
    await expectError(cut, 'model-corrupt', join(cut, 'model.onnx'), /truncated or corrupt/);
    const empty = folder(null, { 'model.onnx': new Uint8Array(0) });
    await expectError(empty, 'model-corrupt', join(empty, 'model.onnx'), /is empty/);
    const text = folder(null, { 'model.onnx': 'this is not a model, just some text that happens to be here\n' });
    await expectError(text, 'model-corrupt', join(text, 'model.onnx'), /(truncated or corrupt|does not look like an ONNX model)/);
  });

  it('tokenizer vocabulary larger than the embedding', async () => {
    const dir = folder({ rows: 500 });
    await expectError(dir, 'vocab-larger-than-embedding', join(dir, 'tokenizer.json'), /857 token ids but the token embedding 'wte\.weight' of model\.onnx has only 500 rows/);
  });

  it('tokenizer vocabulary smaller than the embedding, unless declared padding', async () => {
    const dir = folder({ rows: 2000 });
    await expectError(dir, 'vocab-smaller-than-embedding', join(dir, 'tokenizer.json'), /857 token ids but .* has 2000 rows/);
    const padded = folder({ rows: 2000 }, { 'inspector.json': JSON.stringify({ embeddingRowsPadded: true }) });
    const f = await openModelFolder(padded);
    assert.deepEqual(f.notes, ['the embedding has 1143 more rows than the tokenizer has ids (padding)']);
  });

  it('accepts an embedding padded to a multiple of 64 within 2%', async () => {
    // A word-level tokenizer with 1004 ids against 1024 rows (20 extra rows, under 2% of 1024).
    const vocab: Record<string, number> = { '[UNK]': 0 };
    for (let i = 1; i < 1004; i++) vocab[`w${i}`] = i;
    const tok = JSON.stringify({ model: { type: 'WordLevel', vocab, unk_token: '[UNK]' }, pre_tokenizer: { type: 'Whitespace' } });
    const dir = folder({ rows: 1024 }, { 'tokenizer.json': tok }, null);
    const f = await openModelFolder(dir);
    assert.equal(f.tokenizer.vocabSize, 1004);
    assert.match(f.notes.join('\n'), /20 more rows/);
    const far = folder({ rows: 1088 }, { 'tokenizer.json': tok }, null);
    await expectError(far, 'vocab-smaller-than-embedding', join(far, 'tokenizer.json'), /1004 token ids/);
  });

  it('invalid inspector.json: JSON, field types, names the model or tokenizer lacks', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'inspector.json': '{"heads": 8,' }, /is not valid JSON/],
      [{ 'inspector.json': JSON.stringify({ heads: '8' }) }, /"heads" must be a positive integer \(got "8"\)/],
      [{ 'inspector.json': JSON.stringify({ positionEmbedding: 'alibi' }) }, /"positionEmbedding" must be one of "learned", "rope", "none"/],
      [{ 'inspector.json': JSON.stringify({ layers: 2, attentionOutputs: ['a'] }) }, /lists 1 outputs for 2 layers/],
      [{ 'inspector.json': JSON.stringify({ attentionOutputs: ['attn_0'] }) }, /names the output 'attn_0', which model\.onnx does not have \(outputs: logits, probs\)/],
      [{ 'inspector.json': JSON.stringify({ inputIds: 'ids' }) }, /"inputIds" names the input 'ids'/],
      [{ 'inspector.json': JSON.stringify({ specialTokens: { bos: '<s>' } }) }, /special token bos = "<s>" is not in tokenizer\.json/],
      [{ 'inspector.json': JSON.stringify({ specialTokens: { start: '<s>' } }) }, /unknown role "start"/],
    ];
    for (const [files, message] of cases) {
      const dir = folder({ rows: BPE_IDS }, files);
      await expectError(dir, 'manifest-invalid', join(dir, 'inspector.json'), message);
    }
    const ok = folder({ rows: BPE_IDS }, { 'inspector.json': JSON.stringify({ specialTokens: { eos: '<|endoftext|>' }, logitsOutput: 'logits' }) });
    assert.equal((await openModelFolder(ok)).manifest?.specialTokens?.eos, '<|endoftext|>');
  });

  it('no attention found: the graph-surgery check decides, unless inspector.json names the outputs', async () => {
    const dir = folder({ rows: BPE_IDS, attention: false });
    await expectError(dir, 'no-attention', join(dir, 'model.onnx'), /No attention found in .*model\.onnx: the graph has no Softmax node/, { findAttentionProblem: softmaxCheck });
    const declared = folder({ rows: BPE_IDS }, { 'inspector.json': JSON.stringify({ attentionOutputs: ['probs'] }) });
    const never = () => 'must not be called when the outputs are declared';
    assert.equal((await openModelFolder(declared, { findAttentionProblem: never })).name, declared.split(/[\\/]/).pop());
  });

  it('external data: present, missing, truncated', async () => {
    const ok = folder({ rows: BPE_IDS, externalEmbeddingFile: 'weights.bin' });
    const f = await openModelFolder(ok);
    assert.equal(f.hasExternalData, true);
    assert.deepEqual(f.embedding, { initializer: 'wte.weight', rows: BPE_IDS, width: 8 });
    assert.match(f.notes.join('\n'), /external data/);

    const missing = folder({ rows: BPE_IDS, externalEmbeddingFile: 'weights.bin' });
    rmSync(join(missing, 'weights.bin'));
    await expectError(missing, 'external-data-missing', join(missing, 'weights.bin'), /weights\.bin is missing: model\.onnx keeps the weights of 'wte\.weight' there/);

    const cut = folder({ rows: BPE_IDS, externalEmbeddingFile: 'weights.bin' });
    writeFileSync(join(cut, 'weights.bin'), new Uint8Array(100));
    await expectError(cut, 'external-data-missing', join(cut, 'weights.bin'), /is 100 bytes but 'wte\.weight' needs bytes 0 to 27424/);
  });

  it('opens the fixture and bundled model folders that exist in the repository', async function () {
    const dirs = ['gpt2-fused', 'gpt2-fused-mha', 'bert-padding', 'llama-rope-gqa', 'enc-dec-cross']
      .map((n) => join(REPO, 'test', 'fixtures', 'models', n))
      .concat([bundledModelDir(REPO)])
      .filter((d) => existsSync(join(d, 'model.onnx')));
    if (dirs.length === 0) this.skip();
    for (const dir of dirs) {
      const f = await openModelFolder(dir);
      assert.ok(f.embedding, `${dir}: no embedding found`);
      assert.equal(f.embedding.rows, f.tokenizer.vocabSize, `${dir}: embedding rows`);
    }
  });

  it('resolves the bundled model folder', () => {
    assert.equal(bundledModelDir('/ext'), join('/ext', 'media', 'models', BUNDLED_MODEL_NAME));
  });
});
