// The contract between whoever asks for attention (the VS Code host, the CLI, lessons)
// and whoever computes it (the ONNX Runtime backend or the TypeScript reference, in
// process or in the engine child process). Plain data only: everything here must survive
// structured cloning (child_process advanced serialization) and carries typed arrays,
// never number[] for weights.
import type { HeadReport, MaskingFinding } from './patterns/pattern-types';

export type BackendKind = 'onnx' | 'reference';

/** Execution provider preference; 'auto' tries GPU providers first, then CPU. */
export type ExecutionProviderPreference = 'auto' | 'cpu' | 'cuda' | 'webgpu' | 'dml' | 'coreml';

/** One token of the inspected text, with its span as UTF-16 offsets into that text. */
export interface TokenSpan {
  id: number;
  text: string;
  start: number;
  end: number;
  special: boolean;
}

export interface InspectRequest {
  runId: number;
  text: string;
  /** Folder holding model.onnx + tokenizer.json (+ inspector.json). */
  modelDir: string;
  backend: BackendKind;
  executionProvider: ExecutionProviderPreference;
  /** Longer inputs are refused with a clear message (not truncated silently). */
  maxTokens: number;
  /** Layers to compute weights for; all when absent. */
  layers?: number[];
  /** Text of the encoder side for encoder-decoder models (cross-attention); absent otherwise. */
  sourceText?: string;
  /** Also run the head-pattern analysis and masking checks: an 'analysis' event follows each layer (engines from createInProcessEngine, and so the engine process, honour it). */
  analyze?: boolean;
}

/** What the backend actually used, reported with every result. */
export interface ProviderReport {
  backend: BackendKind;
  /** e.g. 'cpu', 'cuda', 'webgpu' for ONNX; 'typescript' for the reference. */
  provider: string;
  /** Providers tried before this one and why each failed (shown to the user, not swallowed). */
  fallbacks: { provider: string; reason: string }[];
}

export interface ModelSummary {
  name: string;
  layers: number;
  heads: number;
  causal: boolean;
  /** 'weights' when the graph exposes probabilities, 'qk' when they are recomputed from Q and K. */
  route: 'weights' | 'qk';
  notes: string[];
}

/** Attention of one module (self-attention of a layer, or a decoder's cross-attention). */
export interface LayerAttention {
  runId: number;
  layer: number;
  /** 'self' | 'cross' | 'encoder' …: which attention module of the layer. */
  kind: string;
  heads: number;
  queryLength: number;
  keyLength: number;
  /** Softmax probabilities, row-major [heads, queryLength, keyLength]. */
  weights: Float32Array;
}

/** Events an engine emits for one run, in order: tokens, then layers as they finish, then done. */
export type EngineEvent =
  | { type: 'tokens'; runId: number; tokens: TokenSpan[]; sourceTokens?: TokenSpan[]; model: ModelSummary; provider: ProviderReport }
  | ({ type: 'layer' } & LayerAttention)
  /** With `analyze`: the head patterns and masking findings of the layer just sent (before 'done'). */
  | { type: 'analysis'; runId: number; layer: number; kind: string; heads: HeadReport[]; findings: MaskingFinding[] }
  | { type: 'done'; runId: number; elapsedMs: number }
  | { type: 'error'; runId: number; message: string; detail?: string };

/**
 * Receives a run's events. For a layer event it may return a promise that settles once the layer
 * has been handed on (the engine process returns the send of the layer): the analysis of that
 * layer starts only then, so it never holds up the layer itself.
 */
export type EngineEmit = (event: EngineEvent) => unknown;

export interface AttentionEngine {
  /** Runs one inspection, calling `emit` for each event; resolves when done, cancelled or failed. */
  inspect(request: InspectRequest, emit: EngineEmit, signal?: AbortSignal): Promise<void>;
  /** Frees sessions and memory. */
  dispose(): Promise<void>;
}
