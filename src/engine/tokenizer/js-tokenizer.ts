// The fallback backend: `@huggingface/tokenizers`, pure JavaScript, for platforms where the
// native binding has no binary. It gives ids and token strings but no offsets, so spans are
// recovered by aligning the tokens back onto the source (js-offset-alignment.ts).
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import type { TokenSpan } from '../engine-api';
import { codePointToUtf16Table } from './code-point-offsets';
import { AlignmentPlan, recoverOffsets } from './js-offset-alignment';
import type { EncodeOptions, TextTokenizer } from './text-tokenizer';
import { assembleTokenSpans } from './token-spans';
import { idSpaceSize, type TokenizerJson } from './tokenizer-json';

export class JsTextTokenizer implements TextTokenizer {
  readonly backendName = 'js' as const;
  readonly vocabSize: number;
  private readonly plan: AlignmentPlan;

  private constructor(
    readonly file: string,
    private readonly tokenizer: JsTokenizer,
    json: TokenizerJson,
  ) {
    this.vocabSize = idSpaceSize(json);
    this.plan = new AlignmentPlan(json);
  }

  /** `config` is tokenizer_config.json when the folder has one, else {}. */
  static create(file: string, json: TokenizerJson, config: object): JsTextTokenizer {
    return new JsTextTokenizer(file, new JsTokenizer(json, config), json);
  }

  async encode(text: string, options: EncodeOptions = {}): Promise<TokenSpan[]> {
    const addSpecialTokens = options.addSpecialTokens ?? true;
    const encoding = this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens });
    const table = codePointToUtf16Table(text);
    const normalizer = this.tokenizer.normalizer;
    const raw = recoverOffsets(
      this.plan,
      text,
      table,
      { ids: encoding.ids, tokens: encoding.tokens, addSpecialTokens },
      normalizer ? (s) => normalizer.normalize(s) : undefined,
    );
    return assembleTokenSpans(text, table, raw, this.plan.specialIds);
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  async decode(ids: readonly number[]): Promise<string> {
    return this.tokenizer.decode([...ids], { skip_special_tokens: false });
  }
}
