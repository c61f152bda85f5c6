// Copies a tree-sitter subtree into SyntaxNode objects with one cursor walk. Every cursor
// read is a call into WebAssembly, so the walk reads as little as it can: numeric type and
// field ids (names come from the language tables, "named" from a per-language cache), and
// offsets only for leaves — an inner node spans exactly from its first child to its last.
import { SyntaxNode } from './syntax-node';
import type { TsLanguage, TsNode, TsTree } from './tree-sitter-runtime';

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
  const language = tree.language;
  const types = language.types;
  const fields = language.fields;
  const named = namedTable(language);
  const cursor = tree.walk();
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
