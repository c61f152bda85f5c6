// The probe's public data types. The probe RUNS a user's attention function on generated
// tensors and checks what it does (behaviour), where the static rules read what it says
// (spelling). Positions use the linter's TextRange: 0-based lines, UTF-16 columns.
import type { TextRange } from '../types';

export type ProbeLanguage = 'python' | 'typescript' | 'javascript';

/**
 * How the target takes its input:
 *   qkv  separate query, key and value tensors (a kernel: `def attention(q, k, v, mask=None)`)
 *   x    one input sequence; projections happen inside (`forward(self, x)` of an nn.Module),
 *        or with a second `memory` input for cross-attention (`forward(self, x, memory)`)
 *   chunks  not attention itself: a softmax that reads one row in chunks (`onlineSoftmax(chunks)`)
 */
export type ProbeStyle = 'qkv' | 'x' | 'chunks';

export interface ProbeParameter {
  name: string;
  hasDefault: boolean;
  /** Source text of the default value (`None`, `0.1`, …), when there is one. */
  defaultText?: string;
  /** Source text of the annotation (`number[][]`, `Tensor`, …) or JSDoc type. */
  typeText?: string;
  /** `*args` / `...rest` / `**kwargs`: never filled. */
  variadic?: boolean;
  keywordOnly?: boolean;
}

/** A function or module that looks like attention, found by parsing a source file. */
export interface ProbeTarget {
  /** Function name, or class name for a module. */
  name: string;
  kind: 'function' | 'module';
  language: ProbeLanguage;
  style: ProbeStyle;
  /** Call parameters (for a module: of `forward`, without `self`). */
  parameters: ProbeParameter[];
  /** A module's `__init__` parameters (without `self`). */
  constructorParameters?: ProbeParameter[];
  /** TS/JS: the export that holds it (`default` for a default export). */
  exportName?: string;
  /** The whole definition (for the CodeLens and diagnostics). */
  range: TextRange;
  /** The name identifier (where diagnostics are put). */
  nameRange: TextRange;
  /** Docstring, JSDoc and comments inside the definition: the source of shape hints. */
  docText: string;
  /** Source text of the definition: used only for intent hints (e.g. the word "causal"). */
  sourceText: string;
}

/**
 * How tensors are laid out for the call. B batch, H heads, L positions, D head size,
 * C = H·D model width (heads merged), T positions of a single input sequence.
 */
export type QkvLayout = 'BHLD' | 'BLHD' | 'BLD' | 'LD' | 'BLC';
export type XLayout = 'BTC' | 'TC' | 'TBC';
export type ProbeLayout = QkvLayout | XLayout;

/** The sizes used; deliberately all different so that axis mix-ups cannot cancel out. */
export interface ProbeDims {
  batch: number;
  queryHeads: number;
  kvHeads: number;
  /** Query length in cross trials (≠ keyLength). */
  queryLength: number;
  keyLength: number;
  /** Sequence length in self trials (query length = key length). */
  selfLength: number;
  headSize: number;
  /** C = queryHeads · headSize: input width of x-style modules. */
  modelWidth: number;
}

export type ProbeCheckId =
  | 'runs'
  | 'finite'
  | 'deterministic'
  | 'causal-leak'
  | 'causal-self'
  | 'rows-sum-to-one'
  | 'softmax-axis'
  | 'scale'
  | 'mask-convention'
  | 'masked-rows-nan'
  | 'reference-agreement'
  /** A `window` argument: the dependency map equals the engine's causal sliding window. */
  | 'sliding-window'
  /** `cos`/`sin` tables: shifting every position by the same amount leaves the weights unchanged. */
  | 'rotary-relative'
  /** forward(x, memory): one output row per target token, queries from x, keys/values from memory. */
  | 'cross-sources'
  /** A chunked softmax: the same row cut into different chunks gives the same weights. */
  | 'chunk-invariance';

/** A cell of a weight matrix: query row, key column (batch 0, head `head`). */
export interface ProbeCell {
  query: number;
  key: number;
  head?: number;
}

export interface ProbeCheck {
  id: ProbeCheckId;
  /** False only when the behaviour is proven wrong; skipped checks count as passed. */
  passed: boolean;
  status: 'pass' | 'fail' | 'skipped';
  /** One sentence a learner can act on, e.g. "position 2 changes when token 5 changes: …". */
  message: string;
  details?: {
    /** Output positions that changed, or rows that misbehave. */
    positions?: number[];
    /** Weight cells that prove the bug (a leak: the cells above the diagonal carrying weight). */
    cells?: ProbeCell[];
    /** Measured numbers: max |Δ|, effective scale, row sums… */
    values?: Record<string, number | string | boolean>;
  };
}

/** A weight matrix for display: batch 0, one head, [rows, cols] row-major. */
export interface ProbeMatrix {
  rows: number;
  cols: number;
  data: number[];
  /** Where it came from: returned by the function, read back with one-hot values, or captured from softmax. */
  source: 'returned' | 'recovered' | 'captured' | 'reference';
  head: number;
}

export interface ProbeResult {
  function: string;
  language: ProbeLanguage;
  /** The tensor layout the function accepted; undefined when no layout worked. */
  layout?: ProbeLayout;
  /** numpy / torch / jax for Python; nested / tensor / flat for TS/JS. */
  framework?: string;
  dims?: ProbeDims;
  /** Input shapes of the accepted call, for the report. */
  shapes?: Record<string, number[]>;
  /** Did the function behave as causal (masking the future on its own)? */
  causal?: 'none' | 'causal' | 'masked';
  checks: ProbeCheck[];
  /** The user's weights (self trial, batch 0, one head), when they could be read. */
  userWeights?: ProbeMatrix;
  /** The reference engine's weights on the same inputs. */
  referenceWeights?: ProbeMatrix;
  /** Cells of userWeights that violate a check (marked in the panel). */
  violatingCells?: ProbeCell[];
  /** About the run: interpreter and version, a memory limit that could not be set, constructor sizes. */
  notes?: string[];
  /** Wall time of the whole probe, in ms (informational). */
  elapsedMs?: number;
  /** Set when the probe could not run at all (no interpreter, import error, timeout…). */
  error?: ProbeFailure;
}

export type ProbeFailureKind =
  | 'no-interpreter'
  | 'missing-library'
  | 'import-error'
  | 'not-found'
  | 'cannot-call'
  | 'cannot-construct'
  | 'timeout'
  | 'memory'
  | 'crash'
  | 'cancelled'
  | 'unsupported';

export interface ProbeFailure {
  kind: ProbeFailureKind;
  /** What happened and what to do about it. */
  message: string;
  /** Last lines of the Python traceback / JS stack, when there is one. */
  detail?: string;
}

export interface ProbeOptions {
  /** Python interpreter (default `python3`). */
  pythonPath?: string;
  /** Time limit in seconds (default 10), applied to starting/importing and again to the calls. */
  timeoutSeconds?: number;
  /** Memory limit of the child (Python address space / worker heap), in MB (default 2048). */
  memoryLimitMB?: number;
  /** Seed of the generated tensors (default 1234). */
  seed?: number;
  /** Cancels the run (kills the child). */
  signal?: AbortSignal;
  /** Folder holding harness.py and script-worker.js; found from this file's location by default. */
  harnessFolder?: string;
}

export const DEFAULT_TIMEOUT_SECONDS = 10;
export const DEFAULT_MEMORY_LIMIT_MB = 2048;
export const DEFAULT_SEED = 1234;
