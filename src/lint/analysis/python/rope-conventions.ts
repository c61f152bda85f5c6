// RoPE pairing conventions found in an item, for the file-wide consistency check:
//   "half"        (GPT-NeoX / HF Llama): the cos/sin table is cat((f, f)) and the rotation
//                 pairs x[..., :d/2] with x[..., d/2:] (rotate_half, chunk(2));
//   "interleaved" (GPT-J / Meta Llama): the table is repeat_interleave(2) / np.repeat(f, 2)
//                 and the rotation pairs x[..., ::2] with x[..., 1::2].
// A table built for one convention and a rotation written for the other rotate the wrong
// pairs of features.
import type { SyntaxNode } from '../../parser/syntax-node';
import type { ItemSummary } from '../../rules/rule';

const FREQ_NAME = /freq|theta|angle|inv_freq|emb|sinusoid|pos|rot/i;

export function collectRopeConventions(item: SyntaxNode): ItemSummary {
  const out: ItemSummary = { ropeTables: [], ropeRotations: [] };
  // Whether each enclosing function rotates, decided once per function.
  const rotating = new Map<SyntaxNode | null, boolean>();
  const inRotation = (n: SyntaxNode): boolean => {
    const fn = enclosingFunction(n);
    let r = rotating.get(fn);
    if (r === undefined) {
      r = !!fn && /rotate|rotary|rope|apply_rot/i.test(fn.child('name')?.text ?? '');
      rotating.set(fn, r);
    }
    return r;
  };
  item.walk((n) => {
    if (n.type === 'call') {
      const fn = n.child('function')?.text ?? '';
      const last = fn.slice(fn.lastIndexOf('.') + 1);
      // Only these callees matter; skip the argument lists of every other call.
      if (!TABLE_OR_SPLIT_CALLEE.test(last)) return true;
      const args = n.child('arguments')?.namedChildren ?? [];
      // cat((freqs, freqs), dim=-1) / concatenate([f, f], axis=-1)
      if (/^(cat|concatenate|concat)$/.test(last) && args[0] && (args[0].type === 'tuple' || args[0].type === 'list')) {
        const items = args[0].namedChildren;
        if (items.length === 2 && items[0].text === items[1].text && FREQ_NAME.test(items[0].text)) {
          out.ropeTables.push({ convention: 'half', start: n.start, end: n.end });
        }
      }
      // freqs.repeat_interleave(2, dim=-1) / np.repeat(freqs, 2, axis=-1)
      if (last === 'repeat_interleave' && /\b2\b/.test(args[0]?.text ?? args[1]?.text ?? '')) {
        const obj = n.child('function')?.child('object')?.text ?? args[0]?.text ?? '';
        if (FREQ_NAME.test(obj) || FREQ_NAME.test(fn)) out.ropeTables.push({ convention: 'interleaved', start: n.start, end: n.end });
      }
      if (last === 'repeat' && /^(np|jnp|numpy|jax\.numpy)\./.test(fn) && args[1]?.text === '2' && FREQ_NAME.test(args[0]?.text ?? '')) {
        out.ropeTables.push({ convention: 'interleaved', start: n.start, end: n.end });
      }
      // x.chunk(2, dim=-1) inside a rotate function
      if (last === 'chunk' && args[0]?.text === '2' && inRotation(n)) out.ropeRotations.push({ convention: 'half', start: n.start, end: n.end });
    }
    if (n.type === 'subscript' && inRotation(n)) {
      const idx = n.childrenOf('subscript');
      const lastIdx = idx[idx.length - 1];
      if (lastIdx?.type === 'slice') {
        const t = lastIdx.text.replace(/\s+/g, '');
        if (t === '::2' || t === '1::2' || t === '0::2') out.ropeRotations.push({ convention: 'interleaved', start: n.start, end: n.end });
        else if (/^:.*\/\/2$|^.*\/\/2:$|^:(self\.)?(half|d_half|half_dim|rot_dim\/\/2)$|^(self\.)?(half|d_half|half_dim):$/.test(t)) {
          out.ropeRotations.push({ convention: 'half', start: n.start, end: n.end });
        }
      }
    }
    return true;
  });
  return out;
}

/** Callees that build a RoPE table or split features for a rotation. */
const TABLE_OR_SPLIT_CALLEE = /^(cat|concatenate|concat|repeat_interleave|repeat|chunk)$/;

/** The nearest enclosing function definition, or null. */
function enclosingFunction(n: SyntaxNode): SyntaxNode | null {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return null;
}
