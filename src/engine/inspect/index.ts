// Engines for callers that run them in their own process (the CLI, tests, lessons, and the
// engine child process itself). The VS Code host uses the child process instead.
import type { AttentionEngine, BackendKind, EngineEvent, InspectRequest } from '../engine-api';
import { ReferenceEngine } from '../reference-model';

export interface InProcessEngineOptions {
  threads?: number;
}

/** An engine of one backend; the ONNX one is required lazily so the reference works without ORT. */
export function createInProcessEngine(backend: BackendKind, options: InProcessEngineOptions = {}): AttentionEngine {
  if (backend === 'reference') return new ReferenceEngine();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { OnnxEngine } = require('../onnx/onnx-engine') as typeof import('../onnx/onnx-engine');
  return new OnnxEngine({ threads: options.threads });
}

/** Routes each request to the engine of its `backend`, creating each engine once. */
export class BackendRouter implements AttentionEngine {
  private readonly engines = new Map<BackendKind, AttentionEngine>();

  constructor(private readonly options: InProcessEngineOptions = {}) {}

  inspect(request: InspectRequest, emit: (event: EngineEvent) => void, signal?: AbortSignal): Promise<void> {
    let engine = this.engines.get(request.backend);
    if (!engine) {
      engine = createInProcessEngine(request.backend, this.options);
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
