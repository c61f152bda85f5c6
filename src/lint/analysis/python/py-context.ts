// File- and class-level context for evaluating Python functions: import aliases, module
// constants and helper functions, class attributes set in __init__/setup, float16 evidence.
import type { SyntaxNode } from '../../parser/syntax-node';
import type { Val } from '../values';

export interface PyClassContext {
  node: SyntaxNode;
  name: string;
  /** Subclass of torch.nn.Module / flax.linen.Module (by its bases). */
  isModule: boolean;
  isFlax: boolean;
  methods: Map<string, SyntaxNode>;
  /** self.<attr> values after __init__ / setup. */
  attrs: Map<string, Val>;
  /** Names of dataclass-style fields (flax) and __init__ parameters. */
  fields: Set<string>;
  docText: string;
  /** Identifier texts used anywhere in the class. */
  identifiers: Set<string>;
}

export interface PyFileContext {
  source: string;
  /** Local name → dotted path ("F" → "torch.nn.functional", "rearrange" → "einops.rearrange"). */
  aliases: Map<string, string>;
  /** Module-level functions by name (converted on first use). */
  functions: LazyDefinitions;
  /** Module-level NAME = <expr> assignments: name → the right-hand side (converted on first use). */
  constants: LazyDefinitions;
  /** A float16 hint somewhere in the file (node for the message), or undefined. */
  fp16?: { text: string };
  /** Helper function return values, memoised per call site signature. */
  summaries: Map<string, Val | null>;
  classes: Map<string, PyClassContext>;
}

/** Module roots recognised even without an import (snippets, notebooks with earlier cells). */
const DEFAULT_ALIASES: [string, string][] = [
  ['torch', 'torch'],
  ['F', 'torch.nn.functional'],
  ['nn', 'torch.nn'],
  ['np', 'numpy'],
  ['numpy', 'numpy'],
  ['jnp', 'jax.numpy'],
  ['jax', 'jax'],
  ['math', 'math'],
  ['einops', 'einops'],
  ['tf', 'tensorflow'],
  ['scipy', 'scipy'],
  ['flax', 'flax'],
  ['lax', 'jax.lax'],
];

export function defaultAliases(): Map<string, string> {
  return new Map(DEFAULT_ALIASES);
}

/** Records `import a.b as c`, `from a import b as c` into the alias table. */
export function addImport(aliases: Map<string, string>, stmt: SyntaxNode): void {
  if (stmt.type === 'import_statement') {
    for (const c of stmt.namedChildren) {
      if (c.type === 'dotted_name') {
        const root = c.text.split('.')[0];
        aliases.set(root, root);
      } else if (c.type === 'aliased_import') {
        const name = c.child('name')?.text;
        const alias = c.child('alias')?.text;
        if (name && alias) aliases.set(alias, name);
      }
    }
    return;
  }
  if (stmt.type === 'import_from_statement') {
    const mod = stmt.child('module_name')?.text;
    if (!mod) return;
    for (const c of stmt.childrenOf('name')) {
      if (c.type === 'dotted_name') aliases.set(c.text, `${mod}.${c.text}`);
      else if (c.type === 'aliased_import') {
        const name = c.child('name')?.text;
        const alias = c.child('alias')?.text;
        if (name && alias) aliases.set(alias, `${mod}.${name}`);
      }
    }
  }
}

/** Family of a dotted callee path: which library's conventions apply. */
export type PyFamily = 'torch' | 'numpy' | 'jax' | 'math' | 'einops' | 'scipy' | 'tf' | 'flax' | 'flash' | 'other';

export function familyOf(path: string): PyFamily {
  if (path.startsWith('torch')) return 'torch';
  if (path.startsWith('numpy')) return 'numpy';
  if (path.startsWith('jax') ) return 'jax';
  if (path.startsWith('flax')) return 'flax';
  if (path.startsWith('math')) return 'math';
  if (path.startsWith('einops')) return 'einops';
  if (path.startsWith('scipy')) return 'scipy';
  if (path.startsWith('tensorflow') || path.startsWith('keras')) return 'tf';
  if (path.startsWith('flash_attn')) return 'flash';
  return 'other';
}

/**
 * Module-level definitions by name. Items are registered with a thunk and copied out of the
 * parse tree only when an analysed function actually refers to them.
 */
export class LazyDefinitions {
  private readonly nodes = new Map<string, SyntaxNode | (() => SyntaxNode | undefined)>();

  set(name: string, node: SyntaxNode | (() => SyntaxNode | undefined)): void {
    this.nodes.set(name, node);
  }

  has(name: string): boolean {
    return this.nodes.has(name);
  }

  get(name: string): SyntaxNode | undefined {
    const v = this.nodes.get(name);
    if (typeof v !== 'function') return v;
    const node = v();
    if (node) this.nodes.set(name, node);
    else this.nodes.delete(name);
    return node;
  }
}
