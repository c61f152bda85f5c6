// Every message from the webview is untrusted input: check its shape before the host acts
// on it. Returns the typed message, or a reason string for the log.
import type { PanelToHost, Precision, HeadSelection, ExportFormat } from './panel-messages';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1e9;
const PRECISIONS: readonly Precision[] = ['u8', 'u16', 'f32'];
const FORMATS: readonly ExportFormat[] = ['csv', 'json', 'npy'];
const MAX_PNG_BYTES = 64 * 1024 * 1024;

function isSelection(v: unknown): v is HeadSelection {
  if (!isObj(v)) return false;
  if (v.kind === 'all') return true;
  if (v.kind === 'layer') return isIndex(v.layer);
  if (v.kind === 'head') return isIndex(v.layer) && isIndex(v.head);
  return false;
}

export function validatePanelMessage(m: unknown): PanelToHost | string {
  if (!isObj(m) || typeof m.type !== 'string') return 'not a message object';
  switch (m.type) {
    case 'ready':
      if (m.restoredRunId !== undefined && !isIndex(m.restoredRunId)) return 'ready: bad restoredRunId';
      return { type: 'ready', restoredRunId: m.restoredRunId as number | undefined };
    case 'head/request':
      if (!isIndex(m.requestId) || !isIndex(m.runId) || !isIndex(m.layer) || !isIndex(m.head)) return 'head/request: bad indices';
      if (!PRECISIONS.includes(m.precision as Precision)) return 'head/request: bad precision';
      return { type: 'head/request', requestId: m.requestId, runId: m.runId, layer: m.layer, head: m.head, precision: m.precision as Precision };
    case 'token/request':
      if (!isIndex(m.requestId) || !isIndex(m.runId) || !isIndex(m.token)) return 'token/request: bad indices';
      if (m.direction !== 'pays' && m.direction !== 'receives') return 'token/request: bad direction';
      if (!isSelection(m.selection)) return 'token/request: bad selection';
      return { type: 'token/request', requestId: m.requestId, runId: m.runId, token: m.token, direction: m.direction, selection: m.selection };
    case 'token/hover':
      if (!isIndex(m.runId) || (m.token !== null && !isIndex(m.token))) return 'token/hover: bad indices';
      return { type: 'token/hover', runId: m.runId, token: m.token as number | null };
    case 'token/reveal':
      if (!isIndex(m.runId) || !isIndex(m.token)) return 'token/reveal: bad indices';
      return { type: 'token/reveal', runId: m.runId, token: m.token };
    case 'export/weights':
      if (!isIndex(m.runId) || !isIndex(m.layer) || (m.head !== undefined && !isIndex(m.head))) return 'export/weights: bad indices';
      if (!FORMATS.includes(m.format as ExportFormat)) return 'export/weights: bad format';
      return { type: 'export/weights', runId: m.runId, format: m.format as ExportFormat, layer: m.layer, head: m.head as number | undefined };
    case 'export/png': {
      if (!isIndex(m.runId) || typeof m.name !== 'string' || !/^[\w.-]{1,80}$/.test(m.name)) return 'export/png: bad name';
      if (!(m.png instanceof Uint8Array) || m.png.byteLength > MAX_PNG_BYTES) return 'export/png: bad image bytes';
      const png = m.png;
      const signature = [0x89, 0x50, 0x4e, 0x47];
      if (!signature.every((b, i) => png[i] === b)) return 'export/png: not a PNG';
      return { type: 'export/png', runId: m.runId, name: m.name, png };
    }
    case 'run/again':
      return { type: 'run/again' };
    default:
      return `unknown message type ${JSON.stringify(m.type).slice(0, 40)}`;
  }
}
