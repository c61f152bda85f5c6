// Public surface of the TypeScript reference forward pass.
export { ReferenceEngine, REFERENCE_PROVIDER, type ReferenceEngineOptions } from './reference-engine';
export { runDecoder, ForwardCancelled, type DecoderForwardOptions, type DecoderForwardResult } from './decoder-forward';
export { readDecoderWeights, UnsupportedArchitectureError, type DecoderWeights, type DecoderLayerWeights } from './decoder-weights';
