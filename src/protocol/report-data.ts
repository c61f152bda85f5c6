// The data a standalone HTML report embeds (written by `attention-inspector inspect --html`,
// read by the same webview bundle when no VS Code host is present). Weights are base64 of
// little-endian float32, or of uint16 (weight / scale per head) when the exact floats would
// make the file too large.
import type { PanelFinding, PanelHeadPattern, RunDescription } from './panel-messages';

export interface ReportLayer {
  layer: number;
  heads: number;
  queryLength: number;
  keyLength: number;
  encoding: 'f32' | 'u16';
  /** Per-head scale for u16 (value = u16 / 65535 * scale). */
  scales?: number[];
  base64: string;
  patterns: PanelHeadPattern[];
}

export interface ReportData {
  format: 'attention-inspector-report';
  version: 1;
  run: RunDescription;
  layers: ReportLayer[];
  findings: PanelFinding[];
  elapsedMs: number;
}

export const REPORT_ELEMENT_ID = 'attention-report-data';

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

export function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Decodes a report layer back to float weights [heads, q, k]. */
export function decodeReportLayer(layer: ReportLayer): Float32Array {
  const bytes = base64ToBytes(layer.base64);
  const n = layer.heads * layer.queryLength * layer.keyLength;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  if (layer.encoding === 'f32') {
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  } else {
    const per = layer.queryLength * layer.keyLength;
    for (let i = 0; i < n; i++) out[i] = (view.getUint16(i * 2, true) / 65535) * (layer.scales?.[Math.floor(i / per)] ?? 1);
  }
  return out;
}
