// TensorProto payloads: float16/bfloat16 bit patterns, raw_data vs typed fields,
// bool and int64, attribute getters, external data.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataLocation,
  DataType,
  ModelProto,
  NodeProto,
  TensorProto,
  arrayToTensorProto,
  bfloat16BitsToNumber,
  decodeModel,
  decodeTensor,
  float16BitsToNumber,
  getAttribute,
  getFloatAttribute,
  getIntAttribute,
  getStringAttribute,
  hasExternalData,
  loadExternalData,
  makeFloatAttribute,
  makeIntAttribute,
  numberToBfloat16Bits,
  numberToFloat16Bits,
  roundToFloat16,
  setAttribute,
  tensorToArray,
} from '../../../../src/engine/onnx/proto';
import { sharedCasesAvailable, sharedCasesDir } from './shared-cases';

function emptyTensor(dataType: DataType, dims: number[]): TensorProto {
  return {
    dims, data_type: dataType, float_data: [], int32_data: [], string_data: [], int64_data: [],
    external_data: [], double_data: [], uint64_data: [], metadata_props: [],
  };
}

describe('ONNX proto: float16 and bfloat16', () => {
  it('decodes known float16 bit patterns', () => {
    // sign | exponent(5) | mantissa(10); value = (1 + m/1024)·2^(e−15)
    assert.equal(float16BitsToNumber(0x3c00), 1); // e=15, m=0
    assert.equal(float16BitsToNumber(0xc000), -2); // sign, e=16
    assert.equal(float16BitsToNumber(0x7bff), 65504); // largest finite: (2 − 2^−10)·2^15
    assert.equal(float16BitsToNumber(0x0001), 2 ** -24); // smallest subnormal
    assert.equal(float16BitsToNumber(0x0400), 2 ** -14); // smallest normal
    assert.equal(float16BitsToNumber(0x3555), (1 + 0x155 / 1024) / 4); // ≈ 0.33325
    assert.equal(float16BitsToNumber(0x7c00), Infinity);
    assert.equal(float16BitsToNumber(0xfc00), -Infinity);
    assert.ok(Number.isNaN(float16BitsToNumber(0x7e00)));
    assert.ok(Object.is(float16BitsToNumber(0x8000), -0));
  });

  it('encodes every non-NaN float16 value back to its own bits', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const v = float16BitsToNumber(bits);
      if (Number.isNaN(v)) continue;
      assert.equal(numberToFloat16Bits(v), bits, `bits 0x${bits.toString(16)}`);
    }
  });

  it('rounds to nearest, ties to even', () => {
    const ulp = 2 ** -10; // spacing of float16 just above 1
    assert.equal(roundToFloat16(1 + ulp / 2), 1); // tie: 1 has even mantissa 0
    assert.equal(roundToFloat16(1 + 1.5 * ulp), 1 + 2 * ulp); // tie: mantissa 1 (odd) → 2
    assert.equal(roundToFloat16(1 + 0.6 * ulp), 1 + ulp);
    assert.equal(roundToFloat16(65519), 65504); // below the halfway point to 65536
    assert.equal(roundToFloat16(65520), Infinity); // halfway: ties to even = overflow
    assert.equal(roundToFloat16(2 ** -25), 0); // half the smallest subnormal: tie to 0
    assert.equal(roundToFloat16(1.5 * 2 ** -24), 2 * 2 ** -24); // tie between 1 and 2 subnormal ulps → 2
    assert.equal(roundToFloat16(0.1), 0.0999755859375); // 0x2e66
  });

  it('bfloat16 keeps the top half of float32 and rounds ties to even', () => {
    assert.equal(bfloat16BitsToNumber(0x3f80), 1);
    assert.equal(bfloat16BitsToNumber(0xc040), -3);
    assert.equal(numberToBfloat16Bits(1), 0x3f80);
    assert.equal(numberToBfloat16Bits(1 + 2 ** -8), 0x3f80); // tie → even
    assert.equal(numberToBfloat16Bits(1 + 3 * 2 ** -8), 0x3f82); // tie, odd → up
  });
});

