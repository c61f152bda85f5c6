// A model folder: model.onnx + tokenizer.json (+ optional inspector.json). openModelFolder
// checks everything a later step would otherwise trip over, in the order a user would fix
// them, and turns each problem into one ModelFolderError naming the file and the fix.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DataLocation, decodeModel, forEachTensor, type ModelProto } from '../onnx/proto';
import { loadTokenizer, nativeTokenizerUnavailableReason, type LoadTokenizerOptions } from '../tokenizer/load-tokenizer';
import type { TextTokenizer } from '../tokenizer/text-tokenizer';
import { TokenizerFileError } from '../tokenizer/tokenizer-json';
import { validateManifest, type InspectorManifest } from './inspector-manifest';
import { ModelFolderError } from './model-folder-error';
import { findTokenEmbedding, tokenIdsInput, type TokenEmbedding } from './token-embedding';

export const MODEL_FILE = 'model.onnx';
export const TOKENIZER_FILE = 'tokenizer.json';
export const MANIFEST_FILE = 'inspector.json';

export interface ModelFolder {
  dir: string;
  /** inspector.json's name, else the folder name. */
  name: string;
  modelFile: string;
  tokenizerFile: string;
  manifestFile?: string;
  manifest?: InspectorManifest;
  /** The file's bytes, for creating an ONNX Runtime session without reading it again. */
  modelBytes: Uint8Array;
  /** The decoded graph; external data is checked but not loaded (see loadExternalData). */
  model: ModelProto;
  hasExternalData: boolean;
  tokenizer: TextTokenizer;
  /** Graph input holding the token ids. */
  idsInput?: string;
  embedding?: TokenEmbedding;
  /** Things worth telling the user that are not errors. */
  notes: string[];
}

export interface OpenModelFolderOptions {
  tokenizer?: LoadTokenizerOptions;
  /**
   * Looks for attention probabilities in the graph (the graph-surgery module provides it);
   * returns why none were found, or undefined when they were. Skipped when inspector.json
   * names the attention outputs and the graph has them.
   */
  findAttentionProblem?: (model: ModelProto, manifest: InspectorManifest | undefined) => string | undefined;
}

const RE_EXPORT = 'export the model again (tools/export-hf-model.py writes a complete folder), or copy the file again if it was cut short';

/** Gap allowed between a smaller vocabulary and an embedding padded to a round size (fraction of rows). */
const PADDING_TOLERANCE = 0.02;

