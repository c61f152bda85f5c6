// Public surface of model folders.
export { openModelFolder, MODEL_FILE, TOKENIZER_FILE, MANIFEST_FILE, type ModelFolder, type OpenModelFolderOptions } from './model-folder';
export { ModelFolderError, type ModelFolderErrorCode } from './model-folder-error';
export { validateManifest, type InspectorManifest, type SpecialTokenRole } from './inspector-manifest';
export { bundledModelDir, BUNDLED_MODEL_NAME } from './bundled-model';
export { findTokenEmbedding, tokenIdsInput, type TokenEmbedding } from './token-embedding';
