import { strict as assert } from 'node:assert';
import { computeComplexity, COMPLEXITY_DEFAULTS, sweepLengths } from '../../../src/lessons/complexity';

describe('lesson 11: complexity', () => {
  const d = computeComplexity(COMPLEXITY_DEFAULTS);
  const series = (name: string) => {
    const s = d.series.find((x) => x.name === name);
    assert.ok(s, name);
    return s;
  };
  const last = d.lengths.length - 1;

  it('sweeps powers of two up to the maximum length', () => {
    assert.deepEqual(sweepLengths(1000), [128, 256, 512, 1000]);
    assert.equal(d.lengths[0], 128);
    assert.equal(d.lengths[last], 131072);
  });

  it('full attention: 4·h·n²·d FLOPs and h·n² scores; doubling n quadruples both', () => {
    const full = series('full');
    const n = d.lengths[last];
    assert.equal(full.flops[last], 4 * 32 * n * n * 64);
    assert.equal(full.bytes[last], 32 * n * n * 2);
    assert.equal(full.flops[1] / full.flops[0], 4);
    assert.equal(full.bytes[1] / full.bytes[0], 4);
  });

  it('FlashAttention does the same work in linear memory; linear attention has constant memory', () => {
    const full = series('full');
    const flash = series('flash');
    const linear = series('linear');
    assert.deepEqual([...flash.flops], [...full.flops]);
    assert.equal(flash.bytes[1] / flash.bytes[0], 2);
    assert.equal(linear.bytes[0], linear.bytes[last]);
    assert.equal(linear.flops[1] / linear.flops[0], 2);
    assert.equal(linear.pairs[last], 0);
  });

  it('a window grows linearly once n exceeds it', () => {
    const w = series('sliding-window');
    const i = d.lengths.indexOf(8192);
    const j = d.lengths.indexOf(16384);
    // past n = w each new token adds exactly w pairs: n·w − w(w − 1)/2
    assert.equal(w.pairs[j] - w.pairs[i], (16384 - 8192) * 4096);
    assert.ok(w.pairs[last] < series('full').pairs[last] / 10);
  });

  it('the formulas match patterns the engine built: exactly for the window, as an upper bound for BigBird', () => {
    const win = d.measured.find((m) => m.name === 'sliding-window');
    assert.ok(win && win.lengths.length === 5);
    assert.deepEqual([...win.pairs], [...win.formulaPairs]);
    const bb = d.measured.find((m) => m.name === 'sparse');
    assert.ok(bb && bb.lengths.length >= 2);
    bb.pairs.forEach((p, i) => {
      assert.ok(p <= bb.formulaPairs[i]);
      assert.ok(p > 0.9 * bb.formulaPairs[i]);
    });
  });
});
