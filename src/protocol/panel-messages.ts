// The one typed message protocol between the extension host and the attention panel
// webview. Both bundles import this file; it imports nothing from node, vscode or other
// src folders. Direction is in the type name: HostToPanel messages are posted by the host,
// PanelToHost by the webview. Weights always travel as typed arrays (VS Code ≥ 1.57 sends
// them as raw bytes beside the JSON), never as number[].

/** A token as the panel shows it; `start`/`end` are UTF-16 offsets into the inspected text. */
export interface PanelToken {
  id: number;
  text: string;
  start: number;
  end: number;
  special: boolean;
}

/** One head's pattern label and scores, as computed by the engine's pattern analysis. */
export interface PanelHeadPattern {
  layer: number;
  head: number;
  label: string;
  confidence: number;
  scores: Record<string, number>;
  sinkColumn?: number;
  bandWidth?: number;
}

/** A masking anomaly found in the weights (causal leak, row sums, NaN, padding attended). */
export interface PanelFinding {
  kind: string;
  severity: 'error' | 'warning' | 'info';
  layer: number;
  heads: number[];
  message: string;
  cells?: [number, number][];
}

/** Describes the run the panel is showing; sent first, before any weights. */
export interface RunDescription {
  runId: number;
  modelName: string;
  /** e.g. "CPU", "CUDA", "TypeScript reference". */
  providerLabel: string;
  /** Providers that failed before the one used, with the reason (shown, not swallowed). */
  fallbacks: { provider: string; reason: string }[];
  layers: number;
  heads: number;
  causal: boolean;
  /** Query-side tokens (the inspected text). */
  tokens: PanelToken[];
  /** Key-side tokens when they differ (cross-attention); absent for self-attention. */
  keyTokens?: PanelToken[];
  /** Where the text came from, for the title ("notes.md:12-30"). */
  sourceLabel: string;
  route: 'weights' | 'qk';
  notes: string[];
}

/**
 * Downsampled, quantised heatmaps of one layer: every head as a `size × size` tile
 * (max-pooled so isolated strong weights stay visible), stored as bytes 0..255 of
 * weight / tileMax[head].
 */
export interface LayerThumbnails {
  runId: number;
  layer: number;
  heads: number;
  rows: number;
  cols: number;
  /** [heads, rows, cols] bytes. */
  pixels: Uint8Array;
  /** Per-head maximum weight, to turn bytes back into weights. */
  tileMax: Float32Array;
}

export type Precision = 'u8' | 'u16' | 'f32';

/** One head's full-resolution weights [queryLength, keyLength] at the requested precision. */
export interface HeadWeights {
  requestId: number;
  runId: number;
  layer: number;
  head: number;
  queryLength: number;
  keyLength: number;
  precision: Precision;
  /** u8/u16: quantised values of weight / scale; f32: the exact weights. */
  data: Uint8Array | Uint16Array | Float32Array;
  scale: number;
}

/** Attention one token pays (row) or receives (column), aggregated over a head selection. */
export interface TokenAttention {
  requestId: number;
  runId: number;
  token: number;
  direction: 'pays' | 'receives';
  /** Exact float weights, one per token on the other side. */
  values: Float32Array;
}

export type HostToPanel =
  /** A new run started: forget the old one, show the tokens. */
  | { type: 'run/start'; run: RunDescription }
  /** One layer is computed: its thumbnails (sent before its analysis, for a fast first paint). */
  | { type: 'run/layer'; layer: LayerThumbnails }
  /** One layer's head patterns, once the analysis of that layer has run. */
  | { type: 'run/patterns'; runId: number; layer: number; patterns: PanelHeadPattern[] }
  /** Masking anomalies found so far for the run. */
  | { type: 'run/findings'; runId: number; findings: PanelFinding[] }
  /** The run finished; `elapsedMs` is engine time. */
  | { type: 'run/done'; runId: number; elapsedMs: number }
  /** The run failed or was cancelled; the message is for the user. */
  | { type: 'run/error'; runId: number; message: string }
  /** Reply to `head/request`. */
  | { type: 'head/data'; head: HeadWeights }
  /** Reply to `token/request`. */
  | { type: 'token/data'; attention: TokenAttention }
  /** Reply to a request that could not be served. */
  | { type: 'request/error'; requestId: number; message: string }
  /** The editor selection moved: highlight tokens overlapping [start, end) (UTF-16, run text). */
  | { type: 'editor/selection'; runId: number; start: number; end: number }
  /** Result of an export the panel asked for. */
  | { type: 'export/done'; message: string };

export type HeadSelection =
  | { kind: 'head'; layer: number; head: number }
  | { kind: 'layer'; layer: number }
  | { kind: 'all' };

export type ExportFormat = 'csv' | 'json' | 'npy';

export type PanelToHost =
  /** The webview loaded and listens; the host waits for this before posting. */
  | { type: 'ready'; restoredRunId?: number }
  /** Full-resolution weights of one head. */
  | { type: 'head/request'; requestId: number; runId: number; layer: number; head: number; precision: Precision }
  /** Attention paid or received by one token, averaged over the selected heads. */
  | { type: 'token/request'; requestId: number; runId: number; token: number; direction: 'pays' | 'receives'; selection: HeadSelection }
  /** Highlight this token's span in the editor (null clears). */
  | { type: 'token/hover'; runId: number; token: number | null }
  /** Select this token's span in the editor and reveal it. */
  | { type: 'token/reveal'; runId: number; token: number }
  /** Save the weights of a head or a layer. */
  | { type: 'export/weights'; runId: number; format: ExportFormat; layer: number; head?: number }
  /** Save a PNG of the current view (bytes of the encoded image). */
  | { type: 'export/png'; runId: number; name: string; png: Uint8Array }
  /** Run again on the same source (e.g. after choosing another model). */
  | { type: 'run/again' };

export const PANEL_VIEW_TYPE = 'attentionInspector.panel';
export const PANEL_TITLE = 'Attention Inspector';
