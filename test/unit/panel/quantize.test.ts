import { strict as assert } from 'node:assert';
import { dequantize, layerThumbnails, maxPool, quantizeU16, quantizeU8 } from '../../../src/protocol/quantize';

describe('display quantisation', () => {
  it('u8 and u16 round-trip within half a step of the scale', () => {
    const values = new Float32Array([0, 0.01, 0.2, 0.333, 0.5, 0.75, 1]);
    const q8 = quantizeU8(values);
    const q16 = quantizeU16(values);
    assert.equal(q8.scale, 1);
    values.forEach((v, i) => {
      assert.ok(Math.abs(dequantize(q8.data[i], 'u8', q8.scale) - v) <= 0.5 / 255 + 1e-9);
      assert.ok(Math.abs(dequantize(q16.data[i], 'u16', q16.scale) - v) <= 0.5 / 65535 + 1e-9);
    });
    assert.equal(q8.data[6], 255);
    assert.equal(q8.data[4], 128); // 0.5·255 = 127.5 rounds up
  });

  it('scales faint heads to the full range', () => {
    const q = quantizeU8(new Float32Array([0.001, 0.004]));
    assert.equal(q.data[1], 255);
    assert.equal(q.data[0], 64); // 0.25·255 = 63.75
  });

  it('max-pooling keeps a single strong cell visible', () => {
    const src = new Float32Array(16 * 16);
    src[5 * 16 + 9] = 0.9;
    const out = new Float32Array(4 * 4);
    maxPool(src, 0, 16, 16, 4, 4, out, 0);
    assert.equal(out[1 * 4 + 2], src[5 * 16 + 9]);
    assert.equal(out.filter((v) => v > 0).length, 1);
  });

  it('thumbnails keep small heads at full resolution and cap large ones', () => {
    const heads = 2;
    const small = layerThumbnails(new Float32Array(heads * 5 * 7).fill(0.2), heads, 5, 7, 64);
    assert.deepEqual([small.rows, small.cols, small.pixels.length], [5, 7, 70]);
    assert.ok(small.pixels.every((p) => p === 255));
    const big = layerThumbnails(new Float32Array(heads * 300 * 300), heads, 300, 300, 64);
    assert.deepEqual([big.rows, big.cols], [64, 64]);
    assert.equal(big.tileMax[0], 0);
  });
});
