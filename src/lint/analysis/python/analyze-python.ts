// Python analysis of one top-level item (a function, a class, or the module-level
// statements): builds class contexts (attributes from __init__/setup) and evaluates every
// function and method, nested ones included, into FunctionFacts.
import type { SyntaxNode } from '../../parser/syntax-node';
import type { FunctionFacts } from '../facts';
import { LazyDefinitions, PyClassContext, PyFileContext, addImport, defaultAliases } from './py-context';
import { PyEvaluator, nestedDefinitions } from './py-evaluator';

/** Top-level item kinds as seen by the document splitter. */
export type PyItemKind = 'function' | 'class' | 'import' | 'statement';

export function pyItemKind(type: string): PyItemKind {
  if (type === 'function_definition') return 'function';
  if (type === 'class_definition') return 'class';
  if (type === 'decorated_definition') return 'function';
  if (type === 'import_statement' || type === 'import_from_statement' || type === 'future_import_statement') return 'import';
  return 'statement';
}

/** The definition inside a decorated_definition. */
export function unwrapDecorated(n: SyntaxNode): SyntaxNode {
  return n.type === 'decorated_definition' ? n.child('definition') ?? n : n;
}

export function newPyFileContext(source: string): PyFileContext {
  return {
    source,
    aliases: defaultAliases(),
    functions: new LazyDefinitions(),
    constants: new LazyDefinitions(),
    summaries: new Map(),
    classes: new Map(),
  };
}

/** Registers what other items may refer to: imports, module functions, constants. */
/** The right-hand side of a module-level `NAME = expr` statement. */
export function assignedValue(stmt: SyntaxNode): SyntaxNode | undefined {
  const a = stmt.namedChildren[0];
  return a?.type === 'assignment' && a.child('left')?.type === 'identifier' ? a.child('right') : undefined;
}

/** The function_definition inside a (possibly decorated) top-level item. */
export function definitionOf(item: SyntaxNode): SyntaxNode {
  return unwrapDecorated(item);
}

export function registerPyItem(ctx: PyFileContext, item: SyntaxNode): void {
  const n = unwrapDecorated(item);
  if (n.type === 'import_statement' || n.type === 'import_from_statement') addImport(ctx.aliases, n);
  else if (n.type === 'function_definition') {
    const name = n.child('name')?.text;
    if (name) ctx.functions.set(name, n);
  } else if (n.type === 'expression_statement') {
    const a = n.namedChildren[0];
    if (a?.type === 'assignment' && a.child('left')?.type === 'identifier') {
      const right = a.child('right');
      if (right) ctx.constants.set(a.child('left')?.text ?? '', right);
    }
  } else if (n.type === 'if_statement' || n.type === 'try_statement') {
    // `try: import x as y` and guarded imports.
    n.walk((c) => {
      if (c.type === 'import_statement' || c.type === 'import_from_statement') addImport(ctx.aliases, c);
      return c.type !== 'function_definition' && c.type !== 'class_definition';
    });
  }
}

/** Facts of __init__/setup computed while collecting class attributes (reused, not re-run). */
const initFacts = new WeakMap<SyntaxNode, FunctionFacts>();

