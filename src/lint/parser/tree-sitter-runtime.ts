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
  cursorExports: CursorExports | undefined;
}

/**
 * The WebAssembly exports behind web-tree-sitter's TreeCursor. Its JavaScript wrapper copies
 * the cursor state into the module's transfer buffer and back around every call; a walk that
 * owns the buffer for its whole duration can call these directly and skip that copying
 * (convert-tree.ts). Each takes the tree's address; the cursor lives in the transfer buffer.
 */
export interface CursorExports {
  /** Address of the transfer buffer (the cursor state is its first 4 words). */
  transferBuffer: number;
  /** The module's current memory as 32-bit words (re-read after calls that may grow memory). */
  heap32(): Int32Array;
  gotoFirstChild(tree: number): number;
  gotoNextSibling(tree: number): number;
  gotoParent(tree: number): number;
  typeId(tree: number): number;
  fieldId(tree: number): number;
  isNamed(tree: number): number;
  startIndex(tree: number): number;
  endIndex(tree: number): number;
}

type WasmModule = Record<string, unknown>;

/** The raw exports when this web-tree-sitter build exposes them on its module object. */
function cursorExportsOf(module: WasmModule): CursorExports | undefined {
  const fn = (name: string): ((tree: number) => number) | undefined => {
    const f = module[name];
    return typeof f === 'function' ? (f as (tree: number) => number) : undefined;
  };
  const init = module._ts_init;
  const parts = {
    gotoFirstChild: fn('_ts_tree_cursor_goto_first_child_wasm'),
    gotoNextSibling: fn('_ts_tree_cursor_goto_next_sibling_wasm'),
    gotoParent: fn('_ts_tree_cursor_goto_parent_wasm'),
    typeId: fn('_ts_tree_cursor_current_node_type_id_wasm'),
    fieldId: fn('_ts_tree_cursor_current_field_id_wasm'),
    isNamed: fn('_ts_tree_cursor_current_node_is_named_wasm'),
    startIndex: fn('_ts_tree_cursor_start_index_wasm'),
    endIndex: fn('_ts_tree_cursor_end_index_wasm'),
  };
  if (typeof init !== 'function' || !(module.HEAP32 instanceof Int32Array)) return undefined;
  for (const f of Object.values(parts)) if (!f) return undefined;
  // ts_init only stores the ABI versions in the transfer buffer and returns its address.
  const transferBuffer = (init as () => number)();
  if (typeof transferBuffer !== 'number' || transferBuffer <= 0) return undefined;
  return { transferBuffer, heap32: () => module.HEAP32 as Int32Array, ...(parts as Omit<CursorExports, 'transferBuffer' | 'heap32'>) };
}

let runtime: Runtime | undefined;
let loading: Promise<Runtime> | undefined;

/** Folder holding tree-sitter.wasm and the grammar .wasm files, resolved from node_modules. */
export function wasmFolder(): string {
  return dirname(require.resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter.wasm'));
}

async function load(): Promise<Runtime> {
  const folder = wasmFolder();
  // Emscripten turns this options object into the module object (exports, memory views).
  const options = { locateFile: (file: string) => join(folder, file) };
  await TreeSitter.Parser.init(options);
  const module = options as unknown as WasmModule;
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
  return { languages, parsers, cursorExports: cursorExportsOf(module) };
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

/** Direct cursor exports, or undefined (then callers use the TreeCursor wrapper). */
export function cursorExports(): CursorExports | undefined {
  return runtime?.cursorExports;
}

/** Full parse, or an incremental one when `oldTree` (already edited) is given. */
export function parseText(language: LintLanguage, text: string, oldTree?: TsTree): TsTree {
  const tree = parserFor(language).parse(text, oldTree ?? null);
  if (!tree) throw new Error(`attention-lint: the ${language} parser returned no tree`);
  return tree;
}
