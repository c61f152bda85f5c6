// When the panel bundle is opened as a standalone HTML report (no VS Code), this local host
// answers the panel's messages from the data embedded in the page, using the same responder
// as the extension host.
import type { LayerAttention } from '../src/engine/engine-api';
import { answerPanelRequest } from '../src/panel-model/panel-responder';
import { decodeReportLayer, REPORT_ELEMENT_ID, type ReportData } from '../src/protocol/report-data';
import type { HostToPanel } from '../src/protocol/panel-messages';
import { layerThumbnails } from '../src/protocol/quantize';
import { Channel } from './channel';

export function startStandaloneHost(): Channel | undefined {
  const node = document.getElementById(REPORT_ELEMENT_ID);
  if (!node?.textContent) return undefined;
  const report = JSON.parse(node.textContent) as ReportData;
  if (report.format !== 'attention-inspector-report') return undefined;
  const layers = new Map<number, LayerAttention>();
  const layerOf = (i: number): LayerAttention | undefined => {
    let l = layers.get(i);
    const src = report.layers.find((x) => x.layer === i);
    if (!l && src) {
      l = { runId: report.run.runId, layer: i, kind: 'self', heads: src.heads, queryLength: src.queryLength, keyLength: src.keyLength, weights: decodeReportLayer(src) };
      layers.set(i, l);
    }
    return l;
  };
  let state: unknown;
  const deliver = (m: HostToPanel) => setTimeout(() => channel.dispatch(m), 0);
  const channel: Channel = new Channel({
    getState: <T>() => state as T | undefined,
    setState: (s) => {
      state = s;
    },
    post: (m) => {
      if (m.type === 'ready') {
        deliver({ type: 'run/start', run: report.run });
        for (const src of report.layers) {
          const l = layerOf(src.layer)!;
          const t = layerThumbnails(l.weights, l.heads, l.queryLength, l.keyLength, 64);
          deliver({ type: 'run/layer', layer: { runId: report.run.runId, layer: src.layer, heads: l.heads, ...t } });
          deliver({ type: 'run/patterns', runId: report.run.runId, layer: src.layer, patterns: src.patterns });
        }
        deliver({ type: 'run/findings', runId: report.run.runId, findings: report.findings });
        deliver({ type: 'run/done', runId: report.run.runId, elapsedMs: report.elapsedMs });
      } else if (m.type === 'head/request' || m.type === 'token/request') {
        void answerPanelRequest(m, { layer: (_r, i) => layerOf(i), layerCount: () => report.layers.length }).then(deliver);
      } else if (m.type === 'export/png' || m.type === 'export/weights') {
        deliver({ type: 'export/done', message: 'Exports are available in VS Code; in a report use your browser to save the page.' });
      }
    },
  });
  document.body.classList.add('standalone');
  return channel;
}
