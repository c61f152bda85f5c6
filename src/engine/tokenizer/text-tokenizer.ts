// What the engine needs from a tokenizer: token ids with their spans in the source text as
// UTF-16 offsets (VS Code positions), plus a few vocabulary look-ups. Two backends implement
// it: the Rust `tokenizers` core through its N-API binding ('native', exact offsets) and the
// pure-JavaScript `@huggingface/tokenizers` with offsets recovered by alignment ('js').
import type { TokenSpan } from '../engine-api';

export type TokenizerBackendName = 'native' | 'js';

export interface EncodeOptions {
  /** Add the post-processor's special tokens ([CLS] … [SEP], BOS …). Default true, as in Hugging Face. */
  addSpecialTokens?: boolean;
}

export interface TextTokenizer {
  readonly backendName: TokenizerBackendName;
  /** Absolute path of the tokenizer.json it was loaded from. */
  readonly file: string;
  /**
   * One more than the largest id the tokenizer can emit (model vocabulary plus added tokens):
   * the number of embedding rows a model needs.
   */
  readonly vocabSize: number;
  /**
   * Tokens of `text` in order. For normal tokens `text.slice(start, end) === token.text`; spans
   * are ordered, never overlap and never split a surrogate pair. Special tokens the
   * post-processor inserts have an empty span and their token string as text; control tokens
   * typed literally in the text ('<|endoftext|>') are special with the span of the literal; an
   * unknown-word token ([UNK]) is not special and spans the text it replaced. A byte-level
   * token holding only the trailing bytes of a character another token started gets an empty
   * span at the end of that character (the character belongs to the token with its first byte).
   */
  encode(text: string, options?: EncodeOptions): Promise<TokenSpan[]>;
  /** The token string of an id (as stored in the vocabulary), or undefined when out of range. */
  idToToken(id: number): string | undefined;
  /** The id of a token string (vocabulary or added token), or undefined when it has none. */
  tokenToId(token: string): number | undefined;
  /** Text of a sequence of ids, special tokens included. */
  decode(ids: readonly number[]): Promise<string>;
}
