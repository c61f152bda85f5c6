// The ONNX Runtime backend of the AttentionEngine contract. Opens a model folder, finds each
// attention module (named in inspector.json, or discovered in the graph and exposed by
// surgery), creates a session on the best execution provider that loads, and per request
// either fetches the probabilities asked for (route 1) or fetches the modules' Q and K and
// recomputes the probabilities one layer at a time (route 2): for long inputs, where the
// probabilities of every layer would not fit, and for fused attention operators.
import type * as ort from 'onnxruntime-node';
import type { AttentionEngine, EngineEvent, ExecutionProviderPreference, InspectRequest, ModelSummary, TokenSpan } from '../engine-api';
import type { InspectorManifest } from '../model/inspector-manifest';
import { ModelFolderError } from '../model/model-folder-error';
import { openModelFolder, type ModelFolder } from '../model/model-folder';
import { discoverAttention } from './attention-discovery';
import { AttentionSession, noAttentionMessage, type SessionRoute } from './attention-session';
import type { AttentionSite } from './attention-site';
import type { SessionTuning } from './execution-providers';
import { buildFeeds } from './model-feeds';
import type { ModelProto } from './proto';
import { recomputeHeadInto, type PreparedQk } from './qk-recompute';

export type AttentionRoute = 'auto' | 'weights' | 'qk';

export interface OnnxEngineOptions {
  /** ONNX Runtime intra-op threads; 0 or absent = min(4, cores − 1). */
  threads?: number;
  /** Keep ORT's CPU memory arena (faster repeated runs, memory kept at its peak). Default false. */
  memoryArena?: boolean;
  /** 'auto' (default): route 2 for fused graphs and above `recomputeAboveMB`; or force a route. */
  route?: AttentionRoute;
  /** Above this many MB of probabilities for the requested layers, auto recomputes from Q and K. Default 256. */
  recomputeAboveMB?: number;
  /**
   * Memory one layer may take, in MB (the engine process's limit): a layer's weights are held
   * twice while being sent, so a text whose single layer needs more than half is refused.
   */
  memoryLimitMB?: number;
  /** Awaited after each emitted layer: a consumer's backpressure (the engine process's send queue). */
  drain?: () => Promise<void>;
  /** Opens model folders (default openModelFolder); lets a host share one opener. */
  openFolder?: (dir: string, findAttentionProblem: Parameters<typeof openModelFolder>[1]) => Promise<ModelFolder>;
}

export const DEFAULT_RECOMPUTE_ABOVE_MB = 256;

/** A request the engine declines, with the message for the user. */
class EngineRefusal extends Error {}
/** A short input the engine runs once per model at load time: head count, causality, fused-op check. */
const PROBE_TEXT = 'def area(r):\n    return 3.14 * r * r  # The quick brown fox.';
const PROBE_TOKENS = 12;

interface LoadedModel {
  folder: ModelFolder;
  session: AttentionSession;
  summary: Omit<ModelSummary, 'route'>;
  /** Per module: query/key heads and whether it has route 1 / route 2. */
  sites: AttentionSite[];
}

export class OnnxEngine implements AttentionEngine {
  private readonly models = new Map<string, Promise<LoadedModel>>();

  constructor(private readonly options: OnnxEngineOptions = {}) {}

  private get tuning(): SessionTuning {
    return { threads: this.options.threads, memoryArena: this.options.memoryArena };
  }

