// The engine's head-pattern analysis and masking findings of one layer ('analysis' event),
// converted to the panel's message types.
import type { LayerAttentionAnalysis } from '../engine/patterns/layer-attention-analysis';
import type { PanelFinding, PanelHeadPattern } from '../protocol/panel-messages';
import type { LayerAnalysis } from './run-pipeline';

export function toPanelAnalysis(analysis: LayerAttentionAnalysis): LayerAnalysis {
  const patterns: PanelHeadPattern[] = analysis.heads.map((r) => ({
    layer: r.layer,
    head: r.head,
    label: r.label,
    confidence: r.confidence,
    scores: Object.fromEntries(Object.entries(r.scores).filter(([, v]) => typeof v === 'number')) as Record<string, number>,
    sinkColumn: r.sinkColumn,
    bandWidth: r.bandWidth,
  }));
  const findings: PanelFinding[] = analysis.findings.map((f) => ({
    kind: f.kind,
    severity: f.severity,
    layer: f.layer,
    heads: f.heads,
    message: f.message,
    cells: f.cells,
  }));
  return { patterns, findings };
}
