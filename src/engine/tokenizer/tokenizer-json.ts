// The parts of a Hugging Face `tokenizer.json` this adapter reads itself, and helpers that
// answer questions about it (which ids are special, how many specials the post-processor adds
// around a sequence, whether tokens are byte-level). The full format is defined by the Rust
// `tokenizers` crate; we only type the fields we use and keep everything else opaque.

export interface AddedTokenJson {
  id: number;
  content: string;
  special: boolean;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
}

/** A normalizer / pre-tokenizer / post-processor / decoder node: a `type` plus its fields. */
export interface ComponentJson {
  type: string;
  [field: string]: unknown;
}

export interface ModelJson {
  type?: string;
  /** BPE and WordPiece: token → id; Unigram: [piece, score][] (id = index). */
  vocab?: Record<string, number> | [string, number][];
  unk_token?: string | null;
  unk_id?: number | null;
  continuing_subword_prefix?: string | null;
  end_of_word_suffix?: string | null;
  byte_fallback?: boolean;
  [field: string]: unknown;
}

export interface TokenizerJson {
  added_tokens?: AddedTokenJson[];
  normalizer?: ComponentJson | null;
  pre_tokenizer?: ComponentJson | null;
  post_processor?: ComponentJson | null;
  decoder?: ComponentJson | null;
  model: ModelJson;
}

/** Why a tokenizer.json cannot be used; `message` names the problem in one sentence. */
export class TokenizerFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'TokenizerFileError';
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parses and shape-checks a tokenizer.json text; throws TokenizerFileError with the reason. */
export function parseTokenizerJson(text: string, file: string): TokenizerJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TokenizerFileError(file, `${file} is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(raw)) throw new TokenizerFileError(file, `${file} does not hold a JSON object`);
  const model = raw.model;
  if (!isRecord(model)) throw new TokenizerFileError(file, `${file} has no "model" object, so it is not a Hugging Face tokenizer.json`);
  if (model.vocab === undefined) throw new TokenizerFileError(file, `${file} has a "model" without a "vocab"`);
  if (raw.added_tokens !== undefined && !Array.isArray(raw.added_tokens)) {
    throw new TokenizerFileError(file, `${file} has an "added_tokens" field that is not a list`);
  }
  return raw as unknown as TokenizerJson;
}

/** Every (token, id) pair of the model's vocabulary (added tokens not included). */
export function modelVocabEntries(json: TokenizerJson): [string, number][] {
  const v = json.model.vocab;
  if (Array.isArray(v)) return v.map(([piece], i) => [piece, i]);
  return Object.entries(v ?? {});
}

/**
 * One more than the largest id the tokenizer can emit (model vocabulary and added tokens): the
 * number of embedding rows a model needs for this tokenizer.
 */
export function idSpaceSize(json: TokenizerJson): number {
  let max = -1;
  for (const [, id] of modelVocabEntries(json)) if (id > max) max = id;
  for (const t of json.added_tokens ?? []) if (t.id > max) max = t.id;
  return max + 1;
}

/** Id of the unknown-token placeholder ([UNK], <unk>), when the model has one. */
export function unknownTokenId(json: TokenizerJson): number | undefined {
  const model = json.model;
  if (typeof model.unk_id === 'number') return model.unk_id;
  if (!model.unk_token) return undefined;
  for (const [token, id] of modelVocabEntries(json)) if (token === model.unk_token) return id;
  return (json.added_tokens ?? []).find((t) => t.content === model.unk_token)?.id;
}

/**
 * Ids of the control tokens (BOS, EOS, [CLS], [SEP], padding, mask …). The unknown token is left
 * out even when it is declared special: in an encoding it stands for real text.
 */
export function specialTokenIds(json: TokenizerJson): Set<number> {
  const ids = new Set((json.added_tokens ?? []).filter((t) => t.special).map((t) => t.id));
  const unk = unknownTokenId(json);
  if (unk !== undefined) ids.delete(unk);
  return ids;
}

function componentsOf(node: ComponentJson | null | undefined, listField: string): ComponentJson[] {
  if (!node) return [];
  if (node.type === 'Sequence') {
    const children = node[listField];
    return Array.isArray(children) ? children.flatMap((c) => componentsOf(c as ComponentJson, listField)) : [];
  }
  return [node];
}

export function preTokenizerSteps(json: TokenizerJson): ComponentJson[] {
  return componentsOf(json.pre_tokenizer, 'pretokenizers');
}

export function decoderSteps(json: TokenizerJson): ComponentJson[] {
  return componentsOf(json.decoder, 'decoders');
}

export function postProcessorSteps(json: TokenizerJson): ComponentJson[] {
  return componentsOf(json.post_processor, 'processors');
}

export function normalizerSteps(json: TokenizerJson): ComponentJson[] {
  return componentsOf(json.normalizer, 'normalizers');
}

/** True when token strings are written in the byte-level alphabet (GPT-2, RoBERTa, Llama 3 …). */
export function isByteLevel(json: TokenizerJson): boolean {
  return (
    preTokenizerSteps(json).some((s) => s.type === 'ByteLevel') || decoderSteps(json).some((s) => s.type === 'ByteLevel')
  );
}

/** The character a Metaspace (SentencePiece-style) tokenizer writes for a space, if it is one. */
export function metaspaceMarker(json: TokenizerJson): string | undefined {
  const metaspace = [...preTokenizerSteps(json), ...decoderSteps(json)].find((s) => s.type === 'Metaspace');
  if (metaspace) return String(metaspace.replacement ?? '\u2581');
  const replace = decoderSteps(json).find(
    (s) => s.type === 'Replace' && (s.pattern as { String?: string } | undefined)?.String === '\u2581',
  );
  return replace ? '\u2581' : undefined;
}

/** True when the post-processor trims the spaces a token starts or ends with out of its offsets. */
export function trimsOffsets(json: TokenizerJson): boolean {
  return postProcessorSteps(json).some(
    (s) => (s.type === 'ByteLevel' || s.type === 'RobertaProcessing') && s.trim_offsets === true,
  );
}

/** How many special tokens the post-processor puts before and after a single sequence. */
export function postProcessorSpecialCounts(json: TokenizerJson): { leading: number; trailing: number } {
  let leading = 0;
  let trailing = 0;
  for (const step of postProcessorSteps(json)) {
    if (step.type === 'BertProcessing' || step.type === 'RobertaProcessing') {
      leading += 1;
      trailing += 1;
    } else if (step.type === 'TemplateProcessing') {
      const single = Array.isArray(step.single) ? (step.single as Record<string, unknown>[]) : [];
      const specials = isRecord(step.special_tokens) ? step.special_tokens : {};
      let seenSequence = false;
      for (const piece of single) {
        if (isRecord(piece.Sequence)) {
          seenSequence = true;
          continue;
        }
        const special = isRecord(piece.SpecialToken) ? piece.SpecialToken : undefined;
        if (!special) continue;
        const entry = specials[String(special.id)];
        const n = isRecord(entry) && Array.isArray(entry.ids) ? entry.ids.length : 1;
        if (seenSequence) trailing += n;
        else leading += n;
      }
    }
  }
  return { leading, trailing };
}
