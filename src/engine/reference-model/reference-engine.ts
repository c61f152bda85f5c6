// The TypeScript backend of the AttentionEngine contract: tokenize, run the reference decoder
// layer by layer, emit each layer's attention as soon as it is computed. It needs nothing
// native but the tokenizer binding (and falls back to the pure-JS tokenizer without it), so it
// is what runs when onnxruntime-node cannot load on a platform.
import type { AttentionEngine, EngineEvent, InspectRequest, ModelSummary, ProviderReport } from '../engine-api';
import { ModelFolderError } from '../model/model-folder-error';
import { openModelFolder, type ModelFolder } from '../model/model-folder';
import { loadExternalData } from '../onnx/proto';
import { runDecoder, ForwardCancelled } from './decoder-forward';
import { readDecoderWeights, UnsupportedArchitectureError, type DecoderWeights } from './decoder-weights';

interface LoadedModel {
  folder: ModelFolder;
  weights: DecoderWeights;
  summary: ModelSummary;
}

export const REFERENCE_PROVIDER: ProviderReport = { backend: 'reference', provider: 'typescript', fallbacks: [] };

export interface ReferenceEngineOptions {
  /** How model folders are opened (default openModelFolder); lets the host share one opener. */
  openFolder?: (dir: string) => Promise<ModelFolder>;
}

export class ReferenceEngine implements AttentionEngine {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  private readonly openFolder: (dir: string) => Promise<ModelFolder>;

  constructor(options: ReferenceEngineOptions = {}) {
    this.openFolder = options.openFolder ?? ((dir) => openModelFolder(dir));
  }

  async inspect(request: InspectRequest, emit: (event: EngineEvent) => void, signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    const { runId } = request;
    const fail = (message: string, detail?: string) => emit({ type: 'error', runId, message, detail });
    try {
      if (request.sourceText !== undefined) {
        fail('The TypeScript reference runs decoder-only models; use the ONNX backend for encoder-decoder models.');
        return;
      }
      const model = await this.load(request.modelDir);
      if (signal?.aborted) return;
      const tokens = await model.folder.tokenizer.encode(request.text);
      if (tokens.length === 0) {
        fail('Nothing to inspect: the text has no tokens.');
        return;
      }
      if (tokens.length > request.maxTokens) {
        fail(
          `The text is ${tokens.length} tokens long; the limit is ${request.maxTokens} (setting attentionInspector.maxTokens). ` +
            'Select a shorter range or raise the limit.',
        );
        return;
      }
      const context = model.weights.contextLength;
      if (context !== undefined && tokens.length > context) {
        fail(`The model ${model.summary.name} reads at most ${context} tokens; the text is ${tokens.length} tokens long. Select a shorter range.`);
        return;
      }
      const badLayer = request.layers?.find((l) => !(Number.isInteger(l) && l >= 0 && l < model.summary.layers));
      if (badLayer !== undefined) {
        fail(`Layer ${badLayer} does not exist: ${model.summary.name} has layers 0 to ${model.summary.layers - 1}.`);
        return;
      }
      emit({ type: 'tokens', runId, tokens, model: model.summary, provider: REFERENCE_PROVIDER });

      const t = tokens.length;
      const heads = model.weights.heads;
      await runDecoder(
        model.weights,
        tokens.map((tok) => tok.id),
        {
          layers: request.layers,
          signal,
          onLayer: (layer, weights) =>
            emit({ type: 'layer', runId, layer, kind: 'self', heads, queryLength: t, keyLength: t, weights }),
        },
      );
      emit({ type: 'done', runId, elapsedMs: Date.now() - started });
    } catch (e) {
      if (e instanceof ForwardCancelled || signal?.aborted) return; // the caller reports the cancel
      if (e instanceof ModelFolderError) fail(e.describe(), e.code);
      else if (e instanceof UnsupportedArchitectureError) {
        fail(`The TypeScript reference cannot run ${request.modelDir}: ${e.message}. Use the ONNX backend for this model.`);
      } else fail(`The reference backend failed: ${(e as Error).message}`, (e as Error).stack);
    }
  }

  async dispose(): Promise<void> {
    this.models.clear();
  }

  private load(dir: string): Promise<LoadedModel> {
    let pending = this.models.get(dir);
    if (!pending) {
      pending = this.openFolder(dir).then((folder) => {
        if (folder.hasExternalData) loadExternalData(folder.model, folder.dir);
        const weights = readDecoderWeights(folder.model, folder.manifest);
        const summary: ModelSummary = {
          name: folder.name,
          layers: weights.layers.length,
          heads: weights.heads,
          causal: weights.causal,
          route: 'weights',
          notes: [...folder.notes, 'attention computed by the TypeScript reference forward pass'],
        };
        return { folder, weights, summary };
      });
      // A failed load is not cached: the user may fix the folder and retry.
      pending.catch(() => this.models.delete(dir));
      this.models.set(dir, pending);
    }
    return pending;
  }
}
