// Copies a tree-sitter subtree into SyntaxNode objects with one cursor walk. Every cursor
// read is a call into WebAssembly, so the walk reads as little as it can: numeric type and
// field ids (names come from the language tables, "named" from a per-language cache), and
// offsets only for leaves — an inner node spans exactly from its first child to its last.
// Where the module's cursor exports are reachable, the walk calls them directly and keeps
// the cursor in the transfer buffer throughout, instead of paying the TreeCursor wrapper's
// copy in and out of WebAssembly memory around every single step.
import { SyntaxNode } from './syntax-node';
import { cursorExports } from './tree-sitter-runtime';
import type { CursorExports, TsLanguage, TsNode, TsTree, TsTreeCursor } from './tree-sitter-runtime';

const namedTables = new WeakMap<TsLanguage, boolean[]>();

function namedTable(language: TsLanguage): boolean[] {
  let t = namedTables.get(language);
  if (!t) {
    t = [];
    for (let id = 0; id < language.nodeTypeCount; id++) t[id] = language.nodeTypeIsNamed(id);
    namedTables.set(language, t);
  }
  return t;
}

export function convertSubtree(tree: TsTree, root: TsNode, source: string): SyntaxNode {
  const direct = cursorExports();
  return direct ? convertDirect(direct, tree, root, source) : convertSubtreeWithCursor(tree, root, source);
}

/** The cursor state words web-tree-sitter keeps on its objects (internal, numeric keys). */
type Words = Record<number, number>;

function convertDirect(x: CursorExports, tree: TsTree, root: TsNode, source: string): SyntaxNode {
  const language = tree.language;
  const types = language.types;
  const fields = language.fields;
  const named = namedTable(language);
  const treeAddress = (tree as unknown as Words)[0];
  const cursor = tree.walk();
  const state = cursor as unknown as Words;
  const words = x.transferBuffer >> 2;
  try {
    cursor.reset(root);
    const top = new SyntaxNode(root.type, root.startIndex, root.endIndex, root.isNamed, null, source);
    // Hand the cursor to the transfer buffer; from here on it lives there.
    let heap = x.heap32();
    for (let i = 0; i < 4; i++) heap[words + i] = state[i];
    try {
      const stack: SyntaxNode[] = [top];
      if (!x.gotoFirstChild(treeAddress)) return top;
      for (;;) {
        const typeId = x.typeId(treeAddress);
        const fieldId = x.fieldId(treeAddress);
        const type = types[typeId] ?? 'ERROR';
        const isNamed = named[typeId] ?? x.isNamed(treeAddress) === 1;
        const node = new SyntaxNode(type, -1, -1, isNamed, fieldId ? fields[fieldId] ?? null : null, source);
        const parent = stack[stack.length - 1];
        node.parent = parent;
        parent.children.push(node);
        if (x.gotoFirstChild(treeAddress)) {
          stack.push(node);
          continue;
        }
        // A leaf: read its offsets.
        node.start = x.startIndex(treeAddress);
        node.end = x.endIndex(treeAddress);
        while (!x.gotoNextSibling(treeAddress)) {
          if (!x.gotoParent(treeAddress) || stack.length === 1) return top;
          const done = stack.pop() as SyntaxNode;
          done.start = done.children[0].start;
          done.end = done.children[done.children.length - 1].end;
        }
      }
    } finally {
      // Take the (possibly reallocated) cursor state back so the wrapper frees the right memory.
      heap = x.heap32();
      for (let i = 0; i < 4; i++) state[i] = heap[words + i];
    }
  } finally {
    cursor.delete();
  }
}

/** The same copy through web-tree-sitter's TreeCursor wrapper (the portable path). */
export function convertSubtreeWithCursor(tree: TsTree, root: TsNode, source: string): SyntaxNode {
  const language = tree.language;
  const types = language.types;
  const fields = language.fields;
  const named = namedTable(language);
  const cursor: TsTreeCursor = tree.walk();
  try {
    cursor.reset(root);
    const top = new SyntaxNode(root.type, root.startIndex, root.endIndex, root.isNamed, null, source);
    const stack: SyntaxNode[] = [top];
    if (!cursor.gotoFirstChild()) return top;
    for (;;) {
      const typeId = cursor.nodeTypeId;
      const fieldId = cursor.currentFieldId;
      const node = new SyntaxNode(types[typeId] ?? cursor.nodeType, -1, -1, named[typeId] ?? cursor.nodeIsNamed, fieldId ? fields[fieldId] ?? null : null, source);
      const parent = stack[stack.length - 1];
      node.parent = parent;
      parent.children.push(node);
      if (cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      // A leaf: read its offsets.
      node.start = cursor.startIndex;
      node.end = cursor.endIndex;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || stack.length === 1) return top;
        const done = stack.pop() as SyntaxNode;
        done.start = done.children[0].start;
        done.end = done.children[done.children.length - 1].end;
      }
    }
  } finally {
    cursor.delete();
  }
}
