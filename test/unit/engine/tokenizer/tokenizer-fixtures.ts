// Which tokenizer.json files the tokenizer tests run on: the two built in test/fixtures/tokenizers,
// plus every tokenizer that ships with a model (the bundled model in media/models, the fixture
// models in test/fixtures/models) once those folders exist.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
export const FIXTURE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'tokenizers');
export const BYTE_BPE = join(FIXTURE_DIR, 'byte-bpe', 'tokenizer.json');
export const WORDPIECE_BERT = join(FIXTURE_DIR, 'wordpiece-bert', 'tokenizer.json');

function modelTokenizers(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => join(dir, name, 'tokenizer.json'))
    .filter((f) => existsSync(f))
    .sort();
}

export function allTokenizerFiles(): string[] {
  return [
    BYTE_BPE,
    WORDPIECE_BERT,
    ...modelTokenizers(join(REPO_ROOT, 'media', 'models')),
    ...modelTokenizers(join(REPO_ROOT, 'test', 'fixtures', 'models')),
  ];
}
