// The conformance runner's comparison logic on real ONNX cases: a correct reference
// passes, a perturbed output is caught, float16 rounding and the masked-score
// sentinel rule behave as documented.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { DataType } from '../../../src/engine/onnx/proto';
import {
  FLOAT32_LOWEST,
  compareOutputs,
  compareTensor,
  conformanceDir,
  loadCase,
  runOnReference,
} from '../../conformance/conformance-cases';

describe('conformance runner', () => {
  const dir = conformanceDir();
  const needCases = function (this: Mocha.Context): void {
    if (!existsSync(dir)) {
      console.log(`      (skipped: no ONNX conformance cases at ${dir}; set ATTENTION_CONFORMANCE_DIR)`);
      this.skip();
    }
  };

  it('passes real cases on the reference (GQA + KV cache in float16, LayerNorm with three outputs)', function () {
    needCases.call(this);
    for (const name of ['test_attention_4d_gqa_with_past_and_present_fp16', 'test_layer_normalization_3d_axis1_epsilon']) {
      const c = loadCase(dir, name);
      assert.ok(c.dataSets.length >= 1);
      const runs = runOnReference(c);
      for (const r of runs) assert.deepEqual(r.mismatches, [], name);
      if (name.includes('layer')) assert.deepEqual(Object.keys(runs[0].outputs).sort(), ['InvStdDev', 'Mean', 'Y']);
    }
  });

  it('catches a wrong value, a wrong shape and a missing output', function () {
    needCases.call(this);
    const c = loadCase(dir, 'test_attention_4d_causal');
    const [run] = runOnReference(c);
    const y = run.outputs.Y;
    const data = Float32Array.from(y.data as Float32Array);
    data[7] += 1e-2; // far above atol 1e-5 + rtol 1e-3·|y|
    const wrong = compareOutputs({ Y: { ...y, data } }, c.dataSets[0].expected, false);
    assert.equal(wrong.length, 1);
    assert.match(wrong[0].detail, /first mismatch at 7/);
    assert.ok(Math.abs(wrong[0].maxAbsDiff - 1e-2) < 1e-4);
    const reshaped = compareOutputs({ Y: { ...y, dims: [y.dims[0] * y.dims[1], ...y.dims.slice(2)] } }, c.dataSets[0].expected, false);
    assert.match(reshaped[0].detail, /shape/);
    assert.match(compareOutputs({}, c.dataSets[0].expected, false)[0].detail, /not produced/);
  });

  it('rounds the reference through float16 for float16 outputs', () => {
    // 1 + 2^-11 is halfway between float16 neighbours 1 and 1 + 2^-10: it rounds to 1 (even).
    const expected = { dataType: DataType.FLOAT16, dims: [1], data: new Float32Array([1]) };
    const actual = { dataType: DataType.FLOAT16, dims: [1], data: new Float32Array([1 + 2 ** -11]) };
    assert.equal(compareTensor('y', actual, expected, true), undefined);
    const far = { ...actual, data: new Float32Array([1.01]) }; // 10 float16 ulps away
    assert.ok(compareTensor('y', far, expected, true));
  });

  it('counts −∞ vs float32-lowest as the same blocked score, and reports it', () => {
    const expected = { dataType: DataType.FLOAT, dims: [2], data: new Float32Array([-Infinity, 1]) };
    const notes = { maskedSentinelMatches: 0 };
    assert.equal(compareTensor('qk', { ...expected, data: new Float32Array([FLOAT32_LOWEST, 1]) }, expected, false, notes), undefined);
    assert.equal(notes.maskedSentinelMatches, 1);
    // but an ordinary large negative number is not a blocked score
    assert.ok(compareTensor('qk', { ...expected, data: new Float32Array([-1e30, 1]) }, expected, false, notes));
    // and NaN never equals a number
    assert.ok(compareTensor('qk', { ...expected, data: new Float32Array([-Infinity, NaN]) }, expected, false));
  });
});
