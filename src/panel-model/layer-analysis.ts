// Runs the engine's head-pattern analysis and masking checks on one streamed layer and
// converts the results to the panel's message types.
import type { LayerAttention, TokenSpan } from '../engine/engine-api';
import { analyzeLayer } from '../engine/patterns/analyze-model';
import { checkLayerMasking } from '../engine/patterns/masking-checks';
import type { PanelFinding, PanelHeadPattern } from '../protocol/panel-messages';
import type { LayerAnalysis } from './run-pipeline';

export function analyzeStreamedLayer(attention: LayerAttention, tokens: TokenSpan[], modelIsCausal: boolean): LayerAnalysis {
  const { weights, heads, queryLength: q, keyLength: k, layer } = attention;
  // Only a model's own self-attention is causal; cross-attention sees the whole source.
  const causal = modelIsCausal && attention.kind === 'self' && q === k;
  const info = tokens.length === q ? { ids: tokens.map((t) => t.id), texts: tokens.map((t) => t.text), offsets: tokens.map((t) => [t.start, t.end] as [number, number]) } : undefined;
  const reports = analyzeLayer(weights, heads, q, k, layer, info, { causal });
  const patterns: PanelHeadPattern[] = reports.map((r) => ({
    layer: r.layer,
    head: r.head,
    label: r.label,
    confidence: r.confidence,
    scores: Object.fromEntries(Object.entries(r.scores).filter(([, v]) => typeof v === 'number')) as Record<string, number>,
    sinkColumn: r.sinkColumn,
    bandWidth: r.bandWidth,
  }));
  const findings: PanelFinding[] = checkLayerMasking(weights, heads, q, k, layer, { causal }).map((f) => ({
    kind: f.kind,
    severity: f.severity,
    layer: f.layer,
    heads: f.heads,
    message: f.message,
    cells: f.cells,
  }));
  return { patterns, findings };
}
