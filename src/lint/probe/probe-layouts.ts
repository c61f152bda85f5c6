// Tensor layouts the probe tries, and how to move between them and the reference engine's
// per-head layout [B, H, L, D].
//
//   BHLD  [B, H, L, D]     per-head (PyTorch SDPA, most hand-written multi-head kernels)
//   BLHD  [B, L, H, D]     heads after positions (FlashAttention, some JAX code)
//   BLD   [B, L, D]        one head, batched
//   LD    [L, D]           one head, one sequence (NumPy teaching code, TS loops)
//   BLC   [B, L, H·D]      heads merged; the function splits them (it takes a head count)
//   BTC / TC / TBC         a single input x for modules (batch-first, unbatched, seq-first)
//
// The order tried comes from shape hints in docstrings and comments, e.g. `(B, H, T, D)`.
import type { Tensor } from '../../engine/reference/tensor';
import { permute, reshapeTo, sameShape } from './tensor-ops';
import type { ProbeDims, QkvLayout, XLayout } from './probe-types';

/** Per-layout sizes: single-head layouts use H = 1, unbatched ones B = 1. */
export function layoutDims(layout: QkvLayout, base: ProbeDims): ProbeDims {
  switch (layout) {
    case 'BLD':
      return { ...base, queryHeads: 1, kvHeads: 1, modelWidth: base.headSize };
    case 'LD':
      return { ...base, batch: 1, queryHeads: 1, kvHeads: 1, modelWidth: base.headSize };
    default:
      return base;
  }
}

/** A [B, H, L, D] tensor in the user's layout. */
export function toUserLayout(t: Tensor, layout: QkvLayout): Tensor {
  const [b, h, l, d] = t.shape;
  switch (layout) {
    case 'BHLD':
      return t;
    case 'BLHD':
      return permute(t, [0, 2, 1, 3]);
    case 'BLD':
      return { data: t.data, shape: [b, l, d] };
    case 'LD':
      return { data: t.data, shape: [l, d] };
    case 'BLC': {
      const p = permute(t, [0, 2, 1, 3]);
      return { data: p.data, shape: [b, l, h * d] };
    }
  }
}

/**
 * The user's output back in [B, H, L, Dv], or undefined when its shape fits neither the
 * layout nor the heads-merged form [B, L, H·Dv] that many kernels return.
 */
export function fromUserLayout(out: Tensor, layout: QkvLayout, expected: readonly number[]): Tensor | undefined {
  const [b, h, l, dv] = expected;
  const asLayout = (lay: QkvLayout): Tensor | undefined => {
    switch (lay) {
      case 'BHLD':
        return sameShape(out.shape, [b, h, l, dv]) ? out : undefined;
      case 'BLHD':
        return sameShape(out.shape, [b, l, h, dv]) ? permute(out, [0, 2, 1, 3]) : undefined;
      case 'BLD':
        return h === 1 && sameShape(out.shape, [b, l, dv]) ? { data: out.data, shape: [b, 1, l, dv] } : undefined;
      case 'LD':
        return b === 1 && h === 1 && sameShape(out.shape, [l, dv]) ? { data: out.data, shape: [1, 1, l, dv] } : undefined;
      case 'BLC':
        return sameShape(out.shape, [b, l, h * dv]) ? permute({ data: out.data, shape: [b, l, h, dv] }, [0, 2, 1, 3]) : undefined;
    }
  };
  const direct = asLayout(layout);
  if (direct) return direct;
  if (h > 1 && (layout === 'BHLD' || layout === 'BLHD')) {
    const merged = asLayout('BLC');
    if (merged) return merged;
  }
  // A flat typed array from TS/JS: the layout's own element order.
  if (out.shape.length === 1 && out.data.length === b * h * l * dv) {
    const shaped = reshapeTo(out, userShape(layout, b, h, l, dv));
    return shaped ? fromUserLayout(shaped, layout, expected) : undefined;
  }
  return undefined;
}

export function userShape(layout: QkvLayout, b: number, h: number, l: number, d: number): number[] {
  switch (layout) {
    case 'BHLD':
      return [b, h, l, d];
    case 'BLHD':
      return [b, l, h, d];
    case 'BLD':
      return [b, l, d];
    case 'LD':
      return [l, d];
    case 'BLC':
      return [b, l, h * d];
  }
}

/** x [B, T, C] in the user's layout. */
export function xToUserLayout(x: Tensor, layout: XLayout): Tensor {
  const [b, t, c] = x.shape;
  switch (layout) {
    case 'BTC':
      return x;
    case 'TC':
      return { data: x.data, shape: [t, c] };
    case 'TBC':
      return permute(x, [1, 0, 2]);
  }
  return { data: x.data, shape: [b, t, c] };
}

