// Finds exported TypeScript/JavaScript functions that look like attention: the probe can only
// call what the module exports. Recognised forms:
//   export function attention(q, k, v) {…}         export const attention = (q, k, v) => …
//   export default function attention(q, k, v)      export { attention }  (declared above)
//   module.exports.attention = function (q, k, v)   exports.attention = (q, k, v) => …
//   module.exports = { attention }
// and, not attention itself, a chunked (online) softmax: `export function onlineSoftmax(chunks)`.
// Parameter types come from TS annotations or JSDoc `@param {Type} name`.
import type { LineIndex } from '../analysis/line-index';
import type { SyntaxNode } from '../parser/syntax-node';
import { isChunkedSoftmaxSignature, isInputSignature, isQkvSignature } from './parameter-roles';
import type { ProbeLanguage, ProbeParameter, ProbeTarget } from './probe-types';

const ATTENTION_NAME = /att|attn|attention|sdpa|mha|gqa|mqa|head|causal/i;
const FUNCTION_TYPES = ['function_declaration', 'function_expression', 'arrow_function', 'generator_function_declaration', 'function'];

function jsDocTypes(comment: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!comment) return out;
  const re = /@param\s+\{([^}]*)\}\s+\[?([A-Za-z_$][\w$]*)/g;
  for (let m = re.exec(comment); m; m = re.exec(comment)) out.set(m[2], m[1]);
  return out;
}

function scriptParameters(fn: SyntaxNode, docTypes: Map<string, string>): ProbeParameter[] {
  const list = fn.child('parameters');
  // `x => …`: a single identifier parameter without parentheses
  if (!list) {
    const single = fn.child('parameter');
    return single ? [{ name: single.text, hasDefault: false, typeText: docTypes.get(single.text) }] : [];
  }
  const out: ProbeParameter[] = [];
  for (const p of list.namedChildren) {
    let pattern: SyntaxNode | undefined = p;
    let value: SyntaxNode | undefined;
    let typeText: string | undefined;
    let optional = false;
    if (p.type === 'required_parameter' || p.type === 'optional_parameter') {
      pattern = p.child('pattern');
      value = p.child('value');
      typeText = p.child('type')?.text.replace(/^:\s*/, '');
      optional = p.type === 'optional_parameter';
    } else if (p.type === 'assignment_pattern') {
      pattern = p.child('left');
      value = p.child('right');
    }
    if (!pattern) continue;
    if (pattern.type === 'rest_pattern') {
      out.push({ name: pattern.text.replace(/^\.\.\./, ''), hasDefault: false, variadic: true });
      continue;
    }
    const name = pattern.type === 'identifier' ? pattern.text : `arg${out.length}`;
    out.push({
      name,
      hasDefault: optional || value !== undefined,
      defaultText: value?.text,
      typeText: typeText ?? docTypes.get(name),
    });
  }
  return out;
}

interface FoundFunction {
  name: string;
  exportName: string;
  fn: SyntaxNode;
  /** The statement to anchor the lens on. */
  statement: SyntaxNode;
  nameNode: SyntaxNode;
}

function precedingComment(node: SyntaxNode): string | undefined {
  const parent = node.parent;
  if (!parent) return undefined;
  const i = parent.children.indexOf(node);
  const prev = i > 0 ? parent.children[i - 1] : undefined;
  return prev?.type === 'comment' ? prev.text : undefined;
}

function memberExportName(left: SyntaxNode): string | undefined {
  // module.exports.name / exports.name
  if (left.type !== 'member_expression') return undefined;
  const object = left.child('object')?.text;
  const property = left.child('property')?.text;
  if (!property) return undefined;
  if (object === 'exports' || object === 'module.exports') return property;
  if (left.text === 'module.exports') return 'module.exports';
  return undefined;
}