export async function openModelFolder(dirPath: string, options: OpenModelFolderOptions = {}): Promise<ModelFolder> {
  const dir = resolve(dirPath);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ModelFolderError(
      'folder-missing',
      dir,
      existsSync(dir) ? `${dir} is a file, not a model folder.` : `The model folder ${dir} does not exist.`,
      'choose a folder that holds model.onnx and tokenizer.json (attentionInspector.modelPath, or --model for the CLI).',
    );
  }
  const modelFile = join(dir, MODEL_FILE);
  const tokenizerFile = join(dir, TOKENIZER_FILE);
  const manifestPath = join(dir, MANIFEST_FILE);
  const files = readdirSync(dir);

  if (!existsSync(modelFile)) {
    const others = files.filter((f) => f.endsWith('.onnx'));
    throw new ModelFolderError(
      'model-missing',
      modelFile,
      `${modelFile} is missing${others.length ? ` (the folder has ${others.join(', ')})` : ''}.`,
      others.length === 1
        ? `rename ${others[0]} to ${MODEL_FILE}.`
        : `put the exported ONNX model in the folder as ${MODEL_FILE} (tools/export-hf-model.py writes it).`,
    );
  }
  if (!existsSync(tokenizerFile)) {
    const hint = files.find((f) => f === 'vocab.txt' || f === 'tokenizer.model' || f === 'vocab.json');
    throw new ModelFolderError(
      'tokenizer-missing',
      tokenizerFile,
      `${tokenizerFile} is missing${hint ? ` (the folder has ${hint}, an older tokenizer format)` : ''}.`,
      hint
        ? `convert it with transformers: AutoTokenizer.from_pretrained(...).save_pretrained(folder) writes ${TOKENIZER_FILE}.`
        : `copy the model's ${TOKENIZER_FILE} (the Hugging Face fast-tokenizer file) into the folder.`,
    );
  }

  // inspector.json (optional)
  let manifest: InspectorManifest | undefined;
  const notes: string[] = [];
  if (existsSync(manifestPath)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch (e) {
      throw new ModelFolderError('manifest-invalid', manifestPath, `${manifestPath} is not valid JSON (${(e as Error).message}).`,
        `correct the JSON, or delete ${MANIFEST_FILE} to let the extension read everything from the model.`);
    }
    const v = validateManifest(raw);
    if (!v.manifest) {
      throw new ModelFolderError('manifest-invalid', manifestPath, `${manifestPath}: ${v.problem}.`,
        `correct that field, or delete ${MANIFEST_FILE} to let the extension read everything from the model.`);
    }
    manifest = v.manifest;
    if (v.unknownFields.length) notes.push(`${MANIFEST_FILE}: fields not used by this version: ${v.unknownFields.join(', ')}`);
  }

  // model.onnx
  let modelBytes: Uint8Array;
  try {
    modelBytes = readFileSync(modelFile);
  } catch (e) {
    throw new ModelFolderError('model-unreadable', modelFile, `${modelFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
      'check the file permissions.');
  }
  const model = decodeOnnx(modelFile, modelBytes);
  const graph = model.graph;
  if (!graph) throw new ModelFolderError('model-corrupt', modelFile, `${modelFile} holds no graph.`, RE_EXPORT + '.');

  let hasExternalData = false;
  forEachTensor(model, (t) => {
    if (t.data_location !== DataLocation.EXTERNAL) return;
    hasExternalData = true;
    checkExternalData(dir, modelFile, t.name ?? '(unnamed)', t.external_data);
  });
  if (hasExternalData) notes.push(`${MODEL_FILE} keeps its weights in external data files beside it`);

  // tokenizer.json
  let tokenizer: TextTokenizer;
  try {
    tokenizer = await loadTokenizer(tokenizerFile, options.tokenizer);
  } catch (e) {
    if (e instanceof TokenizerFileError) {
      throw new ModelFolderError('tokenizer-invalid', tokenizerFile, `${e.message}.`,
        `replace it with the model's own ${TOKENIZER_FILE} (save it with tokenizer.save_pretrained in transformers).`);
    }
    throw e;
  }

  if (tokenizer.backendName === 'js') {
    notes.push(`tokenizer: ${nativeTokenizerUnavailableReason() ?? 'the native binding was not used'}; using the pure-JavaScript tokenizer with recovered offsets`);
  }

  // inspector.json against the graph and the tokenizer
  const inputs = new Set(graph.input.map((i) => i.name ?? ''));
  const outputs = new Set(graph.output.map((o) => o.name ?? ''));
  if (manifest) {
    for (const key of ['inputIds', 'attentionMask', 'encoderInputIds', 'decoderInputIds'] as const) {
      const name = manifest[key];
      if (name && !inputs.has(name)) {
        throw new ModelFolderError('manifest-invalid', manifestPath,
          `${manifestPath}: "${key}" names the input '${name}', which ${MODEL_FILE} does not have (inputs: ${[...inputs].join(', ')}).`,
          `set "${key}" to one of the model's inputs, or remove it.`);
      }
    }
    for (const name of [manifest.logitsOutput, manifest.hiddenOutput, ...(manifest.attentionOutputs ?? [])]) {
      if (name && !outputs.has(name)) {
        throw new ModelFolderError('manifest-invalid', manifestPath,
          `${manifestPath} names the output '${name}', which ${MODEL_FILE} does not have (outputs: ${[...outputs].join(', ')}).`,
          'correct the output names, or remove them to let the extension find attention in the graph.');
      }
    }
    for (const [role, token] of Object.entries(manifest.specialTokens ?? {})) {
      if (token !== undefined && !isInVocabulary(tokenizer, token)) {
        throw new ModelFolderError('manifest-invalid', manifestPath,
          `${manifestPath}: the special token ${role} = "${token}" is not in ${TOKENIZER_FILE}.`,
          `use the token string exactly as ${TOKENIZER_FILE} spells it, or remove it.`);
      }
    }
  }

  // vocabulary against the embedding
  const idsInput = tokenIdsInput(graph, manifest?.inputIds ?? manifest?.decoderInputIds);
  const embedding = idsInput ? findTokenEmbedding(graph, idsInput) : undefined;
  if (!embedding) {
    notes.push('no token-embedding matrix found in the graph, so the tokenizer size could not be checked against it');
  } else {
    const vocab = tokenizer.vocabSize;
    const rows = embedding.rows;
    const where = `the token embedding '${embedding.initializer}' of ${MODEL_FILE}`;
    if (vocab > rows) {
      throw new ModelFolderError('vocab-larger-than-embedding', tokenizerFile,
        `${tokenizerFile} has ${vocab} token ids but ${where} has only ${rows} rows, so some tokens would index past it.`,
        `use the ${TOKENIZER_FILE} this model was trained with (its vocabulary has ${rows} entries or fewer).`);
    }
    if (vocab < rows) {
      const padded = manifest?.embeddingRowsPadded === true || (rows % 64 === 0 && rows - vocab <= PADDING_TOLERANCE * rows);
      if (!padded) {
        throw new ModelFolderError('vocab-smaller-than-embedding', tokenizerFile,
          `${tokenizerFile} has ${vocab} token ids but ${where} has ${rows} rows: this tokenizer is probably not the model's.`,
          `use the ${TOKENIZER_FILE} this model was trained with; if the extra rows are deliberate padding, set "embeddingRowsPadded": true in ${MANIFEST_FILE}.`);
      }
      notes.push(`the embedding has ${rows - vocab} more rows than the tokenizer has ids (padding)`);
    }
  }

  // attention
  const declared = manifest?.attentionOutputs?.length ? manifest.attentionOutputs.every((n) => outputs.has(n)) : false;
  if (!declared && options.findAttentionProblem) {
    const problem = options.findAttentionProblem(model, manifest);
    if (problem) {
      throw new ModelFolderError('no-attention', modelFile, `No attention found in ${modelFile}: ${problem}`,
        'export the model with its attention probabilities as outputs (tools/export-hf-model.py does), or with the attention written as MatMul → Softmax rather than a fused kernel.');
    }
  }

  return {
    dir,
    name: manifest?.name ?? basename(dir),
    modelFile,
    tokenizerFile,
    manifestFile: manifest ? manifestPath : undefined,
    manifest,
    modelBytes,
    model,
    hasExternalData,
    tokenizer,
    idsInput,
    embedding,
    notes,
  };
}

