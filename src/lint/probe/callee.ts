// The one interface between the probe's logic and a running user function: a Python
// subprocess (python-runner.ts) or a worker thread for TS/JS (script-runner.ts). The logic
// builds arguments, the callee runs the function and returns every tensor it produced.
import type { Tensor } from '../../engine/reference/tensor';
import type { ProbeFailure, ProbeFailureKind } from './probe-types';

export type ProbeValue =
  | { kind: 'tensor'; data: Float32Array; shape: number[]; dtype?: 'float32' | 'bool' }
  | { kind: 'none' }
  | { kind: 'int'; value: number }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean };

export interface ProbeArgument {
  name: string;
  value: ProbeValue;
  /** Pass by position (Python positional-only parameters; always for TS/JS). */
  positional: boolean;
}

/** How a TS/JS function takes tensors. */
export type ScriptForm = 'nested' | 'tensor' | 'flat';

export interface CallRequest {
  args: ProbeArgument[];
  /** TS/JS only: how tensors are passed. */
  form?: ScriptForm;
  /** Python only: numpy / torch / jax (default: what the file imports). */
  framework?: string;
  /** Python only: seeds random, NumPy and PyTorch before the call (same seed → same dropout masks). */
  seed?: number;
}

export interface NamedTensor extends Tensor {
  name: string;
}

export type CallOutcome =
  | { ok: true; outputs: NamedTensor[]; captured: NamedTensor[] }
  | { ok: false; errorType: string; message: string; detail?: string };

/** A parameter as the runtime sees it (Python's inspect.signature; the parsed list for TS/JS). */
export interface RuntimeParameter {
  name: string;
  kind: 'positional' | 'keyword' | 'either' | 'variadic';
  hasDefault: boolean;
  default?: number | boolean | string | null;
  typeText?: string;
}

export interface LoadedTarget {
  framework: string;
  parameters: RuntimeParameter[];
  /** Constructor arguments the harness chose for a module. */
  constructedWith: Record<string, number | boolean | string>;
  /** Notes for the report (e.g. that no memory limit could be set on this platform). */
  notes: string[];
}

export interface ProbeCallee {
  readonly loaded: LoadedTarget;
  call(request: CallRequest): Promise<CallOutcome>;
  dispose(): void;
}

/** A failure that ends the whole probe (timeout, crash, missing interpreter…). */
export class ProbeAbort extends Error {
  constructor(readonly failure: ProbeFailure) {
    super(failure.message);
  }
}

export function abort(kind: ProbeFailureKind, message: string, detail?: string): ProbeAbort {
  return new ProbeAbort({ kind, message, detail });
}
