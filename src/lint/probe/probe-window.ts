// Kernels with an integer `window` argument (causal sliding-window attention, Mistral's
// `sliding_window = w`): the probe passes a small window and compares what it measured with the
// reference engine's window, i − w < j ≤ i (the query and the w − 1 keys before it).
//   - the dependency map (change key j, see which queries move) must equal
//     slidingWindowKeepMask(n, causalWindow(w)) cell for cell;
//   - the output must equal the engine's attention under that keep-mask.
// An off-by-one bound is named as such: "query 3 sees key 0, outside a window of 3".
import type { CausalAlignment } from '../../engine/reference/causal-mask';
import type { BoolMask } from '../../engine/reference/masks';
import { causalWindow, inWindow, slidingWindowKeepMask } from '../../engine/reference/sliding-window';
import type { Tensor } from '../../engine/reference/tensor';
import type { DependencyMap } from './dependency-map';
import { fail, listOf, pass, skip } from './probe-checks';
import type { ProbeCell, ProbeCheck } from './probe-types';
import { reference, type ReferenceMatch, type ReferenceOptions } from './reference-check';
import { maxAbsDiff } from './tensor-ops';

/** The window the probe passes: small enough that the 7-token self trial shows its edge on most rows. */
export const PROBE_WINDOW = 3;

/**
 * The engine's causal window as a keep-mask [Lq, Lk]. Square: slidingWindowKeepMask itself.
 * Lq ≠ Lk: query i sits at key position i + offset (0 top-left, Lk − Lq bottom-right).
 */
export function windowKeepMask(queries: number, keys: number, window: number, offset = 0): BoolMask {
  if (queries === keys && offset === 0) return slidingWindowKeepMask(queries, causalWindow(window));
  const extent = causalWindow(window);
  const data = new Uint8Array(queries * keys);
  for (let i = 0; i < queries; i++) for (let j = 0; j < keys; j++) data[i * keys + j] = inWindow(i + offset, j, extent) ? 1 : 0;
  return { data, shape: [queries, keys] };
}

/** Cells where the measured dependency map and the engine's window disagree. */
export function windowMismatch(map: DependencyMap, window: number): { extra: ProbeCell[]; missing: ProbeCell[] } {
  const keep = windowKeepMask(map.queries, map.keys, window);
  const extra: ProbeCell[] = [];
  const missing: ProbeCell[] = [];
  for (let i = 0; i < map.queries; i++) {
    for (let j = 0; j < map.keys; j++) {
      const expected = keep.data[i * map.keys + j] === 1;
      if (map.depends[i][j] && !expected) extra.push({ query: i, key: j });
      if (!map.depends[i][j] && expected) missing.push({ query: i, key: j });
    }
  }
  return { extra, missing };
}

function seen(map: DependencyMap, i: number): number {
  return map.depends[i].filter(Boolean).length;
}

/** The `sliding-window` check on the self trial's dependency map (query i = key position i). */
export function slidingWindowCheck(map: DependencyMap | undefined, window: number): ProbeCheck {
  const rule = `i − ${window} < j ≤ i`;
  if (!map) return skip('sliding-window', 'not measured: the function does not run (or is not deterministic) with query length = key length');
  const { extra, missing } = windowMismatch(map, window);
  const n = map.queries;
  // the last row has a full window: how many keys does it see?
  const lastSees = seen(map, n - 1);
  const full = Math.min(window, n);
  if (extra.length === 0 && missing.length === 0) {
    return pass('sliding-window', `with window=${window} every query sees exactly the keys ${rule} (${full} keys from query ${full - 1} on), as the engine's slidingWindowKeepMask`, {
      values: { window },
    });
  }
  const sizeNote = lastSees !== full ? `: query ${n - 1} sees ${lastSees} keys instead of ${window}${Math.abs(lastSees - window) === 1 ? ' — the bound is off by one' : ''}` : '';
  if (extra.length) {
    // the most telling extra cell: the earliest query, its farthest key back
    const first = extra.reduce((b, c) => (c.query < b.query || (c.query === b.query && c.key < b.key) ? c : b), extra[0]);
    const future = first.key > first.query;
    const what = future ? `key ${first.key}, a future key` : `key ${first.key}, outside a window of ${window} (${rule})`;
    return fail('sliding-window', `query ${first.query} sees ${what}${sizeNote}`, {
      cells: [...extra, ...missing],
      positions: [...new Set(extra.map((c) => c.query))],
      values: { window, extraCells: extra.length, missingCells: missing.length, lastRowKeys: lastSees },
    });
  }
  const first = missing[0];
  const rows = [...new Set(missing.map((c) => c.query))];
  return fail(
    'sliding-window',
    `query ${first.query} does not see key ${first.key}, inside a window of ${window} (${rule})${sizeNote || (rows.length > 1 ? `; rows ${listOf(rows)} see too few keys` : '')}`,
    { cells: missing, positions: rows, values: { window, missingCells: missing.length, lastRowKeys: lastSees } },
  );
}

/**
 * The engine under the window mask, for each causal alignment tried; the closest one. The window
 * mask already blocks the future, so the engine runs without a separate causal flag.
 */
export function closestWindowReference(
  userOut: Tensor,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  window: number,
  modes: (CausalAlignment | false)[],
  extra: Omit<ReferenceOptions, 'causal' | 'mask'> = {},
): ReferenceMatch {
  const lq = q.shape[2];
  const lk = k.shape[2];
  let best: ReferenceMatch | undefined;
  for (const causal of modes) {
    const offset = causal === 'bottom-right' ? lk - lq : 0;
    const result = reference(q, k, v, { ...extra, causal: false, mask: windowKeepMask(lq, lk, window, offset) });
    const diff = maxAbsDiff(userOut.data, result.output.data);
    const score = Number.isNaN(diff) ? Infinity : diff;
    if (!best || score < (Number.isNaN(best.diff) ? Infinity : best.diff)) best = { causal, diff, result };
  }
  return best as ReferenceMatch;
}