function decodeOnnx(file: string, bytes: Uint8Array): ModelProto {
  if (bytes.length === 0) throw new ModelFolderError('model-corrupt', file, `${file} is empty.`, RE_EXPORT + '.');
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new ModelFolderError('model-corrupt', file,
      `${file} is not a readable ONNX model: it is truncated or corrupt (${bytes.length} bytes; ${(e as Error).message}).`, RE_EXPORT + '.');
  }
  // Protobuf decoding accepts many byte strings; a real model has these.
  if (!model.graph || model.graph.node.length === 0 || model.opset_import.length === 0 || !model.ir_version) {
    throw new ModelFolderError('model-corrupt', file,
      `${file} does not look like an ONNX model (${model.graph ? 'its graph has no nodes' : 'no graph'}${model.opset_import.length ? '' : ', no operator set'}).`,
      RE_EXPORT + '.');
  }
  return model;
}

function checkExternalData(dir: string, modelFile: string, tensor: string, entries: { key?: string; value?: string }[]): void {
  const get = (k: string) => entries.find((e) => e.key === k)?.value;
  const location = get('location');
  if (!location) {
    throw new ModelFolderError('model-corrupt', modelFile, `${modelFile}: tensor '${tensor}' is stored externally but names no file.`, RE_EXPORT + '.');
  }
  const file = resolve(dir, location);
  if (!file.startsWith(dir)) {
    throw new ModelFolderError('model-corrupt', modelFile, `${modelFile}: tensor '${tensor}' points outside the model folder ('${location}').`,
      'keep the external data files inside the model folder.');
  }
  if (!existsSync(file)) {
    throw new ModelFolderError('external-data-missing', file,
      `${file} is missing: ${MODEL_FILE} keeps the weights of '${tensor}' there.`,
      `copy ${location} into the model folder next to ${MODEL_FILE} (it is part of the export).`);
  }
  const size = statSync(file).size;
  const offset = Number(get('offset') ?? '0');
  const length = get('length') !== undefined ? Number(get('length')) : 0;
  if (offset + length > size) {
    throw new ModelFolderError('external-data-missing', file,
      `${file} is ${size} bytes but '${tensor}' needs bytes ${offset} to ${offset + length}: the file is truncated.`,
      `copy ${location} again from the export.`);
  }
}

function isInVocabulary(tokenizer: TextTokenizer, token: string): boolean {
  return tokenizer.tokenToId(token) !== undefined;
}
