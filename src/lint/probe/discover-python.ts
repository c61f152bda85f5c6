// Finds Python functions and modules that look like attention, from the syntax tree:
//   def attention(q, k, v, mask=None)            a kernel (style qkv)
//   def self_attention(x, ...)                   one input; attention-like name or body
//   class CausalSelfAttention(nn.Module):        a module: forward(self, x…) or
//       def forward(self, x, mask=None)          forward(self, q, k, v…)
// Only top-level definitions are probed: the harness imports the file and looks the name up.
import type { LineIndex } from '../analysis/line-index';
import type { SyntaxNode } from '../parser/syntax-node';
import { isInputSignature, isQkvSignature } from './parameter-roles';
import type { ProbeParameter, ProbeTarget } from './probe-types';

const ATTENTION_NAME = /att|attn|attention|sdpa|mha|gqa|mqa|head|transformer|causal/i;
const ATTENTION_BODY = /softmax|scaled_dot_product_attention|einsum|@|matmul|bmm/;

function unwrapDecorated(node: SyntaxNode): SyntaxNode {
  return node.type === 'decorated_definition' ? node.child('definition') ?? node : node;
}

function pythonParameters(fn: SyntaxNode): ProbeParameter[] {
  const list = fn.child('parameters');
  if (!list) return [];
  const out: ProbeParameter[] = [];
  let keywordOnly = false;
  for (const p of list.namedChildren) {
    switch (p.type) {
      case 'identifier':
        out.push({ name: p.text, hasDefault: false, keywordOnly });
        break;
      case 'typed_parameter': {
        const id = p.namedChildren.find((c) => c.type === 'identifier');
        const splat = p.namedChildren.find((c) => c.type === 'list_splat_pattern' || c.type === 'dictionary_splat_pattern');
        if (splat) out.push({ name: splat.text.replace(/^\*+/, ''), hasDefault: false, variadic: true });
        else if (id) out.push({ name: id.text, hasDefault: false, typeText: p.child('type')?.text, keywordOnly });
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter':
        out.push({
          name: p.child('name')?.text ?? '?',
          hasDefault: true,
          defaultText: p.child('value')?.text,
          typeText: p.child('type')?.text,
          keywordOnly,
        });
        break;
      case 'list_splat_pattern':
        out.push({ name: p.text.replace(/^\*/, ''), hasDefault: false, variadic: true });
        keywordOnly = true;
        break;
      case 'dictionary_splat_pattern':
        out.push({ name: p.text.replace(/^\*\*/, ''), hasDefault: false, variadic: true });
        break;
      case 'keyword_separator':
        keywordOnly = true;
        break;
      default:
        break; // positional_separator `/` and anything newer
    }
  }
  return out;
}

/** The docstring (first statement string) of a def/class body. */
function docstringOf(def: SyntaxNode): string {
  const body = def.child('body');
  const first = body?.namedChildren[0];
  if (first?.type === 'expression_statement') {
    const s = first.namedChildren[0];
    if (s?.type === 'string') return s.descendants('string_content').map((c) => c.text).join('');
  }
  return '';
}

function commentsIn(node: SyntaxNode): string {
  return node
    .descendants('comment')
    .map((c) => c.text.replace(/^#\s?/, ''))
    .join('\n');
}

function fillable(params: ProbeParameter[]): string[] {
  return params.filter((p) => !p.variadic && !p.keywordOnly).map((p) => p.name);
}

function methodsOf(cls: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (const stmt of cls.child('body')?.namedChildren ?? []) {
    const def = unwrapDecorated(stmt);
    if (def.type === 'function_definition') out.set(def.child('name')?.text ?? '', def);
  }
  return out;
}

function withoutSelf(params: ProbeParameter[]): ProbeParameter[] {
  return params.length > 0 && (params[0].name === 'self' || params[0].name === 'cls') ? params.slice(1) : params;
}

export function discoverPython(root: SyntaxNode, lines: LineIndex): ProbeTarget[] {
  const targets: ProbeTarget[] = [];
  for (const stmt of root.namedChildren) {
    const def = unwrapDecorated(stmt);
    const nameNode = def.child('name');
    if (!nameNode) continue;
    const name = nameNode.text;
    const base = {
      name,
      language: 'python' as const,
      range: lines.range(stmt.start, stmt.end),
      nameRange: lines.range(nameNode.start, nameNode.end),
      sourceText: def.text,
    };
    if (def.type === 'function_definition') {
      const parameters = pythonParameters(def);
      const names = fillable(parameters);
      const docText = [docstringOf(def), commentsIn(def)].filter(Boolean).join('\n');
      if (isQkvSignature(names)) {
        targets.push({ ...base, kind: 'function', style: 'qkv', parameters, docText });
      } else if (isInputSignature(names) && ATTENTION_NAME.test(name) && ATTENTION_BODY.test(def.text)) {
        targets.push({ ...base, kind: 'function', style: 'x', parameters, docText });
      }
    } else if (def.type === 'class_definition') {
      const methods = methodsOf(def);
      const call = methods.get('forward') ?? methods.get('__call__');
      if (!call) continue;
      const parameters = withoutSelf(pythonParameters(call));
      const names = fillable(parameters);
      const init = methods.get('__init__');
      const constructorParameters = init ? withoutSelf(pythonParameters(init)) : [];
      const docText = [docstringOf(def), init ? docstringOf(init) : '', docstringOf(call), commentsIn(def)].filter(Boolean).join('\n');
      const looksLikeAttention = ATTENTION_NAME.test(name) || /softmax|scaled_dot_product_attention/.test(def.text);
      if (isQkvSignature(names) && looksLikeAttention) {
        targets.push({ ...base, kind: 'module', style: 'qkv', parameters, constructorParameters, docText });
      } else if (isInputSignature(names) && looksLikeAttention) {
        targets.push({ ...base, kind: 'module', style: 'x', parameters, constructorParameters, docText });
      }
    }
  }
  return targets;
}
