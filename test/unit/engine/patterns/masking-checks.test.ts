// Masking checks with planted defects: each defect is found, in the right layer and head,
// with the planted cell in the sample; clean weights give no finding.
import { strict as assert } from 'node:assert';
import { checkLayerMasking } from '../../../../src/engine/patterns/masking-checks';
import { SeededRandom } from '../../../../src/engine/patterns/seeded-random';

/** Clean softmax rows for `heads` heads of n×n; causal ones have exact zeros above the diagonal. */
function cleanLayer(heads: number, n: number, causal: boolean, seed = 3): Float32Array {
  const rng = new SeededRandom(seed);
  const w = new Float32Array(heads * n * n);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < n; i++) {
      const end = causal ? i + 1 : n;
      const base = (h * n + i) * n;
      let s = 0;
      for (let j = 0; j < end; j++) s += w[base + j] = Math.exp(rng.normal());
      for (let j = 0; j < end; j++) w[base + j] /= s;
    }
  }
  return w;
}

const at = (n: number, h: number, i: number, j: number): number => (h * n + i) * n + j;

describe('masking checks', () => {
  const n = 12;
  const heads = 4;

  it('finds nothing in clean causal and bidirectional layers', () => {
    assert.deepEqual(checkLayerMasking(cleanLayer(heads, n, true), heads, n, n, 0, { causal: true }), []);
    assert.deepEqual(checkLayerMasking(cleanLayer(heads, n, false), heads, n, n, 0, { causal: false }), []);
  });

  it('causal-leak: weight above the diagonal in one head', () => {
    const w = cleanLayer(heads, n, true);
    // Give 0.2 of row 5's attention in head 2 to key 9 (a future token); the row still sums to 1.
    for (let j = 0; j <= 5; j++) w[at(n, 2, 5, j)] *= 0.8;
    w[at(n, 2, 5, 9)] = 0.2;
    w[at(n, 2, 7, 8)] = 5e-7; // below the 1e-6 tolerance: not a leak
    const f = checkLayerMasking(w, heads, n, n, 3, { causal: true });
    assert.equal(f.length, 1);
    const leak = f.find((x) => x.kind === 'causal-leak')!;
    assert.equal(leak.severity, 'error');
    assert.equal(leak.layer, 3);
    assert.deepEqual(leak.heads, [2]);
    assert.deepEqual(leak.cells, [[5, 9]]);
    assert.match(leak.message, /0\.2000 at query 5 → key 9/);
  });

  it('causal-leak: a missing mask in every head (bidirectional weights claimed causal)', () => {
    const f = checkLayerMasking(cleanLayer(heads, n, false), heads, n, n, 0, { causal: true });
    const leak = f.find((x) => x.kind === 'causal-leak')!;
    assert.deepEqual(leak.heads, [0, 1, 2, 3]);
    assert.equal(leak.cells!.length, 8);
    assert.ok(leak.cells!.every(([i, j]) => j > i));
  });

  it('row-sum: a row scaled by 1.1 is an error, an all-zero row a warning', () => {
    const w = cleanLayer(heads, n, true);
    for (let j = 0; j <= 6; j++) w[at(n, 1, 6, j)] *= 1.1;
    for (let j = 0; j <= 3; j++) w[at(n, 3, 3, j)] = 0;
    // A rounding-sized error (1e-4) is within the tolerance.
    w[at(n, 0, 4, 0)] += 1e-4;
    const f = checkLayerMasking(w, heads, n, n, 0, { causal: true });
    const err = f.find((x) => x.kind === 'row-sum' && x.severity === 'error')!;
    assert.deepEqual(err.heads, [1]);
    assert.deepEqual(err.cells, [[6, -1]]);
    assert.match(err.message, /off by 0\.1000/);
    const warn = f.find((x) => x.kind === 'row-sum' && x.severity === 'warning')!;
    assert.deepEqual(warn.heads, [3]);
    assert.deepEqual(warn.cells, [[3, -1]]);
    assert.equal(f.length, 2);
  });

  it('non-finite: NaN and Infinity are reported and keep other checks quiet for that row', () => {
    const w = cleanLayer(heads, n, true);
    w[at(n, 0, 2, 1)] = NaN;
    w[at(n, 2, 8, 3)] = Infinity;
    const f = checkLayerMasking(w, heads, n, n, 1, { causal: true });
    assert.equal(f.length, 1);
    assert.equal(f[0].kind, 'non-finite');
    assert.deepEqual(f[0].heads, [0, 2]);
    assert.deepEqual(f[0].cells, [[2, 1], [8, 3]]);
    assert.match(f[0].message, /1 NaN, 1 ±Infinity/);
  });

  it('padding-attended: weight on padded keys from real queries; padded query rows are ignored', () => {
    const pad = Array.from({ length: n }, (_, j) => j >= 9); // right padding: keys 9, 10, 11
    // Bidirectional encoder whose mask was applied: zero weight on pads.
    const ok = new Float32Array(heads * n * n);
    for (let h = 0; h < heads; h++) for (let i = 0; i < n; i++) for (let j = 0; j < 9; j++) ok[at(n, h, i, j)] = 1 / 9;
    assert.deepEqual(checkLayerMasking(ok, heads, n, n, 0, { causal: false, padding: pad }), []);
    // Head 1 forgot the mask; padded query rows (9–11) may look anywhere and are not reported.
    const bad = ok.slice();
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) bad[at(n, 1, i, j)] = 1 / n;
    const f = checkLayerMasking(bad, heads, n, n, 0, { causal: false, padding: pad });
    assert.equal(f.length, 1);
    assert.equal(f[0].kind, 'padding-attended');
    assert.deepEqual(f[0].heads, [1]);
    assert.ok(f[0].cells!.every(([i, j]) => i < 9 && j >= 9));
    assert.match(f[0].message, /27 weight\(s\) fall on padding keys/);
  });

  it('rejects inconsistent shapes', () => {
    assert.throws(() => checkLayerMasking(new Float32Array(10), 1, 3, 3, 0, { causal: false }), /do not fill/);
    assert.throws(() => checkLayerMasking(new Float32Array(12), 1, 3, 4, 0, { causal: true }), /must be square/);
    assert.throws(() => checkLayerMasking(new Float32Array(9), 1, 3, 3, 0, { causal: false, padding: [0, 1] }), /padding mask/);
  });
});
