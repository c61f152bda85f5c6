// Turns one engine run's events into panel messages: tokens first, then for every layer its
// thumbnails at once, then its head patterns and masking findings from the engine's own
// 'analysis' event (runs are requested with InspectRequest.analyze: the engine — in the
// extension, the engine process — analyses each layer after sending it), then done. Keeps what
// a reloaded panel needs to be shown again (the panel is not kept alive while hidden) and the
// full weights in the RunStore for on-demand requests.
import type { EngineEvent, LayerAttention, ModelSummary, ProviderReport, TokenSpan } from '../engine/engine-api';
import type { HostToPanel, PanelFinding, PanelHeadPattern, RunDescription } from '../protocol/panel-messages';
import { layerThumbnails } from '../protocol/quantize';
import { toPanelAnalysis } from './layer-analysis';
import type { RunStore } from './run-store';

export interface LayerAnalysis {
  patterns: PanelHeadPattern[];
  findings: PanelFinding[];
}

export const THUMBNAIL_SIZE = 64;

export function providerLabel(p: ProviderReport): string {
  if (p.backend === 'reference') return 'TypeScript reference';
  const names: Record<string, string> = { cpu: 'CPU', cuda: 'CUDA', webgpu: 'WebGPU', dml: 'DirectML', coreml: 'CoreML' };
  return names[p.provider] ?? p.provider;
}

export class RunPipeline {
  private readonly cached: HostToPanel[] = [];
  private findings: PanelFinding[] = [];
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
        break;
      }
      case 'analysis': {
        if (this.failed) break;
        const { patterns, findings } = toPanelAnalysis(event);
        out.push({ type: 'run/patterns', runId: this.runId, layer: event.layer, patterns });
        if (findings.length > 0) {
          this.findings = [...this.findings, ...findings];
          out.push({ type: 'run/findings', runId: this.runId, findings: this.findings });
        }
        break;
      }
      case 'done':
        this.finished = true;
        out.push({ type: 'run/findings', runId: this.runId, findings: this.findings });
        out.push({ type: 'run/done', runId: this.runId, elapsedMs: event.elapsedMs });
        break;
      case 'error':
        this.failed = event.message;
        out.push({ type: 'run/error', runId: this.runId, message: event.message });
        break;
    }
    return this.remember(out);
  }

  /** The run was cancelled: ignore what may still arrive for it and tell the panel. */
  cancel(message: string): HostToPanel[] {
    this.failed = message;
    return this.remember([{ type: 'run/error', runId: this.runId, message }]);
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
