// inspector.json: optional facts about a model that the graph alone does not say (or says
// ambiguously): its name, whether attention is causal, layer/head counts, which inputs and
// outputs are which, special tokens. Written by tools/train-default-model (bundled model),
// tools/make-fixture-models.py (fixtures) and tools/export-hf-model.py (users' models).
// Unknown fields are allowed (newer writers, older readers) and reported as notes.

export type SpecialTokenRole = 'bos' | 'eos' | 'cls' | 'sep' | 'pad' | 'unk' | 'mask';

export interface InspectorManifest {
  name?: string;
  /** Causal (decoder) attention: each token sees only itself and earlier tokens. */
  causal?: boolean;
  /** Architecture family, e.g. 'gpt', 'gpt2', 'bert', 'llama', 'encoder-decoder'. */
  architecture?: string;
  layers?: number;
  heads?: number;
  /** Key/value heads when fewer than query heads (GQA/MQA). */
  kvHeads?: number;
  dModel?: number;
  contextLength?: number;
  vocabSize?: number;
  positionEmbedding?: 'learned' | 'rope' | 'none';
  /** RoPE base (default 10000). */
  ropeTheta?: number;
  activation?: 'gelu' | 'gelu_tanh' | 'relu' | 'silu' | 'swiglu';
  layerNormEpsilon?: number;
  tiedEmbeddings?: boolean;
  /** Graph input holding token ids (default: the first int64 input). */
  inputIds?: string;
  attentionMask?: string;
  encoderInputIds?: string;
  decoderInputIds?: string;
  logitsOutput?: string;
  hiddenOutput?: string;
  /** Graph outputs holding softmax probabilities [batch, heads, q, k], one per layer, in layer order. */
  attentionOutputs?: string[];
  specialTokens?: Partial<Record<SpecialTokenRole, string>>;
  /** The tokenizer's post-processor already puts BOS in front of the text. */
  bosAddedByTokenizer?: boolean;
  decoderStartToken?: string;
  /**
   * The embedding has more rows than the tokenizer has ids on purpose (padding to a round
   * size), so a smaller vocabulary is not an error.
   */
  embeddingRowsPadded?: boolean;
}

type FieldKind = 'string' | 'boolean' | 'positive-integer' | 'positive-number' | 'string-list' | 'special-tokens' | readonly string[];

const FIELDS: Record<keyof InspectorManifest, FieldKind> = {
  name: 'string',
  causal: 'boolean',
  architecture: 'string',
  layers: 'positive-integer',
  heads: 'positive-integer',
  kvHeads: 'positive-integer',
  dModel: 'positive-integer',
  contextLength: 'positive-integer',
  vocabSize: 'positive-integer',
  positionEmbedding: ['learned', 'rope', 'none'],
  ropeTheta: 'positive-number',
  activation: ['gelu', 'gelu_tanh', 'relu', 'silu', 'swiglu'],
  layerNormEpsilon: 'positive-number',
  tiedEmbeddings: 'boolean',
  inputIds: 'string',
  attentionMask: 'string',
  encoderInputIds: 'string',
  decoderInputIds: 'string',
  logitsOutput: 'string',
  hiddenOutput: 'string',
  attentionOutputs: 'string-list',
  specialTokens: 'special-tokens',
  bosAddedByTokenizer: 'boolean',
  decoderStartToken: 'string',
  embeddingRowsPadded: 'boolean',
};

const SPECIAL_ROLES: readonly SpecialTokenRole[] = ['bos', 'eos', 'cls', 'sep', 'pad', 'unk', 'mask'];

function problemWith(value: unknown, kind: FieldKind): string | undefined {
  const got = JSON.stringify(value);
  if (Array.isArray(kind)) return kind.includes(value as string) ? undefined : `must be one of ${kind.map((k) => `"${k}"`).join(', ')} (got ${got})`;
  switch (kind) {
    case 'string':
      return typeof value === 'string' && value.length > 0 ? undefined : `must be a non-empty string (got ${got})`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false (got ${got})`;
    case 'positive-integer':
      return Number.isInteger(value) && (value as number) > 0 ? undefined : `must be a positive integer (got ${got})`;
    case 'positive-number':
      return typeof value === 'number' && value > 0 && Number.isFinite(value) ? undefined : `must be a positive number (got ${got})`;
    case 'string-list':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0)
        ? undefined
        : `must be a list of output names (got ${got})`;
    case 'special-tokens': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return `must be an object like {"bos": "<s>"} (got ${got})`;
      for (const [role, token] of Object.entries(value)) {
        if (!SPECIAL_ROLES.includes(role as SpecialTokenRole)) return `has an unknown role "${role}" (known: ${SPECIAL_ROLES.join(', ')})`;
        if (typeof token !== 'string' || token.length === 0) return `."${role}" must be a token string (got ${JSON.stringify(token)})`;
      }
      return undefined;
    }
  }
  return undefined;
}

export interface ManifestValidation {
  manifest?: InspectorManifest;
  /** The first problem found, phrased as "\"field\" must …"; absent when valid. */
  problem?: string;
  /** Fields this version does not know (kept, not used). */
  unknownFields: string[];
}

/** Checks the shape of a parsed inspector.json. */
export function validateManifest(raw: unknown): ManifestValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { problem: 'must hold a JSON object', unknownFields: [] };
  }
  const unknownFields: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const kind = FIELDS[key as keyof InspectorManifest];
    if (!kind) {
      unknownFields.push(key);
      continue;
    }
    if (value === null) continue; // an explicit null means "not given"
    const problem = problemWith(value, kind);
    if (problem) return { problem: `"${key}" ${problem}`, unknownFields };
  }
  const m = raw as InspectorManifest;
  if (m.heads && m.kvHeads && m.heads % m.kvHeads !== 0) {
    return { problem: `"kvHeads" (${m.kvHeads}) must divide "heads" (${m.heads})`, unknownFields };
  }
  if (m.layers && m.attentionOutputs && m.attentionOutputs.length !== m.layers) {
    return { problem: `"attentionOutputs" lists ${m.attentionOutputs.length} outputs for ${m.layers} layers`, unknownFields };
  }
  return { manifest: m, unknownFields };
}
