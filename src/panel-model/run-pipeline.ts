// Turns one engine run's events into panel messages: tokens first, then for every layer its
// thumbnails at once, then its head patterns and masking findings — from the engine's own
// 'analysis' event (requested with InspectRequest.analyze: the extension, where the engine
// process analyses), or from a local analyzer when `analyzeNext` is called (CLI, benchmarks) —
// then done, held back until every layer's analysis has been sent. Keeps what a reloaded
// panel needs to be shown again (the panel is not kept alive while hidden) and the full
// weights in the RunStore for on-demand requests.
import type { EngineEvent, LayerAttention, ModelSummary, ProviderReport, TokenSpan } from '../engine/engine-api';
import type { HostToPanel, PanelFinding, PanelHeadPattern, RunDescription } from '../protocol/panel-messages';
import { layerThumbnails } from '../protocol/quantize';
import { toPanelAnalysis } from './layer-analysis';
import type { RunStore } from './run-store';

export interface LayerAnalysis {
  patterns: PanelHeadPattern[];
  findings: PanelFinding[];
}

export type LayerAnalyzer = (attention: LayerAttention, tokens: TokenSpan[], causal: boolean) => LayerAnalysis;
/** The pipeline's analyzer: the same, or asynchronous (a worker thread). */
export type PipelineAnalyzer = (attention: LayerAttention, tokens: TokenSpan[], causal: boolean) => LayerAnalysis | Promise<LayerAnalysis>;

export const THUMBNAIL_SIZE = 64;

export function providerLabel(p: ProviderReport): string {
  if (p.backend === 'reference') return 'TypeScript reference';
  const names: Record<string, string> = { cpu: 'CPU', cuda: 'CUDA', webgpu: 'WebGPU', dml: 'DirectML', coreml: 'CoreML' };
  return names[p.provider] ?? p.provider;
}

export class RunPipeline {
  private readonly cached: HostToPanel[] = [];
  private findings: PanelFinding[] = [];
  /** Layers whose thumbnails were sent and whose analysis has not run yet, oldest first. */
  private readonly pending: LayerAttention[] = [];
  /** An analysis is running (analyzeNext awaits the analyzer). */
  private analysing = false;
  /** 'done' arrived while analyses were outstanding: sent after the last of them. */
  private heldDone?: Extract<EngineEvent, { type: 'done' }>;
  description?: RunDescription;
  tokens: TokenSpan[] = [];
  keyTokens?: TokenSpan[];
  model?: ModelSummary;
  provider?: ProviderReport;
  finished = false;
  failed?: string;

  constructor(
    readonly runId: number,
    private readonly store: RunStore,
    /** A local analyzer, or 'engine' when the engine sends 'analysis' events itself. */
    private readonly analyze: PipelineAnalyzer | 'engine',
    private readonly sourceLabel: string,
  ) {}

  /** Messages to post for one engine event (already cached for replay). */
  handle(event: EngineEvent): HostToPanel[] {
    if (event.runId !== this.runId) return []; // a stale event from a cancelled run
    const out: HostToPanel[] = [];
    switch (event.type) {
      case 'tokens': {
        this.tokens = event.tokens;
        this.keyTokens = event.sourceTokens;
        this.model = event.model;
        this.provider = event.provider;
        this.description = {
          runId: this.runId,
          modelName: event.model.name,
          providerLabel: providerLabel(event.provider),
          fallbacks: event.provider.fallbacks,
          layers: event.model.layers,
          heads: event.model.heads,
          causal: event.model.causal,
          tokens: event.tokens,
          keyTokens: event.sourceTokens,
          sourceLabel: this.sourceLabel,
          route: event.model.route,
          notes: event.model.notes,
        };
        out.push({ type: 'run/start', run: this.description });
        break;
      }
      case 'layer': {
        const attention: LayerAttention = { ...event };
        delete (attention as { type?: string }).type;
        this.store.put(attention);
        const thumbs = layerThumbnails(attention.weights, attention.heads, attention.queryLength, attention.keyLength, THUMBNAIL_SIZE);
        out.push({ type: 'run/layer', layer: { runId: this.runId, layer: attention.layer, heads: attention.heads, ...thumbs } });
        if (this.analyze !== 'engine') this.pending.push(attention);
        break;
      }
      case 'analysis':
        if (this.analyze === 'engine' && !this.failed) out.push(...this.analysisMessages(event.layer, toPanelAnalysis(event)));
        break;
      case 'done':
        // Every layer's patterns reach the panel before it hears the run is done.
        if (this.pending.length > 0 || this.analysing) this.heldDone = event;
        else out.push(...this.finish(event));
        break;
      case 'error':
        this.pending.length = 0;
        this.heldDone = undefined;
        this.failed = event.message;
        out.push({ type: 'run/error', runId: this.runId, message: event.message });
        break;
    }
    return this.remember(out);
  }

