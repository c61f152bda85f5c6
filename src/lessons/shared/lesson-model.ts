// The model a lesson reads real weights from (the bundled model by default): its tokenizer
// and its decoder weights, decoded by the engine once per folder. Lessons that need it take
// a LessonEnvironment, so tests can point them at a fixture model and the extension at the
// configured one.
import type { AttentionEngine } from '../../engine/engine-api';
import { ModelFolderError } from '../../engine/model/model-folder-error';
import { openModelFolder } from '../../engine/model/model-folder';
import { loadExternalData } from '../../engine/onnx/proto';
import { readDecoderWeights, type DecoderWeights } from '../../engine/reference-model/decoder-weights';
import type { TextTokenizer } from '../../engine/tokenizer/text-tokenizer';

export interface LessonModel {
  name: string;
  dir: string;
  weights: DecoderWeights;
  tokenizer: TextTokenizer;
}

/** What lessons may use beyond their parameters. Every field is optional: lessons degrade without it. */
export interface LessonEnvironment {
  /** Folder of the model lessons read (model.onnx + tokenizer.json). */
  modelDir?: string;
  /** The engine that computes a model's attention (the panel's, or an in-process one). */
  engine?: () => AttentionEngine;
}

const cache = new Map<string, Promise<LessonModel>>();

/** Opens a model folder for lessons (cached per folder; a failure is not cached). */
export function loadLessonModel(dir: string): Promise<LessonModel> {
  let pending = cache.get(dir);
  if (!pending) {
    pending = openModelFolder(dir).then((folder) => {
      if (folder.hasExternalData) loadExternalData(folder.model, folder.dir);
      return { name: folder.name, dir: folder.dir, weights: readDecoderWeights(folder.model, folder.manifest), tokenizer: folder.tokenizer };
    });
    pending.catch(() => cache.delete(dir));
    cache.set(dir, pending);
  }
  return pending;
}

/** Forget cached models (after the model setting changes). */
export function clearLessonModels(): void {
  cache.clear();
}

/** A reason a learner can act on, from whatever the loader threw. */
export function modelProblem(e: unknown): string {
  if (e instanceof ModelFolderError) return e.describe();
  return e instanceof Error ? e.message : String(e);
}

/** The environment's model, or the reason there is none. */
export async function tryLessonModel(env: LessonEnvironment): Promise<{ model: LessonModel } | { reason: string }> {
  if (!env.modelDir) return { reason: 'No model folder is configured for lessons.' };
  try {
    return { model: await loadLessonModel(env.modelDir) };
  } catch (e) {
    return { reason: `The model in ${env.modelDir} could not be used: ${modelProblem(e)}` };
  }
}