  async inspect(request: InspectRequest, emit: (event: EngineEvent) => void, signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    const { runId } = request;
    const fail = (message: string, detail?: string) => emit({ type: 'error', runId, message, detail });
    try {
      const loaded = await this.load(request.modelDir, request.executionProvider);
      if (signal?.aborted) return;
      const prepared = await this.tokenize(loaded, request);
      if (typeof prepared === 'string') return fail(prepared);
      const { tokens, sourceTokens } = prepared;

      const sites = loaded.sites;
      const layers = request.layers ?? sites.map((s) => s.index);
      const bad = layers.find((l) => !(Number.isInteger(l) && l >= 0 && l < sites.length));
      if (bad !== undefined) return fail(`Layer ${bad} does not exist: ${loaded.summary.name} has attention modules 0 to ${sites.length - 1}.`);

      let plan: ReturnType<OnnxEngine['plan']>;
      try {
        plan = this.plan(loaded, layers, tokens.length, sourceTokens?.length);
      } catch (e) {
        if (e instanceof EngineRefusal) return fail(e.message);
        throw e;
      }
      const route: SessionRoute = plan.fetchGroups.length > 0 ? 'weights' : 'qk';
      const summary: ModelSummary = { ...loaded.summary, route: plan.recompute.length > 0 ? 'qk' : 'weights', notes: [...loaded.summary.notes, ...plan.notes] };
      // Creating the route's session (first use) picks the provider reported with the tokens.
      const provider = await loaded.session.provider(route);
      if (signal?.aborted) return;
      emit({ type: 'tokens', runId, tokens, sourceTokens, model: summary, provider });

      const feeds = await this.feeds(loaded, route, tokens, sourceTokens);
      // Route 1: one run per group (groups stay under the size threshold).
      for (const group of plan.fetchGroups) {
        if (signal?.aborted) return;
        const probs = await loaded.session.probabilities(feeds, group);
        if (signal?.aborted) return;
        for (const layer of group) {
          if (signal?.aborted) return;
          const p = probs.get(layer)!;
          probs.delete(layer); // drop our reference as soon as it is sent
          const dims = p.dims;
          if (dims.length < 2) return fail(`Attention output of module ${layer} has shape [${dims.join(', ')}]; expected [batch, heads, q, k].`);
          const [q, k] = dims.slice(-2);
          const heads = dims.slice(0, -2).reduce((a, b) => a * b, 1);
          emit({ type: 'layer', runId, layer, kind: sites[layer].kind, heads, queryLength: q, keyLength: k, weights: p.data });
          await this.options.drain?.();
        }
      }
      // Route 2: Q and K of every recomputed module in one run, then one layer at a time.
      if (plan.recompute.length > 0) {
        if (signal?.aborted) return;
        const qk = await loaded.session.queriesAndKeys(feeds, plan.recompute);
        for (const layer of plan.recompute) {
          if (signal?.aborted) return;
          const prepared = qk.get(layer)!;
          qk.delete(layer);
          const weights = await recomputeLayer(prepared, signal);
          if (!weights) return;
          emit({ type: 'layer', runId, layer, kind: sites[layer].kind, heads: prepared.heads, queryLength: prepared.queryLength, keyLength: prepared.keyLength, weights });
          await this.options.drain?.();
        }
      }
      if (signal?.aborted) return;
      emit({ type: 'done', runId, elapsedMs: Date.now() - started });
    } catch (e) {
      if (signal?.aborted) return;
      if (e instanceof ModelFolderError) fail(e.describe(), e.code);
      else fail(`The ONNX backend failed: ${(e as Error).message}`, (e as Error).stack);
    }
  }

  /** Which modules are fetched (in which run groups) and which are recomputed. */
  private plan(loaded: LoadedModel, layers: number[], n: number, sourceLength?: number) {
    const route = this.options.route ?? 'auto';
    const limit = (this.options.recomputeAboveMB ?? DEFAULT_RECOMPUTE_ABOVE_MB) * 1024 * 1024;
    const heads = loaded.summary.heads || 1;
    const bytesOf = (l: number) => {
      const kind = loaded.sites[l].kind;
      const q = kind === 'encoder' ? sourceLength ?? n : n;
      const k = kind === 'encoder' || kind === 'cross' ? sourceLength ?? n : n;
      return heads * q * k * 4;
    };
    const total = layers.reduce((a, l) => a + bytesOf(l), 0);
    const budget = this.options.memoryLimitMB;
    const largest = Math.max(...layers.map(bytesOf));
    if (budget && 2 * largest > budget * 1048576) {
      throw new EngineRefusal(
        `One attention layer of this text needs ${(largest / 1048576).toFixed(0)} MB of weights (twice that while it is sent); the engine's memory limit is ${budget} MB (attentionInspector.engine.memoryLimitMB). Select a shorter range or raise the limit.`,
      );
    }
    const notes: string[] = [];
    const recompute: number[] = [];
    const fetch: number[] = [];
    for (const l of layers) {
      const site = loaded.sites[l];
      const canFetch = !!site.probs;
      const canRecompute = !!site.qk;
      let useQk: boolean;
      if (route === 'qk') useQk = canRecompute || !canFetch;
      else if (route === 'weights') useQk = !canFetch;
      else useQk = !canFetch || (canRecompute && total > limit);
      if (useQk && !canRecompute) throw new Error(`attention module ${l} can neither be fetched nor recomputed: ${site.qkProblem ?? 'unknown'}`);
      (useQk ? recompute : fetch).push(l);
    }
    if (recompute.length && route === 'auto' && recompute.some((l) => loaded.sites[l].probs)) {
      notes.push(`weights recomputed from Q and K: the probabilities of ${layers.length} modules would take ${(total / 1048576).toFixed(0)} MB (threshold ${(limit / 1048576).toFixed(0)} MB)`);
    }
    // Fetched modules: as few runs as possible, each under the threshold.
    const fetchGroups: number[][] = [];
    let group: number[] = [];
    let bytes = 0;
    for (const l of fetch) {
      const b = bytesOf(l);
      if (group.length > 0 && bytes + b > limit) {
        fetchGroups.push(group);
        group = [];
        bytes = 0;
      }
      group.push(l);
      bytes += b;
    }
    if (group.length) fetchGroups.push(group);
    if (fetchGroups.length > 1) notes.push(`probabilities fetched in ${fetchGroups.length} runs to keep each under ${(limit / 1048576).toFixed(0)} MB`);
    return { fetchGroups, recompute, notes };
  }

