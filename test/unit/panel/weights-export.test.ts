import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LayerAttention, TokenSpan } from '../../../src/engine/engine-api';
import { sliceWeights, toCsv, toJson, toNpy } from '../../../src/panel-model/weights-export';

const layer: LayerAttention = { runId: 1, layer: 2, kind: 'self', heads: 2, queryLength: 2, keyLength: 3, weights: Float32Array.from([1, 0, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5, 0.1, 0.1, 0.8]) };
const tokens: TokenSpan[] = [
  { id: 1, text: 'a,"b', start: 0, end: 4, special: false },
  { id: 2, text: ' c', start: 4, end: 6, special: false },
  { id: 3, text: '\n', start: 6, end: 7, special: false },
];

describe('weights export', () => {
  it('slices one head', () => {
    const s = sliceWeights(layer, 1);
    assert.deepEqual(s.shape, [2, 3]);
    assert.deepEqual([...s.data], [...layer.weights.subarray(6)]);
    assert.throws(() => sliceWeights(layer, 2), /out of range/);
  });

  it('CSV quotes token text and has one row per query', () => {
    const csv = toCsv(sliceWeights(layer, 0), tokens.slice(0, 2), tokens);
    const lines = csv.trim().split('\n');
    assert.equal(lines.length, 1 + 2 + 1); // header, 2 rows; the quoted newline token spans a line
    assert.ok(lines[0].startsWith('head,query,"0:a,""b"'));
  });

  it('JSON carries shape, tokens and nested weights', () => {
    const j = JSON.parse(toJson(sliceWeights(layer), tokens.slice(0, 2), tokens, { layer: 2 }));
    assert.deepEqual(j.shape, [2, 2, 3]);
    assert.equal(j.weights[1][1][2], Math.fround(0.8));
    assert.equal(j.layer, 2);
  });

  it('.npy loads in NumPy with the right shape and values', function () {
    const npy = toNpy(sliceWeights(layer));
    assert.equal((npy.length - layer.weights.byteLength) % 64, 0, 'header padded to 64 bytes');
    if (!existsSync('/usr/bin/python3')) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    const file = join(dir, 'w.npy');
    writeFileSync(file, npy);
    let out: string;
    try {
      out = execFileSync('/usr/bin/python3', ['-c', `import numpy as np; a = np.load(${JSON.stringify(file)}); print(a.shape, a.dtype, float(a[1, 1, 2]))`]).toString();
    } catch (e) {
      if (String(e).includes('No module named')) return this.skip();
      throw e;
    }
    assert.equal(out.trim(), `(2, 2, 3) float32 ${Math.fround(0.8)}`);
  });
});
