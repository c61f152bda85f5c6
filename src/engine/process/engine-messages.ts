// Messages between the host and the engine child process, sent with Node's 'advanced'
// serialization (structured clone), so typed arrays travel as binary, not JSON.
//
// A layer's weights above LAYER_CHUNK_FLOATS travel as one 'layer-start' and several
// 'layer-chunk' messages, which the host copies into one Float32Array: a single 500 MB
// message would be held three times at once (child's serialized copy, host's receive buffer,
// host's deserialized array).
import type { EngineEvent, InspectRequest, LayerAttention } from '../engine-api';

/** 4 M floats = 16 MB per chunk. */
export const LAYER_CHUNK_FLOATS = 4 * 1024 * 1024;

/** Ways to end the child on purpose, for tests of the host's crash handling only. */
export type TestCrashMode = 'abort' | 'exit' | 'heap' | 'hang';

export type HostToEngine =
  | { type: 'inspect'; request: InspectRequest }
  | { type: 'cancel'; runId: number }
  | { type: 'dispose' }
  /** Honoured only by a child started with ATTN_ENGINE_TEST_HOOKS=1 (never by the extension). */
  | { type: 'test-crash'; mode: TestCrashMode };

export type EngineToHost =
  | { type: 'ready'; pid: number }
  | { type: 'event'; event: EngineEvent }
  | { type: 'layer-start'; layer: Omit<LayerAttention, 'weights'>; length: number }
  | { type: 'layer-chunk'; runId: number; layer: number; offset: number; data: Float32Array }
  /** The child finished with a run (done, failed or cancelled) and takes the next one. */
  | { type: 'ended'; runId: number };

/** Environment variables the client sets for the child. */
export const ENGINE_ENV = {
  threads: 'ATTN_ENGINE_THREADS',
  memoryLimitMB: 'ATTN_ENGINE_MEMORY_MB',
  route: 'ATTN_ENGINE_ROUTE',
  recomputeAboveMB: 'ATTN_ENGINE_RECOMPUTE_MB',
  testHooks: 'ATTN_ENGINE_TEST_HOOKS',
  chunkFloats: 'ATTN_ENGINE_CHUNK_FLOATS',
} as const;