  private async tokenize(loaded: LoadedModel, request: InspectRequest): Promise<{ tokens: TokenSpan[]; sourceTokens?: TokenSpan[] } | string> {
    const manifest = loaded.folder.manifest;
    const tokenizer = loaded.folder.tokenizer;
    const encoderInput = manifest?.encoderInputIds;
    if (request.sourceText !== undefined && !encoderInput) {
      return 'This model has no encoder: a source text only applies to encoder–decoder models (inspector.json "encoderInputIds").';
    }
    let tokens = await tokenizer.encode(request.text);
    let sourceTokens: TokenSpan[] | undefined;
    if (encoderInput) {
      // Encoder–decoder: the source (or, without one, the same text) feeds the encoder; the
      // decoder reads its start token and then the text, and cross-attends to the source.
      sourceTokens = request.sourceText !== undefined ? await tokenizer.encode(request.sourceText) : tokens;
      const start = manifest?.decoderStartToken;
      if (start !== undefined) {
        const startId = tokenizer.tokenToId(start);
        if (startId === undefined) return `inspector.json names decoderStartToken ${JSON.stringify(start)}, which is not in tokenizer.json.`;
        tokens = [{ id: startId, text: start, start: 0, end: 0, special: true }, ...tokens];
      }
      if (sourceTokens.length === 0) return 'Nothing to inspect: the source text has no tokens.';
    }
    if (tokens.length === 0) return 'Nothing to inspect: the text has no tokens.';
    const longest = Math.max(tokens.length, sourceTokens?.length ?? 0);
    if (longest > request.maxTokens) {
      return `The text is ${longest} tokens long; the limit is ${request.maxTokens} (setting attentionInspector.maxTokens). Select a shorter range or raise the limit.`;
    }
    // The export's limit (learned position tables and baked rotary tables both end there).
    const context = manifest?.contextLength;
    if (context !== undefined && longest > context) {
      return `The model ${loaded.summary.name} reads at most ${context} tokens; the text is ${longest} tokens long. Select a shorter range.`;
    }
    return { tokens, sourceTokens };
  }

  private async feeds(loaded: LoadedModel, route: SessionRoute, tokens: readonly TokenSpan[], sourceTokens?: readonly TokenSpan[]): Promise<Record<string, ort.Tensor>> {
    // Both routes' sessions keep the model's inputs, so either one's metadata describes the feeds.
    const inputs = await loaded.session.inputMetadata(route);
    const manifest = loaded.folder.manifest;
    const ids = new Map<string, number[]>();
    const decoderIds = tokens.map((t) => t.id);
    let lengthOf: ((name: string) => number | undefined) | undefined;
    if (sourceTokens && manifest?.encoderInputIds) {
      const sourceIds = sourceTokens.map((t) => t.id);
      ids.set(manifest.encoderInputIds, sourceIds);
      ids.set(manifest.decoderInputIds ?? manifest.inputIds ?? loaded.folder.idsInput ?? 'decoder_input_ids', decoderIds);
      // An attention_mask of an encoder–decoder export masks the encoder's keys.
      lengthOf = (name) => (/decoder/i.test(name) ? decoderIds.length : /mask/i.test(name) ? sourceIds.length : undefined);
    } else {
      ids.set(manifest?.inputIds ?? loaded.folder.idsInput ?? inputs[0].name, decoderIds);
    }
    return buildFeeds(inputs, { ids, length: decoderIds.length, lengthOf });
  }

  private load(dir: string, pref: ExecutionProviderPreference): Promise<LoadedModel> {
    const key = `${dir}\u0000${pref}`;
    let pending = this.models.get(key);
    if (!pending) {
      pending = this.open(dir, pref);
      pending.catch(() => this.models.delete(key)); // let the user fix the folder and retry
      this.models.set(key, pending);
    }
    return pending;
  }

