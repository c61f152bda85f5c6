// Copies a tree-sitter subtree into SyntaxNode objects with one cursor walk (numeric type
// and field ids are read instead of strings; the names come from the language tables).
import { SyntaxNode } from './syntax-node';
import type { TsNode, TsTree } from './tree-sitter-runtime';

export function convertSubtree(tree: TsTree, root: TsNode, source: string): SyntaxNode {
  const language = tree.language;
  const types = language.types;
  const fields = language.fields;
  const cursor = tree.walk();
  try {
    cursor.reset(root);
    const top = new SyntaxNode(root.type, root.startIndex, root.endIndex, root.isNamed, null, source);
    const stack: SyntaxNode[] = [top];
    if (!cursor.gotoFirstChild()) return top;
    for (;;) {
      const typeId = cursor.nodeTypeId;
      const fieldId = cursor.currentFieldId;
      const node = new SyntaxNode(
        types[typeId] ?? cursor.nodeType,
        cursor.startIndex,
        cursor.endIndex,
        cursor.nodeIsNamed,
        fieldId ? fields[fieldId] ?? null : null,
        source,
      );
      const parent = stack[stack.length - 1];
      node.parent = parent;
      parent.children.push(node);
      if (cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || stack.length === 1) return top;
        stack.pop();
      }
    }
  } finally {
    cursor.delete();
  }
}
