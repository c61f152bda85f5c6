// The one module that loads the tree-sitter runtime. We use the web-tree-sitter build and
// the grammars that ship together in @vscode/tree-sitter-wasm (the ones VS Code uses), so
// the runtime and the grammar ABI always match. Loading is asynchronous and happens once;
// after that every parse is synchronous.
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import * as TreeSitter from '@vscode/tree-sitter-wasm';
import type { LintLanguage } from '../types';

export type TsParser = TreeSitter.Parser;
export type TsTree = TreeSitter.Tree;
export type TsNode = TreeSitter.Node;
export type TsLanguage = TreeSitter.Language;
export type TsEdit = TreeSitter.Edit;
export type TsTreeCursor = TreeSitter.TreeCursor;

/** Grammar file for each language id (JSX is part of the JavaScript grammar). */
const GRAMMAR_FILES: Record<LintLanguage, string> = {
  python: 'tree-sitter-python.wasm',
  typescript: 'tree-sitter-typescript.wasm',
  typescriptreact: 'tree-sitter-tsx.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  javascriptreact: 'tree-sitter-javascript.wasm',
};

interface Runtime {
  languages: Map<string, TsLanguage>;
  parsers: Map<LintLanguage, TsParser>;
}

let runtime: Runtime | undefined;
let loading: Promise<Runtime> | undefined;

/** Folder holding tree-sitter.wasm and the grammar .wasm files, resolved from node_modules. */
export function wasmFolder(): string {
  return dirname(require.resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter.wasm'));
}

async function load(): Promise<Runtime> {
  const folder = wasmFolder();
  await TreeSitter.Parser.init({ locateFile: (file: string) => join(folder, file) });
  const languages = new Map<string, TsLanguage>();
  const parsers = new Map<LintLanguage, TsParser>();
  for (const [id, file] of Object.entries(GRAMMAR_FILES) as [LintLanguage, string][]) {
    let language = languages.get(file);
    if (!language) {
      language = await TreeSitter.Language.load(readFileSync(join(folder, file)));
      languages.set(file, language);
    }
    const parser = new TreeSitter.Parser();
    parser.setLanguage(language);
    parsers.set(id, parser);
  }
  return { languages, parsers };
}

/** Loads the runtime and the grammars; safe to call many times. */
export async function initTreeSitter(): Promise<void> {
  if (runtime) return;
  loading ??= load();
  runtime = await loading;
}

export function isTreeSitterReady(): boolean {
  return runtime !== undefined;
}

/** The parser for a language. initTreeSitter() must have completed. */
export function parserFor(language: LintLanguage): TsParser {
  if (!runtime) throw new Error('attention-lint: the parser is not initialised; await initLinter() first');
  const parser = runtime.parsers.get(language);
  if (!parser) throw new Error(`attention-lint: no grammar for ${language}`);
  return parser;
}

/** Full parse, or an incremental one when `oldTree` (already edited) is given. */
export function parseText(language: LintLanguage, text: string, oldTree?: TsTree): TsTree {
  const tree = parserFor(language).parse(text, oldTree ?? null);
  if (!tree) throw new Error(`attention-lint: the ${language} parser returned no tree`);
  return tree;
}
