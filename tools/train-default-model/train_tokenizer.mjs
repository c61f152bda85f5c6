// Step 2 of the recipe: train the byte-level BPE tokenizer with the Hugging Face `tokenizers`
// Rust core (npm N-API binding), write tokenizer.json, and encode the corpus to token ids.
//
// usage: node tools/train-default-model/train_tokenizer.mjs --work DIR --out MODEL_DIR [--vocab 4096]
//
// The Node binding only exposes `Tokenizer.train(files)` with the model's default trainer
// (BpeTrainer defaults: 30,000 tokens, alphabet = characters seen). BPE training is greedy — the
// first k merges do not depend on the target vocabulary size — so training once and keeping the
// first merges gives exactly the tokenizer a trainer with a smaller vocab_size would have given.
// We then lay the vocabulary out as: <|endoftext|> = 0, the 256 byte symbols in byte order
// (id = byte + 1, so every byte is representable even if the corpus never contained it), then
// one id per kept merge.
import fs from 'node:fs';
import path from 'node:path';
import tk from 'tokenizers';

const { Tokenizer, BPE, byteLevelPreTokenizer, byteLevelAlphabet } = tk;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback === undefined) throw new Error(`missing --${name}`);
  return fallback;
}
const work = arg('work');
const out = arg('out');
const vocabSize = Number(arg('vocab', '4096'));
const EOT = '<|endoftext|>';

// GPT-2's reversible byte -> printable-character table (printable Latin-1 bytes map to
// themselves, the other 68 bytes to U+0100 onwards, in byte order).
function byteToUnicode() {
  const keep = [];
  for (let b = 0x21; b <= 0x7e; b++) keep.push(b);
  for (let b = 0xa1; b <= 0xac; b++) keep.push(b);
  for (let b = 0xae; b <= 0xff; b++) keep.push(b);
  const table = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + n++);
  return table;
}

function buildTokenizerJson(trained) {
  const bytes = byteToUnicode();
  const alphabet = new Set(byteLevelAlphabet());
  if (bytes.some((c) => !alphabet.has(c)) || alphabet.size !== 256) {
    throw new Error('byte table disagrees with the library byte-level alphabet');
  }
  const vocab = { [EOT]: 0 };
  bytes.forEach((c, b) => { vocab[c] = b + 1; });
  const merges = [];
  for (const [a, b] of trained.model.merges) {
    if (Object.keys(vocab).length >= vocabSize) break;
    if (!(a in vocab) || !(b in vocab)) throw new Error(`merge ${a} ${b} uses an unknown symbol`);
    const merged = a + b;
    if (merged in vocab) continue; // cannot happen with greedy BPE, guarded anyway
    vocab[merged] = Object.keys(vocab).length;
    merges.push([a, b]);
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      { id: 0, content: EOT, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    // The model was trained with <|endoftext|> at position 0 of every sequence (a fixed BOS that
    // the sink heads attend to), so encoding adds it; offsets stay untrimmed so the token spans
    // tile the source text exactly.
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: EOT, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: EOT, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: EOT, type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } },
      ],
      special_tokens: { [EOT]: { id: EOT, ids: [0], tokens: [EOT] } },
    },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null,
      end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab, merges,
    },
  };
}

async function encodeSplit(tokenizer, name) {
  const lines = fs.readFileSync(path.join(work, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean);
  const ids = [];
  const batch = 64;
  for (let i = 0; i < lines.length; i += batch) {
    const texts = lines.slice(i, i + batch).map((l) => JSON.parse(l).text);
    const encs = await tokenizer.encodeBatch(texts, { addSpecialTokens: false });
    for (const e of encs) {
      for (const id of e.getIds()) ids.push(id);
      ids.push(0); // document separator
    }
  }
  const arr = Uint16Array.from(ids);
  fs.writeFileSync(path.join(work, `${name}.bin`), Buffer.from(arr.buffer));
  return { documents: lines.length, tokens: arr.length };
}

async function main() {
  fs.mkdirSync(out, { recursive: true });
  const raw = new Tokenizer(BPE.empty());
  raw.setPreTokenizer(byteLevelPreTokenizer(false, true));
  raw.train([path.join(work, 'train.txt')]);
  const rawPath = path.join(work, 'tokenizer-30k.json');
  raw.save(rawPath, false);
  const json = buildTokenizerJson(JSON.parse(fs.readFileSync(rawPath, 'utf8')));
  const outPath = path.join(out, 'tokenizer.json');
  fs.writeFileSync(outPath, JSON.stringify(json, null, 1) + '\n');

  const tokenizer = Tokenizer.fromFile(outPath);
  if (tokenizer.getVocabSize(true) !== vocabSize) throw new Error(`vocab ${tokenizer.getVocabSize(true)} != ${vocabSize}`);
  // Round trip on code, prose and non-ASCII text: decode(encode(x)) must give x back.
  for (const s of ['def f(x):\n    return x + 1\n', 'The quick brown fox. ', 'naïve café — 日本語 🙂 e\u0301']) {
    const e = await tokenizer.encode(s);
    const back = await tokenizer.decode(e.getIds(), true);
    if (back !== s) throw new Error(`round trip failed: ${JSON.stringify(s)} -> ${JSON.stringify(back)}`);
    if (e.getIds()[0] !== 0) throw new Error('BOS was not added');
  }
  const stats = { vocabSize, merges: json.model.merges.length };
  stats.train = await encodeSplit(tokenizer, 'train');
  stats.validation = await encodeSplit(tokenizer, 'validation');
  const chars = JSON.parse(fs.readFileSync(path.join(work, 'corpus.json'), 'utf8'));
  stats.charsPerToken = +(chars.train.chars / stats.train.tokens).toFixed(3);
  fs.writeFileSync(path.join(work, 'tokens.json'), JSON.stringify(stats, null, 2));
  console.log(JSON.stringify(stats));
}

main().catch((e) => { console.error(e); process.exit(1); });
