// Axis labels for the light shape inference. A tensor's layout is a list of labels:
//   b batch · h heads · r a GQA repeat/group factor · t tokens · d features
//   i query position and j key position (score matrices) · 1 singleton · ? unknown.
// When the rank is unknown only the trailing axes are known (`full` is false).

import { memoByString } from './memo-string';

export type AxisLabel = 'b' | 'h' | 'r' | 't' | 'd' | 'i' | 'j' | '1' | '?';

export interface Shape {
  axes: AxisLabel[];
  /** true when `axes` covers every axis (the rank is known). */
  full: boolean;
}

export function shape(axes: AxisLabel[], full = true): Shape {
  return { axes, full };
}

export function rankOf(s: Shape | undefined): number | undefined {
  return s && s.full ? s.axes.length : undefined;
}

/** Label of the axis at a (possibly negative) index, if known. */
export function axisAt(s: Shape | undefined, dim: number): AxisLabel | undefined {
  if (!s) return undefined;
  if (dim < 0) {
    const i = s.axes.length + dim;
    return i >= 0 ? s.axes[i] : undefined;
  }
  return s.full ? s.axes[dim] : undefined;
}

/** Normalise a dim to a negative index (from the end) when possible. */
export function fromEnd(s: Shape | undefined, dim: number): number | undefined {
  if (dim < 0) return dim;
  const r = rankOf(s);
  return r === undefined ? undefined : dim - r;
}

