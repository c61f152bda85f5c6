// Adds the head-pattern analysis to an engine's event stream (InspectRequest.analyze): after
// each 'layer' event comes an 'analysis' event for that layer, and 'done' only after the last
// of them. Each analysis runs once the layer has been handed on (when `emit` returns a promise,
// after it settles), so the layer's thumbnails are never held up by its own analysis — and the
// extension host, which only receives the results, never spends its thread on them.
import type { AttentionEngine, EngineEmit, EngineEvent, InspectRequest, TokenSpan } from '../engine-api';
import { analyzeLayerAttention } from './layer-attention-analysis';

export interface AnalysisStream {
  emit: EngineEmit;
  /** Resolves when every analysis (and a held-back 'done') has been emitted. */
  settled(): Promise<void>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function analysisStream(emit: EngineEmit, signal?: AbortSignal): AnalysisStream {
  let tokens: TokenSpan[] = [];
  let causal = false;
  let chain: Promise<void> = Promise.resolve();
  const stream: EngineEmit = (event: EngineEvent) => {
    switch (event.type) {
      case 'tokens':
        tokens = event.tokens;
        causal = event.model.causal;
        return emit(event);
      case 'layer': {
        // In the engine process `emit` returns when the layer has left: analyse after that.
        const consumer = emit(event);
        chain = chain
          .then(() => Promise.resolve(consumer).catch(() => undefined))
          .then(nextTurn)
          .then(() => {
            if (signal?.aborted) return;
            const { heads, findings } = analyzeLayerAttention(event, tokens, causal);
            emit({ type: 'analysis', runId: event.runId, layer: event.layer, kind: event.kind, heads, findings });
          });
        return consumer;
      }
      case 'done':
        chain = chain.then(() => {
          if (!signal?.aborted) emit(event);
        });
        return undefined;
      default:
        return emit(event);
    }
  };
  return { emit: stream, settled: () => chain };
}

/** An engine that honours InspectRequest.analyze on top of one that only computes weights. */
export function analyzingEngine(engine: AttentionEngine): AttentionEngine {
  return {
    async inspect(request: InspectRequest, emit: EngineEmit, signal?: AbortSignal): Promise<void> {
      if (!request.analyze) return engine.inspect(request, emit, signal);
      const stream = analysisStream(emit, signal);
      await engine.inspect(request, stream.emit, signal);
      await stream.settled();
    },
    dispose: () => engine.dispose(),
  };
}