/** A module's output back to [B, T, C'] (any width C'), or undefined. */
export function xFromUserLayout(out: Tensor, layout: XLayout, batch: number, length: number): Tensor | undefined {
  const s = out.shape;
  switch (layout) {
    case 'BTC':
      return s.length === 3 && s[0] === batch && s[1] === length ? out : undefined;
    case 'TC':
      return s.length === 2 && s[0] === length && batch === 1 ? { data: out.data, shape: [1, s[0], s[1]] } : undefined;
    case 'TBC':
      return s.length === 3 && s[0] === length && s[1] === batch ? permute(out, [1, 0, 2]) : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Shape hints

const BATCH = /^(b|bs|batch|batch_?size|n_?batch|nb)$/i;
const HEADS = /^(h|nh|n_?heads?|heads?|num_?heads|hq|hkv|n_?kv(_heads?)?|kv_?heads|g|n_?h)$/i;
const LENGTH = /^(t|l|s|n|m|seq|seq_?len(gth)?|len(gth)?|lq|lk|tq|tk|sq|sk|q_?len|kv_?len|k_?len|tgt_?len|src_?len|t_?q|t_?k|nq|nk)$/i;
const DIM = /^(d|dk|d_?k|dh|d_?h|hd|head_?dim|head_?size|dv|d_?v|d_?head|e|dim_?head)$/i;
const WIDTH = /^(c|d_?model|dmodel|embed_?dim|hidden(_?size)?|n_?embd|dim|emb|width|e_?dim)$/i;

type Axis = 'B' | 'H' | 'L' | 'D' | 'C';

function axisOf(symbol: string): Axis | undefined {
  const s = symbol.replace(/\s+/g, '');
  if (/[*·×x]/.test(s) && s.split(/[*·×x]/).length === 2) {
    const [a, b] = s.split(/[*·×x]/);
    if ((HEADS.test(a) && DIM.test(b)) || (DIM.test(a) && HEADS.test(b))) return 'C';
  }
  if (BATCH.test(s)) return 'B';
  if (HEADS.test(s)) return 'H';
  if (LENGTH.test(s)) return 'L';
  if (DIM.test(s)) return 'D';
  if (WIDTH.test(s)) return 'C';
  return undefined;
}

/** Tuples like `(B, H, T, D)` or `[batch, seq, n_heads, head_dim]` in docstrings and comments. */
export function shapeTuples(doc: string): Axis[][] {
  const out: Axis[][] = [];
  const re = /[([]\s*([A-Za-z_][\w]*(?:\s*[*·×]\s*[A-Za-z_]\w*)?(?:\s*,\s*[A-Za-z_]\w*(?:\s*[*·×]\s*[A-Za-z_]\w*)?){1,4})\s*[)\]]/g;
  for (let m = re.exec(doc); m; m = re.exec(doc)) {
    const axes = m[1].split(',').map((s) => axisOf(s.trim()));
    if (axes.every((a): a is Axis => a !== undefined)) out.push(axes);
  }
  return out;
}

function qkvLayoutOf(axes: Axis[], hasHeadCount: boolean): QkvLayout | undefined {
  const key = axes.join('');
  switch (key) {
    case 'BHLD':
      return 'BHLD';
    case 'BLHD':
      return 'BLHD';
    case 'BLD':
      return 'BLD';
    case 'BLC':
      return hasHeadCount ? 'BLC' : 'BLD';
    case 'LD':
    case 'LC':
      return 'LD';
    default:
      return undefined;
  }
}

function xLayoutOf(axes: Axis[]): XLayout | undefined {
  const key = axes.join('').replace(/D/g, 'C');
  if (key === 'BLC') return 'BTC';
  if (key === 'LBC') return 'TBC';
  if (key === 'LC') return 'TC';
  return undefined;
}

/** Layouts to try for a q/k/v function, most likely first. */
export function qkvLayoutOrder(doc: string, hasHeadCount: boolean): QkvLayout[] {
  const votes = new Map<QkvLayout, number>();
  for (const t of shapeTuples(doc)) {
    const lay = qkvLayoutOf(t, hasHeadCount);
    if (lay) votes.set(lay, (votes.get(lay) ?? 0) + 1);
  }
  const hinted = [...votes.entries()].sort((a, b) => b[1] - a[1]).map(([l]) => l);
  const defaults: QkvLayout[] = hasHeadCount ? ['BLC', 'BHLD', 'BLHD', 'BLD', 'LD'] : ['BHLD', 'BLD', 'LD', 'BLHD'];
  return [...new Set([...hinted, ...defaults])];
}

/** Layouts to try for an x-style module or function, most likely first. */
export function xLayoutOrder(doc: string): XLayout[] {
  const votes = new Map<XLayout, number>();
  for (const t of shapeTuples(doc)) {
    const lay = xLayoutOf(t);
    if (lay) votes.set(lay, (votes.get(lay) ?? 0) + 1);
  }
  const hinted = [...votes.entries()].sort((a, b) => b[1] - a[1]).map(([l]) => l);
  return [...new Set([...hinted, 'BTC', 'TC', 'TBC'] as XLayout[])];
}

/** The first of a call's outputs that reads as a [batch, length, channels] sequence in the user's layout, and its index. */
export function firstSequenceOutput(outputs: readonly Tensor[], layout: XLayout, batch: number, length: number): { output?: Tensor; index: number } {
  for (let i = 0; i < outputs.length; i++) {
    const output = xFromUserLayout(outputs[i], layout, batch, length);
    if (output) return { output, index: i };
  }
  return { index: -1 };
}
