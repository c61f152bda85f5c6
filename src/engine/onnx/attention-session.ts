// An ONNX Runtime session over a model whose attention has been found and exposed: every
// module's probabilities (route 1) and Q, K and mask operands (route 2) are graph outputs,
// and each run fetches only the ones asked for.
import * as ort from 'onnxruntime-node';
import type { ExecutionProviderPreference, ProviderReport } from '../engine-api';
import type { InspectorManifest } from '../model/inspector-manifest';
import { discoverAttention } from './attention-discovery';
import type { AttentionDiscovery, AttentionSite } from './attention-site';
import { createSessionWithFallback, type SessionTuning } from './execution-providers';
import { checkFusedSite } from './fused-check';
import { exposeTensors } from './graph-surgery';
import { encodeModel, loadExternalData, type ModelProto } from './proto';
import { prepareQk, qkFetchNames, type PreparedQk } from './qk-recompute';
import { fromOrtTensor } from './run-single-node';

export interface AttentionSessionOptions {
  provider?: ExecutionProviderPreference;
  tuning?: SessionTuning;
  manifest?: InspectorManifest;
  /** Folder of the model, to inline external data before the edited model is handed to ORT. */
  modelDir?: string;
  hasExternalData?: boolean;
}

/** Probabilities of one module as the graph produced them. */
export interface SiteProbabilities {
  dims: number[];
  data: Float32Array;
}

/**
 * Which tensors a session outputs: route 1's probabilities, or route 2's Q, K and operands
 * (with fused operators' V and output for their check). Each route gets its own session,
 * created on first use, because ORT keeps every graph output of a run alive to its end.
 */
export type SessionRoute = 'weights' | 'qk';

interface RouteSession {
  session: ort.InferenceSession;
  provider: ProviderReport;
  /** Nodes surgery removed as unneeded for this route's outputs. */
  pruned: number;
}

export class AttentionSession {
  private readonly sessions = new Map<SessionRoute, Promise<RouteSession>>();
  private lastProvider?: ProviderReport;

  private constructor(
    private readonly model: ModelProto,
    private readonly options: AttentionSessionOptions,
    readonly sites: AttentionSite[],
    readonly discovery: AttentionDiscovery,
    readonly notes: string[],
  ) {}

  /** Finds the attention modules; sessions are created when a route is first used. */
  static open(model: ModelProto, options: AttentionSessionOptions = {}): AttentionSession {
    const notes: string[] = [];
    const discovery = discoverAttention(model, { manifest: options.manifest });
    const sites = withDeclaredOutputs(model, discovery, options.manifest, notes);
    if (sites.length === 0) throw new Error(noAttentionMessage(discovery));
    if (options.hasExternalData && options.modelDir) loadExternalData(model, options.modelDir);
    notes.push(...discovery.notes, ...discovery.unsupported.map((u) => `not inspectable: ${u}`));
    return new AttentionSession(model, options, sites, discovery, notes);
  }

  /** The session of a route (created, with provider fallback, on first use). */
  route(route: SessionRoute): Promise<RouteSession> {
    let pending = this.sessions.get(route);
    if (!pending) {
      pending = this.create(route);
      pending.catch(() => this.sessions.delete(route));
      this.sessions.set(route, pending);
    }
    return pending;
  }

  private async create(route: SessionRoute, forceCpu?: { provider: string; reason: string }): Promise<RouteSession> {
    const names = new Set<string>();
    for (const site of this.sites) {
      if (route === 'weights' && site.probs) names.add(site.probs);
      if (route === 'qk' && site.qk) for (const n of qkFetchNames(site.qk, true)) names.add(n);
    }
    if (names.size === 0) throw new Error(`no attention module of this model can be read by ${route === 'weights' ? 'fetching probabilities' : 'recomputation from Q and K'}`);
    const edited = exposeTensors(this.model, [...names], this.sites, { only: true });
    const choice = await createSessionWithFallback(encodeModel(edited.model), forceCpu ? 'cpu' : this.options.provider ?? 'cpu', this.options.tuning);
    const fallbacks = forceCpu ? [...(this.lastProvider?.fallbacks ?? []), forceCpu] : choice.fallbacks;
    const provider: ProviderReport = { backend: 'onnx', provider: choice.provider, fallbacks };
    this.lastProvider = provider;
    return { session: choice.session, provider, pruned: edited.pruned };
  }

  /** The provider of the session used last (of the weights route before any run). */
  async provider(route: SessionRoute): Promise<ProviderReport> {
    return (await this.route(route)).provider;
  }

  get lastProviderReport(): ProviderReport | undefined {
    return this.lastProvider;
  }

  async inputMetadata(route: SessionRoute): Promise<readonly ort.InferenceSession.ValueMetadata[]> {
    return (await this.route(route)).session.inputMetadata;
  }

