// Answers the panel's data requests from stored layers: full-resolution heads at the asked
// precision, and a token's row/column averaged over a head selection. Shared by the VS Code
// host and the standalone HTML report so both panels behave the same.
import type { LayerAttention } from '../engine/engine-api';
import type { HeadWeights, HostToPanel, PanelToHost, TokenAttention } from '../protocol/panel-messages';
import { maxOf, quantizeU16, quantizeU8 } from '../protocol/quantize';
import { tokenAttention } from './token-attention';

export interface LayerSource {
  /** The layer's weights, or undefined when not (yet, or no longer) available. */
  layer(runId: number, layer: number): LayerAttention | undefined | Promise<LayerAttention | undefined>;
  layerCount(runId: number): number;
}

type Request = Extract<PanelToHost, { type: 'head/request' } | { type: 'token/request' }>;

export async function answerPanelRequest(request: Request, source: LayerSource): Promise<HostToPanel> {
  try {
    if (request.type === 'head/request') {
      const layer = await source.layer(request.runId, request.layer);
      if (!layer) return { type: 'request/error', requestId: request.requestId, message: `Layer ${request.layer} is not available.` };
      if (request.head >= layer.heads) return { type: 'request/error', requestId: request.requestId, message: `Head ${request.head} does not exist.` };
      const n = layer.queryLength * layer.keyLength;
      // slice(): a view would send the whole layer's buffer across the webview boundary.
      const exact = layer.weights.slice(request.head * n, (request.head + 1) * n);
      let data: HeadWeights['data'];
      let scale = 1;
      if (request.precision === 'f32') data = exact;
      else if (request.precision === 'u16') ({ data, scale } = quantizeU16(exact, maxOf(exact)));
      else ({ data, scale } = quantizeU8(exact, maxOf(exact)));
      return {
        type: 'head/data',
        head: { requestId: request.requestId, runId: request.runId, layer: request.layer, head: request.head, queryLength: layer.queryLength, keyLength: layer.keyLength, precision: request.precision, data, scale },
      };
    }
    const sel = request.selection;
    const layerIds = sel.kind === 'all' ? [...Array(source.layerCount(request.runId)).keys()] : [sel.layer];
    const layers: LayerAttention[] = [];
    for (const id of layerIds) {
      const l = await source.layer(request.runId, id);
      if (!l) return { type: 'request/error', requestId: request.requestId, message: `Layer ${id} is not available yet.` };
      layers.push(l);
    }
    const values = tokenAttention(layers, (l) => (sel.kind === 'head' ? [sel.head] : [...Array(l.heads).keys()]), request.token, request.direction);
    const attention: TokenAttention = { requestId: request.requestId, runId: request.runId, token: request.token, direction: request.direction, values };
    return { type: 'token/data', attention };
  } catch (e) {
    return { type: 'request/error', requestId: request.requestId, message: e instanceof Error ? e.message : String(e) };
  }
}
