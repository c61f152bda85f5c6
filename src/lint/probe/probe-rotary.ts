// Kernels that take rotary tables (`cos`, `sin`): the probe passes the reference engine's RoPE
// tables (buildRotaryCache) and measures what RoPE is for.
//   - relative positions: calling again with every position shifted by the same amount must
//     leave the weights unchanged, because q(p)·k(p') depends only on p − p';
//   - the reference: the engine's applyRotaryEmbedding on q and k (never v), then attention.
// When the output matches RoPE on some other set of tensors, the report names that set
// ("it matches RoPE applied to q and v: rotate k, not v").
//
// Tables are [T, D] by default: each angle twice, in the pairing the code uses (the two halves,
// `rotate_half`, unless the code says interleaved / GPT-J), or [T, D/2] (one column per angle)
// when the function rejects the full width.
import { applyRotaryEmbedding, buildRotaryCache } from '../../engine/reference/rotary-embedding';
import type { CausalAlignment } from '../../engine/reference/causal-mask';
import type { Tensor } from '../../engine/reference/tensor';
import type { ProbeValue } from './callee';
import { fail, pass, skip } from './probe-checks';
import type { QkvInputs } from './probe-inputs';
import type { ProbeCheck } from './probe-types';
import { agrees, closestReference } from './reference-check';
import { maxAbs, maxAbsDiff } from './tensor-ops';
import { formatNumber } from './weights-analysis';

export type RotaryPairing = 'half-split' | 'interleaved';
export type RotaryWidth = 'full' | 'half';

/** How far every position moves in the relative-position trial. */
export const ROTARY_SHIFT = 3;

const INTERLEAVED_WORDS = /interleav|gpt-?j|rotate_every_two|every[_ ]two|adjacent pairs/i;

/** The coordinate pairing the source describes (rotate_half unless it says interleaved). */
export function rotaryPairing(text: string): RotaryPairing {
  return INTERLEAVED_WORDS.test(text) ? 'interleaved' : 'half-split';
}

/**
 * cos/sin tables for positions offset … offset + length − 1, from the engine's cache:
 * full width [length, D] (each angle twice, in the given pairing) or half width [length, D/2].
 */
export function rotaryTables(length: number, headSize: number, offset: number, pairing: RotaryPairing, width: RotaryWidth): { cos: Tensor; sin: Tensor } {
  const cache = buildRotaryCache(offset + length, headSize);
  const half = headSize / 2;
  const table = (src: Tensor): Tensor => {
    if (width === 'half') return { data: src.data.slice(offset * half, (offset + length) * half), shape: [length, half] };
    const out = new Float32Array(length * headSize);
    for (let p = 0; p < length; p++) {
      for (let c = 0; c < headSize; c++) {
        const angle = pairing === 'interleaved' ? Math.floor(c / 2) : c % half;
        out[p * headSize + c] = src.data[(offset + p) * half + angle];
      }
    }
    return { data: out, shape: [length, headSize] };
  };
  return { cos: table(cache.cos), sin: table(cache.sin) };
}

export function rotaryArguments(length: number, headSize: number, offset: number, pairing: RotaryPairing, width: RotaryWidth): { cos: ProbeValue; sin: ProbeValue } {
  const { cos, sin } = rotaryTables(length, headSize, offset, pairing, width);
  return { cos: { kind: 'tensor', data: cos.data, shape: [...cos.shape], dtype: 'float32' }, sin: { kind: 'tensor', data: sin.data, shape: [...sin.shape], dtype: 'float32' } };
}

/** x [B, H, L, D] rotated by the engine at positions offset … offset + L − 1. */
export function rotate(x: Tensor, offset: number, pairing: RotaryPairing): Tensor {
  const [b, , l, d] = x.shape;
  const cache = buildRotaryCache(offset + l, d);
  const ids = new Array<number>(b * l);
  for (let bi = 0; bi < b; bi++) for (let t = 0; t < l; t++) ids[bi * l + t] = offset + t;
  return applyRotaryEmbedding(x, cache.cos, cache.sin, { interleaved: pairing === 'interleaved', positionIds: { data: ids, shape: [b, l] } });
}

/** What the engine computes from: q and k rotated, v as it is. */
export function rotaryInputs(inputs: QkvInputs, offset: number, pairing: RotaryPairing): QkvInputs {
  return { q: rotate(inputs.q, offset, pairing), k: rotate(inputs.k, offset, pairing), v: inputs.v };
}

type Rotated = 'q' | 'k' | 'v';
const OTHER_CHOICES: Rotated[][] = [['q', 'v'], ['k', 'v'], ['q', 'k', 'v'], ['q'], ['k'], []];

