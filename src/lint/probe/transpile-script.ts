// TypeScript / ES-module JavaScript → CommonJS for the probe's script worker
// (media/probe/script-worker.js), which loads the user's module with require(). Built into
// dist/probe-transpile.js, so the installed extension needs no compiler in node_modules.
// Sucrase only removes types and rewrites import/export: line numbers stay those of the
// user's file, so stack traces point at their code.
import { transform, type Transform } from 'sucrase';

export type ScriptLoader = 'ts' | 'tsx' | 'js';

export function transpileScript(source: string, filename: string, loader: ScriptLoader): string {
  const transforms: Transform[] = loader === 'js' ? ['imports'] : loader === 'tsx' ? ['typescript', 'jsx', 'imports'] : ['typescript', 'imports'];
  return transform(source, { transforms, filePath: filename, production: true }).code;
}
