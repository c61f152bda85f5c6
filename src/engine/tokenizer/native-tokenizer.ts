// The primary backend: the Hugging Face Rust core through the `tokenizers` N-API binding. It
// runs the exact algorithm of HF's Python package on any tokenizer.json and tracks alignments
// through normalization, so its offsets are exact; they are counted in Unicode code points
// (verified on emoji, CJK, combining marks and CRLF with tokenizers 0.23.2), and we convert
// them to UTF-16 with a code-point table built once per text.
import type * as NativeTokenizers from 'tokenizers';
import type { TokenSpan } from '../engine-api';
import { codePointToUtf16Table } from './code-point-offsets';
import type { EncodeOptions, TextTokenizer } from './text-tokenizer';
import { assembleTokenSpans, type RawToken } from './token-spans';
import { idSpaceSize, isByteLevel, metaspaceMarker, specialTokenIds, type TokenizerJson } from './tokenizer-json';

type NativeModule = typeof NativeTokenizers;

/** Loads the binding; throws (with the platform's reason) when no binary fits this platform. */
export function loadNativeBinding(): NativeModule {
  // A plain require keeps the .node file out of any bundle and lets the caller catch the failure.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('tokenizers') as NativeModule;
}

export class NativeTextTokenizer implements TextTokenizer {
  readonly backendName = 'native' as const;
  readonly vocabSize: number;
  private readonly specialIds: ReadonlySet<number>;
  /** How this tokenizer writes a space inside token strings ('Ġ' byte-level, '▁' Metaspace). */
  private readonly spaceMarker: string | undefined;

  private constructor(
    readonly file: string,
    private readonly tokenizer: NativeTokenizers.Tokenizer,
    json: TokenizerJson,
  ) {
    this.vocabSize = idSpaceSize(json);
    this.specialIds = specialTokenIds(json);
    this.spaceMarker = isByteLevel(json) ? '\u0120' : metaspaceMarker(json);
  }

  /** `text` is the tokenizer.json content, `json` its parsed form (already shape-checked). */
  static create(binding: NativeModule, file: string, text: string, json: TokenizerJson): NativeTextTokenizer {
    const tokenizer = binding.Tokenizer.fromString(text);
    // A tokenizer.json may carry truncation or padding settings; the engine wants every token.
    tokenizer.disableTruncation();
    tokenizer.disablePadding();
    return new NativeTextTokenizer(file, tokenizer, json);
  }

  async encode(text: string, options: EncodeOptions = {}): Promise<TokenSpan[]> {
    const encoding = await this.tokenizer.encode(text, null, { addSpecialTokens: options.addSpecialTokens ?? true });
    const ids = encoding.getIds();
    const tokens = encoding.getTokens();
    const offsets = encoding.getOffsets();
    // 1 marks tokens the post-processor inserted; special tokens typed in the text are 0.
    const insertedMask = encoding.getSpecialTokensMask();
    const table = codePointToUtf16Table(text);
    const raw: RawToken[] = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const cpStart = offsets[i][0];
      let cpEnd = offsets[i][1];
      // The Rust core aligns a space it inserted itself (add_prefix_space, Metaspace's prepended
      // '▁') with the first character after it, which the next token covers too. Such a space
      // token stands for nothing in the source.
      if (this.isSpaceOnly(tokens[i]) && i + 1 < ids.length && insertedMask[i + 1] !== 1 && offsets[i + 1][0] < cpEnd) {
        cpEnd = cpStart;
      }
      raw[i] = { id: ids[i], token: tokens[i], inserted: insertedMask[i] === 1, cpStart, cpEnd };
    }
    return assembleTokenSpans(text, table, raw, this.specialIds);
  }

  private isSpaceOnly(token: string): boolean {
    if (token.length === 0) return false;
    for (const ch of token) if (ch !== this.spaceMarker) return false;
    return true;
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.idToToken(id) ?? undefined;
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.tokenToId(token) ?? undefined;
  }

  decode(ids: readonly number[]): Promise<string> {
    return this.tokenizer.decode([...ids], false);
  }
}