/** Name of a dimension expression → label. Names follow the usual conventions in attention code. */
export const classifyDimName = memoByString((raw: string): AxisLabel => {
  const text = raw.replace(/\s+/g, '');
  if (text === '1') return '1';
  if (text === '-1') return '?';
  if (/\/\//.test(text) || /\/(self\.)?(n_?heads?|num_heads|heads|h|nh)\b/i.test(text)) return 'd';
  const name = text.replace(/^(self|config|cfg|args|params|this)\./, '').replace(/\(\)$/, '');
  const last = name.split('.').pop() ?? name;
  if (/^(n_?rep|num_key_value_groups|kv_groups|n_groups|num_groups|groups|rep|repeats|n_repeat|q_per_kv|heads_per_group|group_size)$/i.test(last)) return 'r';
  if (/^(b|bs|bsz|B|N|batch|batch_size|nbatch|n_batch|nb)$/.test(last)) return 'b';
  if (/^(h|H|nh|n_?heads?|num_heads|num_attention_heads|heads|n_kv_heads|num_kv_heads|kv_heads|n_kv|num_key_value_heads|n_head_kv|h_kv|hkv|nkv|n_local_heads|n_local_kv_heads)$/i.test(last)) return 'h';
  if (/^(t|T|n|L|l|s|S|seq|seqlen|seq_len|seq_length|length|len|q_len|k_len|kv_len|tgt_len|src_len|num_tokens|n_tokens|ntok|tq|tk|Tq|Tk|Lq|Lk|sq|sk|nq|nk|q_length|k_length|key_len|query_len|time|steps|context_len|ctx_len|total_len|past_len|max_len|block_size|hw|HW|num_patches|N_q|N_k)$/.test(last)) return 't';
  if (/len|seq|tok/i.test(last)) return 't';
  if (/^(d|D|c|dk|d_k|dv|d_v|d_head|head_dim|dim_head|head_size|hs|hd|dh|d_kv|key_dim|dim_per_head|size_per_head|attention_head_size|qk_dim|kv_dim|head_dims)$/i.test(last)) return 'd';
  if (/^(C|d_model|embed_dim|hidden_size|n_embd|dim|hidden|emb_dim|embedding_dim|model_dim|width|channels|d_embed|n_embd|features|inner_dim)$/.test(last)) return 'd';
  return '?';
});

/** Is this dimension name the model width rather than a head width? */
export const isModelWidthName = memoByString((raw: string): boolean => {
  const last = raw.replace(/\s+/g, '').replace(/^(self|config|cfg|args|params|this)\./, '').split('.').pop() ?? raw;
  return /^(d_model|embed_dim|hidden_size|n_embd|emb_dim|embedding_dim|model_dim|d_embed|feats|hidden_dim|dim_model|width)$/.test(last);
});

/** Is this dimension name (certainly) a per-head width? */
export const isHeadWidthName = memoByString((raw: string): boolean => {
  const text = raw.replace(/\s+/g, '');
  if (/\/\//.test(text) && /head|\bh\b|nh/i.test(text)) return true;
  const last = text.replace(/^(self|config|cfg|args|params|this)\./, '').split('.').pop() ?? text;
  return /^(dk|d_k|d_head|head_dim|dim_head|head_size|hs|hd|dh|d_kv|key_dim|dim_per_head|size_per_head|attention_head_size|qk_dim|head_dims|d_q|dq|d_qk|qk_head_dim)$/i.test(last);
});

/** Parses "(B, H, T, D)" / "[batch, heads, seq, dim]" into labels. */
export function parseShapeTuple(text: string): AxisLabel[] | undefined {
  const m = /^[([]\s*([^()[\]]*)[)\]]$/.exec(text.trim());
  if (!m) return undefined;
  const parts = m[1].split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  if (parts.length < 2 || parts.length > 6) return undefined;
  return parts.map(classifyShapeWord);
}

/** Labels in comments use words more often than code names: nh, hs, T, "seq_len", "n_heads". */
export const classifyShapeWord = memoByString((word: string): AxisLabel => {
  const w = word.replace(/\s+/g, '').replace(/[*]/g, '');
  if (/^(Tq|tq|Lq|q_len|query_len|nq|Nq|i)$/.test(w)) return 'i';
  if (/^(Tk|tk|Lk|k_len|key_len|kv_len|nk|Nk|S|s|j)$/.test(w)) return 't';
  return classifyDimName(w);
});

export interface EinsumSpec {
  inputs: string[];
  output: string;
  ellipsis: boolean;
}

/** "bhqd,bhkd->bhqk" → inputs and output; spaces removed; undefined if malformed. */
export function parseEinsum(spec: string): EinsumSpec | undefined {
  const s = spec.replace(/\s+/g, '');
  const arrow = s.indexOf('->');
  if (arrow < 0) return undefined;
  const inputs = s.slice(0, arrow).split(',');
  const output = s.slice(arrow + 2);
  if (inputs.some((x) => !/^(\.\.\.)?[a-zA-Z]*(\.\.\.)?$/.test(x)) || !/^(\.\.\.)?[a-zA-Z]*$/.test(output)) return undefined;
  return { inputs, output, ellipsis: s.includes('...') };
}

/** einops pattern side "b n (h d)" → groups of names (a parenthesised group is one axis). */
export function parseEinopsSide(side: string): string[][] | undefined {
  const out: string[][] = [];
  const re = /\(([^)]*)\)|(\S+)/g;
  for (let m = re.exec(side); m; m = re.exec(side)) {
    if (m[1] !== undefined) out.push(m[1].trim().split(/\s+/).filter(Boolean));
    else out.push([m[2]]);
  }
  return out.length ? out : undefined;
}

/** Right-aligned broadcast of two layouts (unknown prefix when either is partial). */
export function broadcastShapes(a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (!a) return b;
  if (!b) return a;
  const n = Math.max(a.axes.length, b.axes.length);
  const out: AxisLabel[] = [];
  for (let k = 1; k <= n; k++) {
    const x = a.axes[a.axes.length - k];
    const y = b.axes[b.axes.length - k];
    if (x === undefined) out.unshift(y as AxisLabel);
    else if (y === undefined) out.unshift(x);
    else if (x === '1') out.unshift(y);
    else if (y === '1') out.unshift(x);
    else if (x === y) out.unshift(x);
    else out.unshift('?');
  }
  const full = a.full && b.full;
  return { axes: out, full };
}
