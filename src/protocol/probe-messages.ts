// The typed message protocol between the extension host and the "Probe results" webview.
// Both bundles import this file; it imports nothing. The host sends a report of one probe run
// (`probe/result`) after the webview says it is ready; the webview can ask to run the probe
// again or to reveal the probed function in the editor. Every incoming message is validated
// with the guards below before it is used: a webview is untrusted input to the host, and the
// host's data is checked before the webview draws it.

export const PROBE_VIEW_TYPE = 'attentionInspector.probeResults';
export const PROBE_TITLE = 'Probe results';

export const PROBE_CHECK_IDS = [
  'runs',
  'finite',
  'deterministic',
  'causal-leak',
  'causal-self',
  'rows-sum-to-one',
  'softmax-axis',
  'scale',
  'mask-convention',
  'masked-rows-nan',
  'reference-agreement',
  'sliding-window',
  'rotary-relative',
  'cross-sources',
  'chunk-invariance',
] as const;
export type ProbeCheckIdView = (typeof PROBE_CHECK_IDS)[number];

export type ProbeCheckStatus = 'pass' | 'fail' | 'skipped';

export interface ProbeCheckView {
  id: ProbeCheckIdView;
  status: ProbeCheckStatus;
  message: string;
}

/** One head's weights, batch 0: [rows × cols] row-major. NaN is allowed (it is the bug). */
export interface ProbeMatrixView {
  rows: number;
  cols: number;
  data: number[];
  source: 'returned' | 'recovered' | 'captured' | 'reference';
  head: number;
}

export interface ProbeCellView {
  query: number;
  key: number;
}

export interface ProbeReport {
  /** Increases with every run, so a late message from an older run is ignored. */
  runId: number;
  functionName: string;
  /** The file's name, for the title (never a path the webview could use). */
  fileLabel: string;
  language: 'python' | 'typescript' | 'javascript';
  layout?: string;
  framework?: string;
  causal?: 'none' | 'causal' | 'masked';
  /** Input shapes by name (q, k, v or x). */
  shapes?: Record<string, number[]>;
  checks: ProbeCheckView[];
  userWeights?: ProbeMatrixView;
  referenceWeights?: ProbeMatrixView;
  violatingCells?: ProbeCellView[];
  /** The probe could not run (no interpreter, import error, timeout…): what happened and what to do. */
  error?: { kind: string; message: string; detail?: string };
  /** About the run (interpreter, limits that could not be set). */
  notes?: string[];
  elapsedMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Messages

/** Host → webview. */
export type HostToProbe =
  /** A run started (the view shows a spinner and the function's name). */
  | { type: 'probe/running'; runId: number; functionName: string }
  /** A run finished (or could not start): the whole report. */
  | { type: 'probe/result'; report: ProbeReport };

/** Webview → host. */
export type ProbeToHost =
  /** The page is loaded and listening: send the current report. */
  | { type: 'probe/ready' }
  /** "Run again" on the report's function. */
  | { type: 'probe/rerun'; runId: number }
  /** "Go to function": reveal it in its editor. */
  | { type: 'probe/reveal'; runId: number };

// ---------------------------------------------------------------------------------------------
// Guards

const MAX_CELLS = 1 << 16;
const MAX_TEXT = 20000;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isText(v: unknown, max = MAX_TEXT): v is string {
  return typeof v === 'string' && v.length <= max;
}

function isCount(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

function isRunId(v: unknown): v is number {
  return isCount(v, Number.MAX_SAFE_INTEGER);
}

function isMatrix(v: unknown): v is ProbeMatrixView {
  if (!isObject(v)) return false;
  const { rows, cols, data, source, head } = v;
  if (!isCount(rows, 4096) || !isCount(cols, 4096) || !isCount(head, 4096)) return false;
  if (rows * cols > MAX_CELLS || !Array.isArray(data) || data.length !== rows * cols) return false;
  if (!data.every((x) => typeof x === 'number')) return false;
  return source === 'returned' || source === 'recovered' || source === 'captured' || source === 'reference';
}

function isCheck(v: unknown): v is ProbeCheckView {
  return (
    isObject(v) &&
    (PROBE_CHECK_IDS as readonly unknown[]).includes(v.id) &&
    (v.status === 'pass' || v.status === 'fail' || v.status === 'skipped') &&
    isText(v.message)
  );
}

function isShapes(v: unknown): v is Record<string, number[]> {
  return isObject(v) && Object.entries(v).every(([k, s]) => k.length <= 16 && Array.isArray(s) && s.length <= 8 && s.every((d) => isCount(d, 1 << 20)));
}

export function isProbeReport(v: unknown): v is ProbeReport {
  if (!isObject(v)) return false;
  if (!isRunId(v.runId) || !isText(v.functionName, 400) || !isText(v.fileLabel, 400)) return false;
  if (v.language !== 'python' && v.language !== 'typescript' && v.language !== 'javascript') return false;
  if (v.layout !== undefined && !isText(v.layout, 16)) return false;
  if (v.framework !== undefined && !isText(v.framework, 32)) return false;
  if (v.causal !== undefined && v.causal !== 'none' && v.causal !== 'causal' && v.causal !== 'masked') return false;
  if (v.shapes !== undefined && !isShapes(v.shapes)) return false;
  if (!Array.isArray(v.checks) || v.checks.length > 64 || !v.checks.every(isCheck)) return false;
  if (v.userWeights !== undefined && !isMatrix(v.userWeights)) return false;
  if (v.referenceWeights !== undefined && !isMatrix(v.referenceWeights)) return false;
  if (v.violatingCells !== undefined) {
    if (!Array.isArray(v.violatingCells) || v.violatingCells.length > MAX_CELLS) return false;
    if (!v.violatingCells.every((c) => isObject(c) && isCount(c.query, 4096) && isCount(c.key, 4096))) return false;
  }
  if (v.error !== undefined) {
    const e = v.error;
    if (!isObject(e) || !isText(e.kind, 40) || !isText(e.message) || (e.detail !== undefined && !isText(e.detail))) return false;
  }
  if (v.notes !== undefined && !(Array.isArray(v.notes) && v.notes.length <= 16 && v.notes.every((n) => isText(n, 1000)))) return false;
  if (v.elapsedMs !== undefined && !(typeof v.elapsedMs === 'number' && v.elapsedMs >= 0)) return false;
  return true;
}

export function isHostToProbe(v: unknown): v is HostToProbe {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'probe/running':
      return isRunId(v.runId) && isText(v.functionName, 400);
    case 'probe/result':
      return isProbeReport(v.report);
    default:
      return false;
  }
}

export function isProbeToHost(v: unknown): v is ProbeToHost {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'probe/ready':
      return Object.keys(v).length === 1;
    case 'probe/rerun':
    case 'probe/reveal':
      return isRunId(v.runId) && Object.keys(v).length === 2;
    default:
      return false;
  }
}