describe('ONNX proto: tensor data', () => {
  it('reads a real float16 input file (raw_data) as Float32 values', function () {
    if (!sharedCasesAvailable()) {
      console.log(`      (skipped: no shared cases at ${sharedCasesDir})`);
      this.skip();
    }
    const t = decodeTensor(readFileSync(join(sharedCasesDir, 'test_attention_4d_fp16', 'test_data_set_0', 'input_0.pb')));
    const a = tensorToArray(t);
    assert.equal(a.dataType, DataType.FLOAT16);
    assert.deepEqual(a.dims, [2, 3, 4, 8]);
    assert.ok(a.data instanceof Float32Array);
    // First values as numpy's onnx.numpy_helper reads them (exact float16 values).
    assert.deepEqual(Array.from(a.data.subarray(0, 5)), [0.548828125, 0.71533203125, 0.6025390625, 0.544921875, 0.423583984375]);
  });

  it('reads typed fields: float_data, float16 bits in int32_data, int64_data, bool', () => {
    const f = { ...emptyTensor(DataType.FLOAT, [2]), float_data: [1.5, -2] };
    assert.deepEqual(Array.from(tensorToArray(f).data as Float32Array), [1.5, -2]);
    const h = { ...emptyTensor(DataType.FLOAT16, [3]), int32_data: [0x3c00, 0xc000, 0x3800] };
    assert.deepEqual(Array.from(tensorToArray(h).data as Float32Array), [1, -2, 0.5]);
    const l = { ...emptyTensor(DataType.INT64, [2]), int64_data: [-5n, 1n << 40n] };
    assert.deepEqual(Array.from(tensorToArray(l).data as BigInt64Array), [-5n, 1n << 40n]);
    const b = { ...emptyTensor(DataType.BOOL, [3]), int32_data: [1, 0, 1] };
    const bb = tensorToArray(b).data;
    assert.ok(bb instanceof Uint8Array);
    assert.deepEqual(Array.from(bb), [1, 0, 1]);
    const d = { ...emptyTensor(DataType.DOUBLE, []), double_data: [Math.PI] };
    assert.deepEqual(Array.from(tensorToArray(d).data as Float64Array), [Math.PI]);
  });

  it('writes raw_data little-endian and reads it back, converting to float16 on request', () => {
    const t = arrayToTensorProto(new Float32Array([1, 0.1, -65504]), [3], { dataType: DataType.FLOAT16 });
    assert.deepEqual(Array.from(t.raw_data ?? []), [0x00, 0x3c, 0x66, 0x2e, 0xff, 0xfb]);
    assert.deepEqual(Array.from(tensorToArray(t).data as Float32Array), [1, 0.0999755859375, -65504]);
    const i64 = arrayToTensorProto(new BigInt64Array([-2n]), [1]);
    assert.deepEqual(Array.from(i64.raw_data ?? []), [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const bool = arrayToTensorProto(new Uint8Array([0, 3]), [2], { dataType: DataType.BOOL });
    assert.deepEqual(Array.from(tensorToArray(bool).data as Uint8Array), [0, 1]);
    assert.throws(() => arrayToTensorProto(new Float32Array(3), [2, 2]), /do not fill/);
  });

  it('rejects a payload whose size does not match dims', () => {
    const t = { ...emptyTensor(DataType.FLOAT, [3]), raw_data: new Uint8Array(8) };
    assert.throws(() => tensorToArray(t), /8 bytes, expected 3 × 4/);
  });
});

describe('ONNX proto: attributes', () => {
  it('reads attributes of a real node and falls back to defaults', function () {
    if (!sharedCasesAvailable()) {
      console.log(`      (skipped: no shared cases at ${sharedCasesDir})`);
      this.skip();
    }
    const gqa = decodeModel(readFileSync(join(sharedCasesDir, 'test_attention_3d_gqa_scaled', 'model.onnx')));
    const node = gqa.graph!.node[0];
    assert.equal(node.op_type, 'Attention');
    assert.equal(getIntAttribute(node, 'q_num_heads', 0), 9);
    assert.equal(getIntAttribute(node, 'kv_num_heads', 0), 3);
    assert.equal(Math.fround(getFloatAttribute(node, 'scale', 1)), Math.fround(0.01));
    assert.equal(getIntAttribute(node, 'is_causal', 0), 0); // absent → default
    assert.equal(getAttribute(node, 'softcap', undefined), undefined);
    assert.throws(() => getFloatAttribute(node, 'q_num_heads', 0), /is INT, expected FLOAT/);
    const gelu = decodeModel(readFileSync(join(sharedCasesDir, 'test_gelu_tanh_1', 'model.onnx')));
    assert.equal(getStringAttribute(gelu.graph!.node[0], 'approximate', 'none'), 'tanh');
  });

  it('sets and replaces attributes', () => {
    const node: NodeProto = { input: [], output: [], attribute: [], metadata_props: [], device_configurations: [] };
    setAttribute(node, makeIntAttribute('axis', -1));
    setAttribute(node, makeFloatAttribute('epsilon', 1e-5));
    setAttribute(node, makeIntAttribute('axis', 2));
    assert.equal(node.attribute.length, 2);
    assert.equal(getIntAttribute(node, 'axis'), 2);
    assert.equal(Math.fround(getFloatAttribute(node, 'epsilon', 0)), Math.fround(1e-5));
  });
});

describe('ONNX proto: external data', () => {
  it('loads payloads from a file beside the model and refuses to leave the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-ext-'));
    const values = new Float32Array([3, 1, 4, 1, 5]);
    writeFileSync(join(dir, 'weights.bin'), Buffer.concat([Buffer.alloc(8), Buffer.from(values.buffer)]));
    const w: TensorProto = {
      ...emptyTensor(DataType.FLOAT, [5]),
      name: 'W',
      data_location: DataLocation.EXTERNAL,
      external_data: [
        { key: 'location', value: 'weights.bin' },
        { key: 'offset', value: '8' },
        { key: 'length', value: '20' },
      ],
    };
    const model: ModelProto = {
      opset_import: [], metadata_props: [], training_info: [], functions: [], configuration: [],
      graph: {
        node: [], initializer: [w], sparse_initializer: [], input: [], output: [], value_info: [],
        quantization_annotation: [], metadata_props: [],
      },
    };
    assert.ok(hasExternalData(model));
    assert.throws(() => tensorToArray(w), /external file 'weights.bin'/);
    loadExternalData(model, dir);
    assert.ok(!hasExternalData(model));
    assert.deepEqual(Array.from(tensorToArray(w).data as Float32Array), [3, 1, 4, 1, 5]);

    const evil: TensorProto = { ...w, data_location: DataLocation.EXTERNAL, raw_data: undefined, external_data: [{ key: 'location', value: '../x.bin' }] };
    delete evil.raw_data;
    model.graph!.initializer = [evil];
    assert.throws(() => loadExternalData(model, dir), /leaves the model folder/);
  });
});
