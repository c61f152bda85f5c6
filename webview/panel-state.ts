// Everything the panel knows about the current run, plus the UI state that survives a
// reload (persisted with setState: view, layer, head, token… — never tensors; weights are
// asked for again from the host).
import type {
  HeadWeights,
  LayerThumbnails,
  PanelHeadPattern,
  PanelFinding,
  RunDescription,
} from '../src/protocol/panel-messages';

export type ViewName = 'tokens' | 'heads' | 'detail' | 'patterns' | 'findings';

export interface UiState {
  view: ViewName;
  layer: number;
  head: number;
  /** Token picked in the Tokens view (query index), or -1. */
  token: number;
  direction: 'pays' | 'receives';
  aggregate: 'head' | 'layer' | 'all';
  patternFilter: string;
  sortKey: string;
  sortDescending: boolean;
  zoom: number;
  panX: number;
  panY: number;
  runId?: number;
}

export const DEFAULT_UI: UiState = {
  view: 'heads',
  layer: 0,
  head: 0,
  token: -1,
  direction: 'pays',
  aggregate: 'head',
  patternFilter: '',
  sortKey: 'layer',
  sortDescending: false,
  zoom: 1,
  panX: 0,
  panY: 0,
};

/** Accepts a restored state only if it has the right shape; otherwise the defaults. */
export function restoreUi(saved: unknown): UiState {
  const ui: UiState = { ...DEFAULT_UI };
  if (!saved || typeof saved !== 'object') return ui;
  const s = saved as Record<string, unknown>;
  const views: ViewName[] = ['tokens', 'heads', 'detail', 'patterns', 'findings'];
  if (views.includes(s.view as ViewName)) ui.view = s.view as ViewName;
  for (const key of ['layer', 'head', 'token', 'zoom', 'panX', 'panY', 'runId'] as const) {
    const v = s[key];
    if (typeof v === 'number' && Number.isFinite(v)) (ui as unknown as Record<string, number>)[key] = v;
  }
  if (s.direction === 'pays' || s.direction === 'receives') ui.direction = s.direction;
  if (s.aggregate === 'head' || s.aggregate === 'layer' || s.aggregate === 'all') ui.aggregate = s.aggregate;
  if (typeof s.patternFilter === 'string') ui.patternFilter = s.patternFilter.slice(0, 40);
  if (typeof s.sortKey === 'string') ui.sortKey = s.sortKey.slice(0, 40);
  if (typeof s.sortDescending === 'boolean') ui.sortDescending = s.sortDescending;
  ui.zoom = Math.min(64, Math.max(1, ui.zoom));
  return ui;
}

export class RunData {
  run?: RunDescription;
  layers: (LayerThumbnails | undefined)[] = [];
  /** Head patterns per layer, as their analyses arrive (after the layer's thumbnails). */
  patterns: (PanelHeadPattern[] | undefined)[] = [];
  findings: PanelFinding[] = [];
  done = false;
  error?: string;
  elapsedMs?: number;
  /** Full-resolution heads already received, keyed "layer/head/precision". */
  heads = new Map<string, HeadWeights>();
  /** Tokens overlapping the editor selection. */
  editorSelection: [number, number] | null = null;

  start(run: RunDescription): void {
    this.run = run;
    this.layers = new Array(run.layers).fill(undefined);
    this.patterns = new Array(run.layers).fill(undefined);
    this.findings = [];
    this.done = false;
    this.error = undefined;
    this.elapsedMs = undefined;
    this.heads.clear();
    this.editorSelection = null;
  }

  get keyTokens() {
    return this.run?.keyTokens ?? this.run?.tokens ?? [];
  }

  patternsOf(layer: number, head: number) {
    return this.patterns[layer]?.find((p) => p.head === head);
  }

  allPatterns() {
    return this.patterns.flatMap((l) => l ?? []);
  }
}
