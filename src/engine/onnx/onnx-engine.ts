// The ONNX Runtime backend of the AttentionEngine contract. Opens a model folder, finds the
// attention outputs (named in inspector.json, or discovered in the graph and exposed by
// surgery), creates a session on the best execution provider that loads, and fetches only
// the attention outputs asked for. Small inputs fetch every layer in one run; large ones one
// layer per run, so no more than one layer's probabilities exist at a time.
import * as ort from 'onnxruntime-node';
import type { AttentionEngine, EngineEvent, ExecutionProviderPreference, InspectRequest, ModelSummary, ProviderReport, TokenSpan } from '../engine-api';
import { ModelFolderError } from '../model/model-folder-error';
import { openModelFolder, type ModelFolder } from '../model/model-folder';
import { discoverAttention, exposeAttentionOutputs, noAttentionMessage } from './attention-discovery';
import { createSessionWithFallback } from './execution-providers';
import { encodeModel, loadExternalData } from './proto';

/** Above this many bytes of probabilities for all layers together, fetch one layer per run. */
const ONE_RUN_LIMIT_BYTES = 256 * 1024 * 1024;

interface LoadedSession {
  folder: ModelFolder;
  session: ort.InferenceSession;
  provider: ProviderReport;
  attentionOutputs: string[];
  summary: ModelSummary;
  idsInput: string;
  contextLength?: number;
}

export interface OnnxEngineOptions {
  /** ONNX Runtime intra-op threads; 0 = automatic. */
  threads?: number;
}

export class OnnxEngine implements AttentionEngine {
  private readonly sessions = new Map<string, Promise<LoadedSession>>();

  constructor(private readonly options: OnnxEngineOptions = {}) {}

  async inspect(request: InspectRequest, emit: (event: EngineEvent) => void, signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    const { runId } = request;
    const fail = (message: string, detail?: string) => emit({ type: 'error', runId, message, detail });
    try {
      const loaded = await this.load(request.modelDir, request.executionProvider);
      if (signal?.aborted) return;
      const encoderInput = loaded.folder.manifest?.encoderInputIds;
      if (request.sourceText !== undefined && !encoderInput) {
        return fail('This model has no encoder: a source text only applies to encoder–decoder models (inspector.json "encoderInputIds").');
      }
      let tokens: TokenSpan[] = await loaded.folder.tokenizer.encode(request.text);
      let sourceTokens: TokenSpan[] | undefined;
      if (encoderInput) {
        // Encoder–decoder: the source (or, when none is given, the same text) feeds the encoder;
        // the decoder reads the start token followed by the text, so its queries cross-attend
        // to source keys of a different length.
        sourceTokens = request.sourceText !== undefined ? await loaded.folder.tokenizer.encode(request.sourceText) : tokens;
        const start = loaded.folder.manifest?.decoderStartToken;
        const startId = start !== undefined ? loaded.folder.tokenizer.tokenToId(start) : undefined;
        if (start !== undefined && startId === undefined) return fail(`inspector.json names decoderStartToken ${JSON.stringify(start)}, which is not in tokenizer.json.`);
        if (startId !== undefined) tokens = [{ id: startId, text: start!, start: 0, end: 0, special: true }, ...tokens];
      }
      if (tokens.length === 0) return fail('Nothing to inspect: the text has no tokens.');
      if (tokens.length > request.maxTokens) {
        return fail(`The text is ${tokens.length} tokens long; the limit is ${request.maxTokens} (setting attentionInspector.maxTokens). Select a shorter range or raise the limit.`);
      }
      if (loaded.contextLength !== undefined && tokens.length > loaded.contextLength) {
        return fail(`The model ${loaded.summary.name} reads at most ${loaded.contextLength} tokens; the text is ${tokens.length} tokens long. Select a shorter range.`);
      }
      const layers = request.layers ?? loaded.attentionOutputs.map((_, i) => i);
      const bad = layers.find((l) => !(Number.isInteger(l) && l >= 0 && l < loaded.attentionOutputs.length));
      if (bad !== undefined) return fail(`Layer ${bad} does not exist: ${loaded.summary.name} has layers 0 to ${loaded.attentionOutputs.length - 1}.`);
      emit({ type: 'tokens', runId, tokens, sourceTokens, model: loaded.summary, provider: loaded.provider });

      const feeds = this.feeds(loaded, tokens, sourceTokens);
      const n = tokens.length;
      const bytesAll = layers.length * loaded.summary.heads * n * n * 4;
      const groups = bytesAll > ONE_RUN_LIMIT_BYTES ? layers.map((l) => [l]) : [layers];
      for (const group of groups) {
        if (signal?.aborted) return;
        const names = group.map((l) => loaded.attentionOutputs[l]);
        const results = await loaded.session.run(feeds, names);
        for (let g = 0; g < group.length; g++) {
          const t = results[names[g]];
          const dims = t.dims.map(Number);
          if (dims.length !== 4) return fail(`Attention output ${names[g]} has shape [${dims.join(', ')}]; expected [batch, heads, q, k].`);
          const [, heads, q, k] = dims;
          // Copy batch 0 out of ORT's buffer: a view would keep (and ship) the whole tensor.
          const data = t.data as Float32Array;
          const weights = data.slice(0, heads * q * k);
          t.dispose?.();
          const kind = q !== k ? 'cross' : sourceTokens && q === sourceTokens.length && q !== tokens.length ? 'encoder' : 'self';
          emit({ type: 'layer', runId, layer: group[g], kind, heads, queryLength: q, keyLength: k, weights });
        }
      }
      emit({ type: 'done', runId, elapsedMs: Date.now() - started });
    } catch (e) {
      if (signal?.aborted) return;
      if (e instanceof ModelFolderError) fail(e.describe(), e.code);
      else fail(`The ONNX backend failed: ${(e as Error).message}`, (e as Error).stack);
    }
  }