  /** Whether a layer is waiting for its analysis. */
  get hasPendingAnalysis(): boolean {
    return this.pending.length > 0;
  }

  /**
   * Analyses the oldest waiting layer: its patterns message, the findings so far if it added
   * any, and the held-back 'done' when this was the last one. One call at a time.
   */
  async analyzeNext(): Promise<HostToPanel[]> {
    const attention = this.pending.shift();
    if (!attention) return [];
    this.analysing = true;
    const analyze = this.analyze;
    if (analyze === 'engine') return [];
    let analysis: LayerAnalysis;
    try {
      analysis = await analyze(attention, this.tokens, this.model?.causal ?? false);
    } catch (e) {
      // The thumbnails are already shown; a failed analysis leaves this layer without badges.
      analysis = { patterns: [], findings: [] };
      this.analysisErrors.push(`layer ${attention.layer}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.analysing = false;
    }
    if (this.failed) return [];
    const out = this.analysisMessages(attention.layer, analysis);
    if (this.pending.length === 0 && this.heldDone) {
      out.push(...this.finish(this.heldDone));
      this.heldDone = undefined;
    }
    return this.remember(out);
  }

  /** Runs every waiting analysis in order (the CLI, benchmarks and tests, which have no event loop to yield to). */
  async drain(): Promise<HostToPanel[]> {
    const out: HostToPanel[] = [];
    while (this.pending.length > 0) out.push(...(await this.analyzeNext()));
    return out;
  }

  /** The run was cancelled: drop outstanding analyses and tell the panel. */
  cancel(message: string): HostToPanel[] {
    this.pending.length = 0;
    this.heldDone = undefined;
    this.failed = message;
    return this.remember([{ type: 'run/error', runId: this.runId, message }]);
  }

  /** Analyses that threw (their layers have thumbnails but no badges). */
  readonly analysisErrors: string[] = [];

  /** A layer's patterns message, and the findings so far when it added any. */
  private analysisMessages(layer: number, analysis: LayerAnalysis): HostToPanel[] {
    const out: HostToPanel[] = [{ type: 'run/patterns', runId: this.runId, layer, patterns: analysis.patterns }];
    if (analysis.findings.length > 0) {
      this.findings = [...this.findings, ...analysis.findings];
      out.push({ type: 'run/findings', runId: this.runId, findings: this.findings });
    }
    return out;
  }

  private finish(event: Extract<EngineEvent, { type: 'done' }>): HostToPanel[] {
    this.finished = true;
    return [
      { type: 'run/findings', runId: this.runId, findings: this.findings },
      { type: 'run/done', runId: this.runId, elapsedMs: event.elapsedMs },
    ];
  }

  /** Adds messages to the replay list and returns them. */
  private remember(out: HostToPanel[]): HostToPanel[] {
    // Findings are cumulative: keep only the latest in the replay list.
    for (const m of out) {
      if (m.type === 'run/findings') {
        const i = this.cached.findIndex((c) => c.type === 'run/findings');
        if (i >= 0) this.cached.splice(i, 1);
      }
      this.cached.push(m);
    }
    return out;
  }

  /** Everything a freshly loaded panel needs to show this run again. */
  replay(): HostToPanel[] {
    return [...this.cached];
  }

  get layerCount(): number {
    return this.model?.layers ?? 0;
  }
}
