// Engines for callers that run them in their own process (the CLI, tests, lessons, and the
// engine child process itself). The VS Code host uses the child process instead
// (src/engine/process/engine-process-client.ts), which runs these same engines.
import type { AttentionEngine, BackendKind, EngineEmit, InspectRequest } from '../engine-api';
import { analyzingEngine } from '../patterns/analysis-stream';
import type { AttentionRoute } from '../onnx/onnx-engine';
import { ReferenceEngine } from '../reference-model';

export interface InProcessEngineOptions {
  /** ONNX Runtime intra-op threads; 0 or absent = automatic. */
  threads?: number;
  /** Largest memory one layer's weights may need, in MB (the engine refuses beyond it). */
  memoryLimitMB?: number;
  /** ONNX route: 'auto' (default), 'weights' (fetch probabilities) or 'qk' (recompute from Q and K). */
  route?: AttentionRoute;
  /** Above this many MB of probabilities, auto recomputes from Q and K. */
  recomputeAboveMB?: number;
  /** Keep ORT's CPU memory arena: about 2× faster ORT runs at 2,048 tokens, memory kept at its peak (good for one-shot CLI runs). */
  memoryArena?: boolean;
  /** Awaited after each emitted layer (the engine process's send queue), so layers do not pile up. */
  drain?: () => Promise<void>;
}

/** An engine of one backend; the ONNX one is required lazily so the reference works where onnxruntime-node cannot load. */
export function createInProcessEngine(backend: BackendKind, options: InProcessEngineOptions = {}): AttentionEngine {
  // Both honour InspectRequest.analyze through the same analysis stream.
  if (backend === 'reference') return analyzingEngine(new ReferenceEngine());
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { OnnxEngine } = require('../onnx/onnx-engine') as typeof import('../onnx/onnx-engine');
  return analyzingEngine(new OnnxEngine(options));
}

/** Routes each request to the engine of its `backend`, creating each engine once. */
export class BackendRouter implements AttentionEngine {
  private readonly engines = new Map<BackendKind, AttentionEngine>();

  constructor(private readonly options: InProcessEngineOptions = {}) {}

  async inspect(request: InspectRequest, emit: EngineEmit, signal?: AbortSignal): Promise<void> {
    let engine = this.engines.get(request.backend);
    if (!engine) {
      try {
        engine = createInProcessEngine(request.backend, this.options);
      } catch (e) {
        // onnxruntime-node failed to load its native library on this platform.
        emit({
          type: 'error',
          runId: request.runId,
          message: `The ${request.backend} backend cannot start here: ${(e as Error).message.split('\n')[0]}. The reference backend (attentionInspector.backend = "reference") works without native code.`,
        });
        return;
      }
      this.engines.set(request.backend, engine);
    }
    return engine.inspect(request, emit, signal);
  }

  async dispose(): Promise<void> {
    const all = [...this.engines.values()];
    this.engines.clear();
    await Promise.all(all.map((e) => e.dispose()));
  }
}