  /** Runs a route's session fetching `names`; a name that is one of the feeds (a graph input) is answered from the feeds. */
  async fetch(route: SessionRoute, feeds: Record<string, ort.Tensor>, names: readonly string[]): Promise<Record<string, ort.Tensor>> {
    const computed = names.filter((n) => !(n in feeds));
    const { session } = await this.route(route);
    const inputs = new Set(session.inputNames);
    const own: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) if (inputs.has(k)) own[k] = v;
    let results: Record<string, ort.Tensor> = {};
    if (computed.length) {
      try {
        results = { ...(await session.run(own, computed)) };
      } catch (e) {
        // A GPU provider can create a session and still fail to run it (an operator it lacks,
        // device memory): fall back to CPU once, and say why with every later result.
        const current = (await this.route(route)).provider;
        if (current.provider === 'cpu') throw e;
        const reason = `run failed: ${(e as Error).message.split('\n')[0].slice(0, 300)}`;
        const pending = this.create(route, { provider: current.provider, reason });
        this.sessions.set(route, pending);
        void session.release().catch(() => undefined);
        results = { ...(await (await pending).session.run(own, computed)) };
      }
    }
    for (const n of names) if (n in feeds) results[n] = feeds[n];
    return results;
  }

  /** Route 1: the probabilities of the given modules, each in a buffer of its own. */
  async probabilities(feeds: Record<string, ort.Tensor>, siteIndices: readonly number[]): Promise<Map<number, SiteProbabilities>> {
    const names = siteIndices.map((i) => {
      const probs = this.sites[i].probs;
      if (!probs) throw new Error(`attention module ${i} (${this.sites[i].op}) has no probabilities to fetch; it is recomputed from Q and K`);
      return probs;
    });
    const results = await this.fetch('weights', feeds, [...new Set(names)]);
    const out = new Map<number, SiteProbabilities>();
    siteIndices.forEach((site, n) => {
      const t = results[names[n]];
      if (t.type !== 'float32') throw new Error(`attention output '${names[n]}' is ${t.type}, not float32`);
      out.set(site, { dims: t.dims.map(Number), data: ownBuffer(t.data as Float32Array) });
    });
    return out;
  }

  /** Route 2: Q, K and mask operands of the given modules, ready for recomputation. */
  async queriesAndKeys(feeds: Record<string, ort.Tensor>, siteIndices: readonly number[]): Promise<Map<number, PreparedQk>> {
    const names = new Set<string>();
    for (const i of siteIndices) {
      const qk = this.sites[i].qk;
      if (!qk) throw new Error(`attention module ${i} cannot be recomputed from Q and K: ${this.sites[i].qkProblem}`);
      for (const n of qkFetchNames(qk)) names.add(n);
    }
    const results = await this.fetch('qk', feeds, [...names]);
    const fetched = (n: string) => (results[n] ? fromOrtTensor(results[n]) : undefined);
    const out = new Map<number, PreparedQk>();
    for (const i of siteIndices) out.set(i, prepareQk(this.sites[i].qk!, fetched));
    return out;
  }

  /**
   * Runs every fused module's check (P·V = Y) on `feeds` (a short probe input) and withdraws
   * route 2 from modules that fail it. Returns the messages for the ones withdrawn.
   */
  async checkFusedSites(feeds: Record<string, ort.Tensor>): Promise<string[]> {
    const fused = this.sites.filter((s) => s.qk?.check && !s.probs);
    if (fused.length === 0) return [];
    const names = new Set<string>();
    for (const s of fused) for (const n of qkFetchNames(s.qk!, true)) names.add(n);
    const results = await this.fetch('qk', feeds, [...names]);
    const fetched = (n: string) => (results[n] ? fromOrtTensor(results[n]) : undefined);
    const problems: string[] = [];
    for (const site of fused) {
      let why: string | undefined;
      try {
        const r = checkFusedSite(site.qk!, fetched);
        if (!r.ok) why = `recomputed weights do not reproduce the operator's output (max difference ${r.maxDiff.toExponential(2)} for outputs up to ${r.maxOutput.toExponential(2)})`;
      } catch (e) {
        why = (e as Error).message;
      }
      if (why) {
        site.qkProblem = why;
        delete site.qk;
        problems.push(`${site.op} '${site.node}': ${why}`);
      }
    }
    return problems;
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const p of all) {
      try {
        await (await p).session.release();
      } catch {
        /* a session that failed to load has nothing to release */
      }
    }
  }
}

/** The data in a buffer of its own, so sending it (structured clone) ships only these bytes. */
export function ownBuffer(data: Float32Array): Float32Array {
  return data.byteOffset === 0 && data.buffer.byteLength === data.byteLength ? data : data.slice();
}

/**
 * When inspector.json names attention outputs the graph already has, they are route 1; the
 * discovered modules (same count, graph order) add route 2 and the self/cross kinds.
 */
function withDeclaredOutputs(model: ModelProto, discovery: AttentionDiscovery, manifest: InspectorManifest | undefined, notes: string[]): AttentionSite[] {
  const outputs = new Set(model.graph?.output.map((o) => o.name) ?? []);
  const declared = manifest?.attentionOutputs?.filter((n) => outputs.has(n)) ?? [];
  if (declared.length === 0) return discovery.sites;
  if (discovery.sites.length === declared.length) {
    return discovery.sites.map((s, i) => ({ ...s, probs: declared[i] }));
  }
  notes.push(
    `inspector.json names ${declared.length} attention outputs but ${discovery.sites.length} attention modules were found in the graph: ` +
      'the named outputs are used as they are, and recomputation from Q and K is not available',
  );
  return declared.map((probs, index) => ({ index, kind: 'self', op: 'output', node: probs, probs, qkProblem: 'the graph\'s attention modules could not be matched to the named outputs' }));
}

/** A user-facing explanation when no attention can be found. */
export function noAttentionMessage(found: AttentionDiscovery): string {
  if (found.unsupported.length > 0) {
    return `its attention operators cannot be inspected: ${found.unsupported.slice(0, 3).join('; ')}${found.unsupported.length > 3 ? '; …' : ''}`;
  }
  return 'no Softmax fed by a Q·Kᵀ MatMul and no fused attention operator was found in the graph; export the model with attention outputs (tools/export-hf-model.py) or name them in inspector.json "attentionOutputs"';
}
