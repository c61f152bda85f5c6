// Public surface of the tokenizer adapter.
export { loadTokenizer, nativeTokenizerUnavailableReason, type LoadTokenizerOptions } from './load-tokenizer';
export type { EncodeOptions, TextTokenizer, TokenizerBackendName } from './text-tokenizer';
export { TokenizerFileError, idSpaceSize, parseTokenizerJson, type TokenizerJson } from './tokenizer-json';
export { OffsetRecoveryError } from './js-offset-alignment';
export { UnsupportedNormalizationError } from './aligned-normalizer';
