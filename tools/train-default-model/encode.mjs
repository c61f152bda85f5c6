// Tokenize texts with a tokenizer.json (npm `tokenizers`, the HF Rust core), for the Python steps
// that need token ids (golden files). stdin: JSON array of strings; stdout: JSON array of
// {ids, tokens, offsets} (offsets as the binding reports them, in code points).
import fs from 'node:fs';
import tk from 'tokenizers';

const tokenizer = tk.Tokenizer.fromFile(process.argv[2]);
const texts = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = [];
for (const t of texts) {
  const e = await tokenizer.encode(t);
  out.push({ ids: e.getIds(), tokens: e.getTokens(), offsets: e.getOffsets() });
}
process.stdout.write(JSON.stringify(out));
