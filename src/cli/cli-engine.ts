// Which engine the CLI runs, in process: the ONNX Runtime engine or the TypeScript reference.
import type { AttentionEngine, BackendKind } from '../engine/engine-api';
import { ReferenceEngine } from '../engine/reference-model';

export function createCliEngine(backend: BackendKind): AttentionEngine {
  if (backend === 'reference') return new ReferenceEngine();
  // The ONNX engine is loaded lazily so `--backend reference` works where onnxruntime-node cannot load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createInProcessEngine } = require('../engine/inspect') as typeof import('../engine/inspect');
  return createInProcessEngine('onnx');
}
