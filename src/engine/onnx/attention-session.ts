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

export class AttentionSession {
  private constructor(
    readonly session: ort.InferenceSession,
    readonly provider: ProviderReport,
    readonly sites: AttentionSite[],
    readonly discovery: AttentionDiscovery,
    readonly notes: string[],
  ) {}

  static async open(model: ModelProto, options: AttentionSessionOptions = {}): Promise<AttentionSession> {
    const notes: string[] = [];
    const discovery = discoverAttention(model, { manifest: options.manifest });
    const sites = withDeclaredOutputs(model, discovery, options.manifest, notes);
    if (sites.length === 0) throw new Error(noAttentionMessage(discovery));
    const expose = new Set<string>();
    for (const site of sites) {
      if (site.probs) expose.add(site.probs);
      if (site.qk) for (const name of qkFetchNames(site.qk, true)) expose.add(name);
    }
    if (options.hasExternalData && options.modelDir) loadExternalData(model, options.modelDir);
    const edited = exposeTensors(model, [...expose], sites);
    const choice = await createSessionWithFallback(encodeModel(edited.model), options.provider ?? 'cpu', options.tuning);
    notes.push(...discovery.notes, ...discovery.unsupported.map((u) => `not inspectable: ${u}`));
    return new AttentionSession(choice.session, { backend: 'onnx', provider: choice.provider, fallbacks: choice.fallbacks }, sites, discovery, notes);
  }

  get inputMetadata(): readonly ort.InferenceSession.ValueMetadata[] {
    return this.session.inputMetadata;
  }

  /** Runs the model fetching `names`; a name that is one of the feeds (a graph input) is answered from the feeds. */
  async fetch(feeds: Record<string, ort.Tensor>, names: readonly string[]): Promise<Record<string, ort.Tensor>> {
    const computed = names.filter((n) => !(n in feeds));
    const results: Record<string, ort.Tensor> = computed.length ? { ...(await this.session.run(feeds, computed)) } : {};
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
    const results = await this.fetch(feeds, [...new Set(names)]);
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
    const results = await this.fetch(feeds, [...names]);
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
    const results = await this.fetch(feeds, [...names]);
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
    await this.session.release();
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