function classContext(ctx: PyFileContext, cls: SyntaxNode): PyClassContext {
  const name = cls.child('name')?.text ?? '<class>';
  const bases = cls.child('superclasses')?.text ?? '';
  const body = cls.child('body');
  const methods = new Map<string, SyntaxNode>();
  const fields = new Set<string>();
  const docParts: string[] = [name.toLowerCase()];
  for (const s of body?.namedChildren ?? []) {
    const d = unwrapDecorated(s);
    if (d.type === 'function_definition') {
      const m = d.child('name')?.text;
      if (m) methods.set(m, d);
    } else if (s.type === 'expression_statement') {
      const a = s.namedChildren[0];
      if (a?.type === 'string') docParts.push(a.text.toLowerCase());
      if (a?.type === 'assignment' && a.child('left')?.type === 'identifier') fields.add(a.child('left')?.text ?? '');
    }
  }
  // One walk for the identifiers used anywhere in the class and the comments of its body.
  const identifiers = new Set<string>();
  const visit = (c: SyntaxNode, inBody: boolean): void => {
    const type = c.type;
    if (type === 'identifier') identifiers.add(c.text);
    else if (type === 'attribute') {
      // Test the source in place; slice only `self.…` attributes.
      if (c.source.startsWith('self.', c.start)) identifiers.add(c.source.slice(c.start + 5, c.end));
    } else if (type === 'comment' && inBody) docParts.push(c.text.toLowerCase());
    const children = c.children;
    for (let i = 0; i < children.length; i++) visit(children[i], inBody || children[i] === body);
  };
  visit(cls, cls === body);
  const isFlax = /linen|flax|nn\.Module/.test(bases) && [...ctx.aliases.values()].some((p) => p.startsWith('flax'));
  const isModule = /Module|Layer|Block|Attention|Model/.test(bases) || methods.has('forward');
  const info: PyClassContext = {
    node: cls,
    name,
    isModule,
    isFlax,
    methods,
    attrs: new Map(),
    fields,
    docText: docParts.join('\n'),
    identifiers,
  };
  for (const init of ['__init__', 'setup', 'build']) {
    const m = methods.get(init);
    if (!m) continue;
    const ev = new PyEvaluator(ctx, m, info);
    const facts = ev.run();
    initFacts.set(m, facts);
    for (const [k, v] of facts.env) if (k.startsWith('self.')) info.attrs.set(k, v);
  }
  // Flax dataclass fields and __init__ parameters count as known names.
  for (const p of methods.get('__init__')?.child('parameters')?.namedChildren ?? []) {
    const nm = p.type === 'identifier' ? p.text : p.child('name')?.text;
    if (nm) fields.add(nm);
  }
  ctx.classes.set(name, info);
  return info;
}

/** Facts for every function in a top-level item (nested definitions included). */
export function analyzePyItem(ctx: PyFileContext, item: SyntaxNode): FunctionFacts[] {
  const n = unwrapDecorated(item);
  const out: FunctionFacts[] = [];
  if (n.type === 'class_definition') {
    const cls = classContext(ctx, n);
    for (const m of cls.methods.values()) {
      out.push(initFacts.get(m) ?? new PyEvaluator(ctx, m, cls).run());
      nested(ctx, m, out);
    }
    return out;
  }
  if (n.type === 'function_definition') {
    out.push(new PyEvaluator(ctx, n, undefined).run());
    nested(ctx, n, out);
    return out;
  }
  return out;
}

/** Module-level statements evaluated in order as one pseudo-function. */
export function analyzePyStatements(ctx: PyFileContext, module: SyntaxNode, statements: SyntaxNode[]): FunctionFacts[] {
  const ev = new PyEvaluator(ctx, module, undefined);
  const facts = ev.run(statements);
  facts.name = '<module>';
  const out = [facts];
  for (const s of statements) nested(ctx, s, out);
  return out;
}

function nested(ctx: PyFileContext, fn: SyntaxNode, out: FunctionFacts[]): void {
  for (const c of definitionsInside(fn)) {
    if (c.type === 'function_definition') {
      out.push(new PyEvaluator(ctx, c, undefined).run());
      nested(ctx, c, out);
    } else out.push(...analyzePyItem(ctx, c));
  }
}

/** Function and class definitions inside `fn`'s body that are not inside another one. */
function definitionsInside(fn: SyntaxNode): SyntaxNode[] {
  // A function's walk for its evaluator already listed them.
  if (fn.type === 'function_definition' && fn.child('body')) return nestedDefinitions(fn);
  const body = fn.child('body') ?? fn;
  const out: SyntaxNode[] = [];
  body.walk((c) => {
    if (c === body) return true;
    if (c.type === 'function_definition' || c.type === 'class_definition') {
      out.push(c);
      return false;
    }
    return true;
  });
  return out;
}
