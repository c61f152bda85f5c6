// A plain JavaScript copy of a tree-sitter subtree. Crossing into WebAssembly for every
// property read is the slow part of web-tree-sitter, so the analysis works on this copy,
// built once per top-level definition with a single cursor walk.

export class SyntaxNode {
  parent: SyntaxNode | null = null;
  readonly children: SyntaxNode[] = [];

  constructor(
    readonly type: string,
    /** Start/end offsets in UTF-16 code units into `source` (set once while the copy is built). */
    public start: number,
    public end: number,
    readonly named: boolean,
    /** Field name under the parent (`function`, `arguments`, `left`, …), or null. */
    readonly field: string | null,
    readonly source: string,
  ) {}

  get text(): string {
    return this.source.slice(this.start, this.end);
  }

  /** First child under a grammar field name. */
  child(field: string): SyntaxNode | undefined {
    for (const c of this.children) if (c.field === field) return c;
    return undefined;
  }

  childrenOf(field: string): SyntaxNode[] {
    return this.children.filter((c) => c.field === field);
  }

  private namedMemo: SyntaxNode[] | undefined;
  private namedMemoFor = -1;

  /** Named children except comments (computed once; callers must not modify the array). */
  get namedChildren(): SyntaxNode[] {
    // The copy is built once and then only read; a later push to `children` (the linter's
    // module pseudo-node) is noticed by the length check.
    if (this.namedMemo === undefined || this.namedMemoFor !== this.children.length) {
      const out: SyntaxNode[] = [];
      for (const c of this.children) if (c.named && c.type !== 'comment') out.push(c);
      this.namedMemo = out;
      this.namedMemoFor = this.children.length;
    }
    return this.namedMemo;
  }

  /** Pre-order walk; return false from `visit` to skip a node's children. */
  walk(visit: (n: SyntaxNode) => boolean | void): void {
    const stack: SyntaxNode[] = [this];
    while (stack.length) {
      const n = stack.pop() as SyntaxNode;
      if (visit(n) === false) continue;
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    }
  }

  /** All descendants (and self) of the given types. */
  descendants(...types: string[]): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    this.walk((n) => {
      if (types.includes(n.type)) out.push(n);
    });
    return out;
  }

  ancestor(...types: string[]): SyntaxNode | undefined {
    for (let p = this.parent; p; p = p.parent) if (types.includes(p.type)) return p;
    return undefined;
  }

  contains(other: SyntaxNode): boolean {
    return other.start >= this.start && other.end <= this.end;
  }
}
