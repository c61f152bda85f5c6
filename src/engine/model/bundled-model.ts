// Where the model that ships with the extension lives.
import { join } from 'node:path';

/** Folder name of the default bundled model under media/models/. */
export const BUNDLED_MODEL_NAME = 'mini-code';

/** media/models/<default> inside the extension (or repository) root. */
export function bundledModelDir(extensionRoot: string): string {
  return join(extensionRoot, 'media', 'models', BUNDLED_MODEL_NAME);
}
