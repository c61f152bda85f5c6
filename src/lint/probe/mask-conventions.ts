// The five ways hand-written attention takes a mask. Most masking bugs are polarity mix-ups
// between them, so the probe does not assume one: it tries each and keeps the one under
// which the function provably ignores exactly the blocked keys.
import type { ProbeValue } from './callee';

export type MaskConvention = 'bool-keep' | 'bool-block' | 'float-keep' | 'float-block' | 'additive';

export const MASK_CONVENTIONS: readonly MaskConvention[] = ['bool-keep', 'bool-block', 'additive', 'float-keep', 'float-block'];

/** The [Lq, Lk] keep-pattern (1 = attend) written in a convention. */
export function encodeMask(keep: Uint8Array, queryLength: number, keyLength: number, convention: MaskConvention): ProbeValue {
  const data = new Float32Array(keep.length);
  for (let i = 0; i < keep.length; i++) {
    const k = keep[i] !== 0;
    switch (convention) {
      case 'bool-keep':
      case 'float-keep':
        data[i] = k ? 1 : 0;
        break;
      case 'bool-block':
      case 'float-block':
        data[i] = k ? 0 : 1;
        break;
      case 'additive':
        data[i] = k ? 0 : -Infinity;
        break;
    }
  }
  const dtype = convention.startsWith('bool') ? 'bool' : 'float32';
  return { kind: 'tensor', data, shape: [queryLength, keyLength], dtype };
}

export function describeConvention(c: MaskConvention): string {
  switch (c) {
    case 'bool-keep':
      return 'boolean, True = attend (as F.scaled_dot_product_attention)';
    case 'bool-block':
      return 'boolean, True = blocked (as nn.MultiheadAttention and masked_fill(mask, -inf))';
    case 'float-keep':
      return '1/0 floats, 1 = attend (e.g. masked_fill(mask == 0, -inf))';
    case 'float-block':
      return '1/0 floats, 1 = blocked (e.g. scores += mask * -1e9)';
    case 'additive':
      return 'additive floats, 0 = attend, -inf = blocked';
  }
}
