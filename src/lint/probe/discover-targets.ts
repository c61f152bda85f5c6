// Entry point of discovery: parse a file with the linter's tree-sitter adapter and list the
// functions and modules the probe can run (they get a `Probe attention` CodeLens).
import { LineIndex } from '../analysis/line-index';
import { convertSubtree } from '../parser/convert-tree';
import { initTreeSitter, parseText } from '../parser/tree-sitter-runtime';
import type { LintLanguage } from '../types';
import { discoverPython } from './discover-python';
import { discoverScript } from './discover-script';
import type { ProbeLanguage, ProbeTarget } from './probe-types';

/** The probe language of a VS Code language id or file extension, if the probe supports it. */
export function probeLanguageOf(languageIdOrPath: string): ProbeLanguage | undefined {
  const id = languageIdOrPath.toLowerCase();
  if (id === 'python' || /\.pyw?$/.test(id)) return 'python';
  if (id === 'typescript' || id === 'typescriptreact' || /\.(ts|mts|cts|tsx)$/.test(id)) return 'typescript';
  if (id === 'javascript' || id === 'javascriptreact' || /\.(js|mjs|cjs|jsx)$/.test(id)) return 'javascript';
  return undefined;
}

function grammarFor(language: ProbeLanguage, pathOrId: string): LintLanguage {
  if (language === 'typescript') return /tsx$|react$/.test(pathOrId) ? 'typescriptreact' : 'typescript';
  return language;
}

/** Attention-like targets in `text`; `languageIdOrPath` is a VS Code language id or a file name. */
export async function discoverProbeTargets(text: string, languageIdOrPath: string): Promise<ProbeTarget[]> {
  const language = probeLanguageOf(languageIdOrPath);
  if (!language) return [];
  await initTreeSitter();
  const tree = parseText(grammarFor(language, languageIdOrPath), text);
  try {
    const root = convertSubtree(tree, tree.rootNode, text);
    const lines = new LineIndex(text);
    return language === 'python' ? discoverPython(root, lines) : discoverScript(root, lines, language);
  } finally {
    tree.delete();
  }
}