function nameSet(set: Rotated[]): string {
  if (set.length === 0) return 'no tensor';
  return set.length === 1 ? set[0] : `${set.slice(0, -1).join(', ')} and ${set[set.length - 1]}`;
}

/** When the output matches RoPE on another set of tensors (or the other pairing), say which. */
export function rotaryExplanation(userOut: Tensor, inputs: QkvInputs, offset: number, pairing: RotaryPairing, modes: (CausalAlignment | false)[]): string | undefined {
  for (const set of OTHER_CHOICES) {
    const pick = (name: Rotated, t: Tensor) => (set.includes(name) ? rotate(t, offset, pairing) : t);
    const best = closestReference(userOut, pick('q', inputs.q), pick('k', inputs.k), pick('v', inputs.v), modes);
    if (agrees(best.diff, best.result.output)) {
      const fix = set.includes('v') ? (set.includes('k') && set.includes('q') ? 'leave v alone' : `rotate q and k, not v`) : 'rotate both q and k';
      return `it matches RoPE applied to ${nameSet(set)}: ${fix} (RoPE rotates q and k only)`;
    }
  }
  const other: RotaryPairing = pairing === 'half-split' ? 'interleaved' : 'half-split';
  const swapped = closestReference(userOut, rotate(inputs.q, offset, other), rotate(inputs.k, offset, other), inputs.v, modes);
  if (agrees(swapped.diff, swapped.result.output)) {
    return `it matches RoPE with ${other} pairs: the code pairs coordinates ${other === 'interleaved' ? '(x0, x1), (x2, x3), …' : '(x0, x_{D/2}), …'} while the tables are laid out for ${pairing} pairs`;
  }
  return undefined;
}

/**
 * The `rotary-relative` check: weights (or, when they cannot be read, outputs) of the same
 * inputs at positions 0… and at positions shift…, which must agree.
 */
export function rotaryShiftCheck(
  base: { weights?: Tensor; output: Tensor },
  shifted: { weights?: Tensor; output: Tensor } | { error: string },
  shift: number,
): ProbeCheck {
  if ('error' in shifted) return skip('rotary-relative', `not measured: with positions shifted by ${shift} the function raised ${shifted.error}`);
  if (base.weights && shifted.weights) {
    const cell = largestChange(base.weights, shifted.weights);
    const outDiff = maxAbsDiff(base.output.data, shifted.output.data);
    if (cell.diff > 1e-4) {
      return fail(
        'rotary-relative',
        `shifting every position by ${shift} changes the weights (query ${cell.query}, key ${cell.key}: ${formatNumber(cell.before)} → ${formatNumber(cell.after)}): the scores depend on absolute positions — rotate both q and k with the same tables`,
        { cells: [{ query: cell.query, key: cell.key }], values: { shift, maxWeightDiff: cell.diff } },
      );
    }
    if (outDiff > 1e-4 * Math.max(1, maxAbs(base.output.data))) {
      return fail(
        'rotary-relative',
        `shifting every position by ${shift} leaves the weights unchanged but moves the output (max |Δ| = ${formatNumber(outDiff)}): the values are rotated too — RoPE applies to q and k, never v`,
        { values: { shift, maxOutputDiff: outDiff } },
      );
    }
    return pass('rotary-relative', `shifting every position by ${shift} leaves the weights and the output unchanged (max |Δ| ${formatNumber(Math.max(cell.diff, outDiff))}): the scores depend only on relative positions`, {
      values: { shift },
    });
  }
  const outDiff = maxAbsDiff(base.output.data, shifted.output.data);
  return outDiff > 1e-4 * Math.max(1, maxAbs(base.output.data))
    ? fail('rotary-relative', `shifting every position by ${shift} changes the output (max |Δ| = ${formatNumber(outDiff)}): with RoPE on q and k only, a common shift cancels out of every score`, {
        values: { shift, maxOutputDiff: outDiff },
      })
    : pass('rotary-relative', `shifting every position by ${shift} leaves the output unchanged (the weights could not be read): the scores depend only on relative positions`, { values: { shift } });
}

function largestChange(a: Tensor, b: Tensor): { query: number; key: number; diff: number; before: number; after: number } {
  const [, , lq, lk] = a.shape;
  let best = { query: 0, key: 0, diff: 0, before: a.data[0], after: b.data[0] };
  for (let idx = 0; idx < a.data.length; idx++) {
    const d = Math.abs(a.data[idx] - b.data[idx]);
    const bad = Number.isNaN(d) ? Infinity : d;
    if (bad > best.diff) {
      const cell = idx % (lq * lk);
      best = { query: Math.floor(cell / lk), key: cell % lk, diff: bad, before: a.data[idx], after: b.data[idx] };
    }
  }
  return best;
}
