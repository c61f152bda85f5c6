// A standalone HTML report: the panel's own webview bundle and stylesheet inlined, with the
// run's data embedded as JSON (weights base64-encoded), so it opens in any browser without
// VS Code or a server. The data sits in a non-executable <script type="application/json">;
// "<" is escaped so token text can never close that element.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerAttention } from '../engine/engine-api';
import type { PanelFinding, PanelHeadPattern, RunDescription } from '../protocol/panel-messages';
import { maxOf } from '../protocol/quantize';
import { bytesToBase64, REPORT_ELEMENT_ID, type ReportData, type ReportLayer } from '../protocol/report-data';

/** Above this many weights in total, the report stores uint16 instead of float32. */
const EXACT_LIMIT = 4 * 1024 * 1024;

export function findWebviewBundle(): { js: string; css: string } {
  const candidates = [join(__dirname, '..', 'webview'), join(__dirname, '..', '..', 'dist', 'webview'), join(__dirname, 'webview')];
  for (const dir of candidates) {
    if (existsSync(join(dir, 'main.js')) && existsSync(join(dir, 'main.css'))) {
      return { js: readFileSync(join(dir, 'main.js'), 'utf8'), css: readFileSync(join(dir, 'main.css'), 'utf8') };
    }
  }
  throw new Error('The webview bundle (dist/webview/main.js) was not found: run `npm run build` first.');
}

export function encodeReportLayer(layer: LayerAttention, patterns: PanelHeadPattern[], exact: boolean): ReportLayer {
  const { heads, queryLength: q, keyLength: k, weights } = layer;
  const base = { layer: layer.layer, heads, queryLength: q, keyLength: k, patterns };
  if (exact) {
    const bytes = new Uint8Array(weights.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < weights.length; i++) view.setFloat32(i * 4, weights[i], true);
    return { ...base, encoding: 'f32', base64: bytesToBase64(bytes) };
  }
  const per = q * k;
  const scales: number[] = [];
  const bytes = new Uint8Array(weights.length * 2);
  const view = new DataView(bytes.buffer);
  for (let h = 0; h < heads; h++) {
    const s = maxOf(weights, h * per, (h + 1) * per) || 1;
    scales.push(s);
    for (let i = h * per; i < (h + 1) * per; i++) view.setUint16(i * 2, Math.round((weights[i] / s) * 65535), true);
  }
  return { ...base, encoding: 'u16', scales, base64: bytesToBase64(bytes) };
}

export function buildReportData(
  run: RunDescription,
  layers: LayerAttention[],
  patterns: PanelHeadPattern[][],
  findings: PanelFinding[],
  elapsedMs: number,
): ReportData {
  const total = layers.reduce((n, l) => n + l.weights.length, 0);
  const exact = total <= EXACT_LIMIT;
  return {
    format: 'attention-inspector-report',
    version: 1,
    run,
    layers: layers.map((l, i) => encodeReportLayer(l, patterns[i] ?? [], exact)),
    findings,
    elapsedMs,
  };
}

export function renderReportHtml(data: ReportData, bundle = findWebviewBundle()): string {
  const nonce = randomBytes(18).toString('base64url');
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const title = `Attention report — ${data.run.modelName} — ${data.run.sourceLabel}`.replace(/[<>&"]/g, '');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data: blob:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style nonce="${nonce}">${bundle.css.replace(/<\/style/gi, '<\\/style')}</style>
</head>
<body class="vscode-dark">
<main id="app" aria-label="Attention report"></main>
<script type="application/json" id="${REPORT_ELEMENT_ID}">${json}</script>
<script type="module" nonce="${nonce}">${bundle.js.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}