export function discoverScript(root: SyntaxNode, lines: LineIndex, language: ProbeLanguage): ProbeTarget[] {
  // Top-level declarations by name, for `export { a }` and `module.exports = { a }`.
  const declared = new Map<string, { fn: SyntaxNode; statement: SyntaxNode; nameNode: SyntaxNode }>();
  const noteDeclaration = (decl: SyntaxNode, statement: SyntaxNode) => {
    if (decl.type === 'function_declaration' || decl.type === 'generator_function_declaration') {
      const nameNode = decl.child('name');
      if (nameNode) declared.set(nameNode.text, { fn: decl, statement, nameNode });
    } else if (decl.type === 'lexical_declaration' || decl.type === 'variable_declaration') {
      for (const d of decl.namedChildren.filter((c) => c.type === 'variable_declarator')) {
        const nameNode = d.child('name');
        const value = d.child('value');
        if (nameNode && value && FUNCTION_TYPES.includes(value.type)) declared.set(nameNode.text, { fn: value, statement, nameNode });
      }
    }
  };
  for (const stmt of root.namedChildren) {
    noteDeclaration(stmt, stmt);
    const decl = stmt.type === 'export_statement' ? stmt.child('declaration') : undefined;
    if (decl) noteDeclaration(decl, stmt);
  }

  const found: FoundFunction[] = [];
  const add = (name: string, exportName: string) => {
    const d = declared.get(name);
    if (d && !found.some((f) => f.exportName === exportName)) found.push({ name, exportName, ...d });
  };
  for (const stmt of root.namedChildren) {
    if (stmt.type === 'export_statement') {
      const isDefault = stmt.children.some((c) => c.type === 'default');
      const decl = stmt.child('declaration');
      if (decl?.type === 'function_declaration' || decl?.type === 'generator_function_declaration') {
        const name = decl.child('name')?.text;
        if (name) add(name, isDefault ? 'default' : name);
      } else if (decl?.type === 'lexical_declaration' || decl?.type === 'variable_declaration') {
        for (const d of decl.namedChildren.filter((c) => c.type === 'variable_declarator')) {
          const name = d.child('name')?.text;
          if (name) add(name, name);
        }
      } else if (isDefault) {
        const value = stmt.child('value') ?? stmt.namedChildren.find((c) => FUNCTION_TYPES.includes(c.type));
        if (value && FUNCTION_TYPES.includes(value.type)) {
          found.push({ name: 'default', exportName: 'default', fn: value, statement: stmt, nameNode: value });
        } else if (value?.type === 'identifier') add(value.text, 'default');
      }
      for (const clause of stmt.namedChildren.filter((c) => c.type === 'export_clause')) {
        for (const spec of clause.namedChildren.filter((c) => c.type === 'export_specifier')) {
          const local = spec.child('name')?.text;
          const alias = spec.child('alias')?.text;
          if (local) add(local, alias ?? local);
        }
      }
    } else if (stmt.type === 'expression_statement') {
      const assign = stmt.namedChildren[0];
      if (assign?.type !== 'assignment_expression') continue;
      const left = assign.child('left');
      const right = assign.child('right');
      if (!left || !right) continue;
      const exportName = memberExportName(left);
      if (!exportName) continue;
      if (exportName === 'module.exports') {
        if (right.type === 'object') {
          for (const prop of right.namedChildren) {
            if (prop.type === 'shorthand_property_identifier') add(prop.text, prop.text);
            else if (prop.type === 'pair') {
              const key = prop.child('key')?.text;
              const value = prop.child('value');
              if (key && value?.type === 'identifier') add(value.text, key);
              else if (key && value && FUNCTION_TYPES.includes(value.type)) {
                found.push({ name: key, exportName: key, fn: value, statement: stmt, nameNode: prop.child('key') ?? value });
              }
            }
          }
        } else if (FUNCTION_TYPES.includes(right.type)) {
          found.push({ name: right.child('name')?.text ?? 'module.exports', exportName: 'module.exports', fn: right, statement: stmt, nameNode: left });
        }
      } else if (FUNCTION_TYPES.includes(right.type)) {
        found.push({ name: exportName, exportName, fn: right, statement: stmt, nameNode: left });
      } else if (right.type === 'identifier') add(right.text, exportName);
    }
  }

  const targets: ProbeTarget[] = [];
  for (const f of found) {
    const comment = precedingComment(f.statement);
    const parameters = scriptParameters(f.fn, jsDocTypes(comment));
    const names = parameters.filter((p) => !p.variadic).map((p) => p.name);
    const comments = f.fn.descendants('comment').map((c) => c.text);
    const docText = [comment ?? '', ...comments].join('\n');
    const style = isQkvSignature(names)
      ? 'qkv'
      : isInputSignature(names) && ATTENTION_NAME.test(f.name)
        ? 'x'
        : isChunkedSoftmaxSignature(f.name, names)
          ? 'chunks'
          : undefined;
    if (!style) continue;
    targets.push({
      name: f.name,
      exportName: f.exportName,
      kind: 'function',
      language,
      style,
      parameters,
      range: lines.range(f.statement.start, f.statement.end),
      nameRange: lines.range(f.nameNode.start, f.nameNode.end),
      docText,
      sourceText: f.fn.text,
    });
  }
  return targets.sort((a, b) => a.range.line - b.range.line);
}