  private feeds(loaded: LoadedSession, tokens: TokenSpan[], sourceTokens?: TokenSpan[]): Record<string, ort.Tensor> {
    const n = tokens.length;
    const ids = (list: TokenSpan[]) => new ort.Tensor('int64', BigInt64Array.from(list, (t) => BigInt(t.id)), [1, list.length]);
    const manifest = loaded.folder.manifest;
    const feeds: Record<string, ort.Tensor> = {};
    if (sourceTokens && manifest?.encoderInputIds) {
      feeds[manifest.encoderInputIds] = ids(sourceTokens);
      feeds[manifest.decoderInputIds ?? loaded.idsInput] = ids(tokens);
    } else feeds[loaded.idsInput] = ids(tokens);
    for (const name of loaded.session.inputNames) {
      if (feeds[name]) continue;
      if (/attention_mask|attn_mask|^mask$/.test(name)) feeds[name] = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
      else if (/position_ids|positions/.test(name)) feeds[name] = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), [1, n]);
      else if (/token_type_ids/.test(name)) feeds[name] = new ort.Tensor('int64', new BigInt64Array(n), [1, n]);
      else throw new Error(`the model needs an input "${name}" that the inspector does not know how to fill; name the token ids input in inspector.json "inputIds"`);
    }
    return feeds;
  }

  private load(dir: string, pref: ExecutionProviderPreference): Promise<LoadedSession> {
    const key = `${dir}\u0000${pref}`;
    let pending = this.sessions.get(key);
    if (!pending) {
      pending = this.open(dir, pref);
      pending.catch(() => this.sessions.delete(key)); // let the user fix the folder and retry
      this.sessions.set(key, pending);
    }
    return pending;
  }

  private async open(dir: string, pref: ExecutionProviderPreference): Promise<LoadedSession> {
    const folder = await openModelFolder(dir, {
      findAttentionProblem: (model, manifest) => {
        if (manifest?.attentionOutputs?.length) return undefined;
        const found = discoverAttention(model);
        return found.outputs.length ? undefined : noAttentionMessage(found);
      },
    });
    const manifest = folder.manifest;
    const graphOutputs = new Set(folder.model.graph?.output.map((o) => o.name) ?? []);
    let attentionOutputs = manifest?.attentionOutputs?.filter((n) => graphOutputs.has(n)) ?? [];
    let bytes = folder.modelBytes;
    const notes = [...folder.notes];
    if (attentionOutputs.length === 0) {
      // Graph surgery: expose each layer's softmax output before creating the session.
      const found = discoverAttention(folder.model);
      attentionOutputs = found.outputs;
      if (folder.hasExternalData) loadExternalData(folder.model, folder.dir);
      bytes = encodeModel(exposeAttentionOutputs(folder.model, attentionOutputs));
      notes.push(`attention read from ${attentionOutputs.length} softmax nodes found in the graph`);
    }
    const choice = await createSessionWithFallback(bytes, pref, this.options.threads ?? 0);
    const idsInput = manifest?.inputIds ?? manifest?.decoderInputIds ?? folder.idsInput ?? choice.session.inputNames[0];
    const summary: ModelSummary = {
      name: folder.name,
      layers: attentionOutputs.length,
      heads: manifest?.heads ?? 0,
      causal: manifest?.causal ?? false,
      route: 'weights',
      notes,
    };
    if (!summary.heads) summary.heads = await probeHeads(choice.session, attentionOutputs[0]);
    return {
      folder,
      session: choice.session,
      provider: { backend: 'onnx', provider: choice.provider, fallbacks: choice.fallbacks },
      attentionOutputs,
      summary,
      idsInput,
      contextLength: manifest?.contextLength,
    };
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const p of all) {
      try {
        await (await p).session.release();
      } catch {
        /* a failed load has nothing to release */
      }
    }
  }
}

/** Head count from a one-token run when the manifest does not say. */
async function probeHeads(session: ort.InferenceSession, output: string): Promise<number> {
  const feeds: Record<string, ort.Tensor> = {};
  // One token everywhere: id 0, position 0, mask 1.
  for (const name of session.inputNames) {
    feeds[name] = new ort.Tensor('int64', BigInt64Array.from([/mask/.test(name) ? 1n : 0n]), [1, 1]);
  }
  const r = await session.run(feeds, [output]);
  return Number(r[output].dims[1]);
}