  private async open(dir: string, pref: ExecutionProviderPreference): Promise<LoadedModel> {
    const findAttentionProblem = {
      findAttentionProblem: (model: ModelProto, manifest: InspectorManifest | undefined) => {
        const found = discoverAttention(model, { manifest });
        return found.sites.length ? undefined : noAttentionMessage(found);
      },
    };
    const folder = this.options.openFolder ? await this.options.openFolder(dir, findAttentionProblem) : await openModelFolder(dir, findAttentionProblem);
    const manifest = folder.manifest;
    const session = AttentionSession.open(folder.model, {
      provider: pref,
      tuning: this.tuning,
      manifest,
      modelDir: folder.dir,
      hasExternalData: folder.hasExternalData,
    });
    const notes = [...folder.notes, ...session.notes];
    const fused = session.sites.filter((s) => !s.probs).length;
    if (fused) notes.push(`${fused} attention modules are fused operators: their weights are recomputed from Q and K`);
    const loaded: LoadedModel = {
      folder,
      session,
      sites: session.sites,
      summary: { name: folder.name, layers: session.sites.length, heads: manifest?.heads ?? 0, causal: manifest?.causal ?? false, notes },
    };
    await this.probe(loaded);
    return loaded;
  }

  /**
   * One short run at load time: checks recomputation on fused operators (P·V must equal their
   * output), and reads the head count and causality from the first module when inspector.json
   * does not give them.
   */
  private async probe(loaded: LoadedModel): Promise<void> {
    const tokens = (await loaded.folder.tokenizer.encode(PROBE_TEXT)).slice(0, PROBE_TOKENS);
    if (tokens.length < 2) return;
    const needsProbe = loaded.sites.some((s) => s.qk?.check && !s.probs) || !loaded.summary.heads || loaded.folder.manifest?.causal === undefined;
    if (!needsProbe) return;
    const route: SessionRoute = loaded.sites.some((s) => s.qk) ? 'qk' : 'weights';
    const feeds = await this.feeds(loaded, route, tokens, loaded.folder.manifest?.encoderInputIds ? tokens : undefined);
    const withdrawn = await loaded.session.checkFusedSites(feeds);
    for (const w of withdrawn) loaded.summary.notes.push(`not inspectable: ${w}`);
    if (loaded.sites.every((s) => !s.probs && !s.qk)) {
      throw new Error(`no attention module of ${loaded.summary.name} could be read: ${withdrawn.join('; ')}`);
    }
    const first = loaded.sites.find((s) => s.kind !== 'cross' && (s.probs || s.qk));
    if (!first || (loaded.summary.heads && loaded.folder.manifest?.causal !== undefined)) return;
    let heads: number;
    let weights: Float32Array;
    let lq: number;
    let lk: number;
    if (!first.qk) {
      const p = (await loaded.session.probabilities(feeds, [first.index])).get(first.index)!;
      [lq, lk] = p.dims.slice(-2);
      heads = p.dims.slice(0, -2).reduce((a, b) => a * b, 1);
      weights = p.data;
    } else {
      const qk = (await loaded.session.queriesAndKeys(feeds, [first.index])).get(first.index)!;
      heads = qk.heads;
      lq = qk.queryLength;
      lk = qk.keyLength;
      weights = new Float32Array(heads * lq * lk);
      for (let h = 0; h < heads; h++) recomputeHeadInto(qk, h, 0, lq, weights, h * lq * lk);
    }
    if (!loaded.summary.heads) loaded.summary.heads = heads;
    if (loaded.folder.manifest?.causal === undefined && lq === lk) {
      // Causal when no query row puts any weight above the diagonal.
      let above = 0;
      for (let h = 0; h < heads; h++) for (let i = 0; i < lq; i++) for (let j = i + 1; j < lk; j++) above = Math.max(above, weights[(h * lq + i) * lk + j]);
      loaded.summary.causal = above === 0;
    }
  }

  async dispose(): Promise<void> {
    const all = [...this.models.values()];
    this.models.clear();
    for (const p of all) {
      try {
        await (await p).session.release();
      } catch {
        /* a failed load has nothing to release */
      }
    }
  }
}

/** All heads of one recomputed module, yielding to the event loop between heads so a cancel can arrive. */
async function recomputeLayer(p: PreparedQk, signal?: AbortSignal): Promise<Float32Array | undefined> {
  const block = p.queryLength * p.keyLength;
  const weights = new Float32Array(p.heads * block);
  for (let h = 0; h < p.heads; h++) {
    if (signal?.aborted) return undefined;
    recomputeHeadInto(p, h, 0, p.queryLength, weights, h * block);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return weights;
}
