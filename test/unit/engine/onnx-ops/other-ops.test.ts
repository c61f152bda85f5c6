// RotaryEmbedding, Softmax, LayerNormalization, RMSNormalization and Gelu adaptors on
// variants beyond the shared ONNX cases, cross-checked with onnxruntime-node.
import { strict as assert } from 'node:assert';
import { DataType, TensorArray, encodeModel, makeIntAttribute, makeFloatAttribute, makeStringAttribute, AttributeProto } from '../../../../src/engine/onnx/proto';
import { runReferenceGraph } from '../../../../src/engine/onnx/ops/run-node';
import { runModelOnce } from '../../../../src/engine/onnx/run-single-node';
import { compareOutputs } from '../../../conformance/conformance-cases';
import { wave } from '../reference/helpers';
import { singleNodeModel } from './single-node-model';

const f32 = (shape: number[], seed: number): TensorArray => ({ dataType: DataType.FLOAT, dims: shape, data: wave(shape, seed).data });
const i64 = (shape: number[], values: number[]): TensorArray => ({ dataType: DataType.INT64, dims: shape, data: BigInt64Array.from(values.map(BigInt)) });

async function agree(op: string, opset: number, inputs: Array<[string, TensorArray]>, outputs: Array<[string, DataType]>, attrs: AttributeProto[]) {
  const model = singleNodeModel(op, opset, inputs, outputs, attrs);
  const feeds = Object.fromEntries(inputs);
  const reference = runReferenceGraph(model, feeds);
  const ort = await runModelOnce(encodeModel(model), feeds);
  assert.deepEqual(compareOutputs(reference, ort, false), []);
  return reference;
}

describe('ONNX op adaptors vs onnxruntime', () => {
  it('RotaryEmbedding: 3-D input with num_heads, interleaved, partial rotary_dim', async () => {
    const cos = f32([10, 2], 1);
    const sin = f32([10, 2], 2);
    await agree('RotaryEmbedding', 23, [['x', f32([2, 3, 12], 3)], ['cos', cos], ['sin', sin], ['pos', i64([2, 3], [0, 4, 9, 2, 2, 7])]], [['y', 1]], [
      makeIntAttribute('num_heads', 2), makeIntAttribute('interleaved', 1), makeIntAttribute('rotary_embedding_dim', 4),
    ]);
  });

  it('Softmax: opset 13 single axis, opset 11 flattening, and a fully −∞ row', async () => {
    const x = f32([2, 3, 4], 4);
    await agree('Softmax', 13, [['x', x]], [['y', 1]], [makeIntAttribute('axis', 1)]);
    const old = await agree('Softmax', 11, [['x', x]], [['y', 1]], [makeIntAttribute('axis', 1)]);
    // opset 11, axis 1: each batch's 12 values form one distribution
    const y = old.y.data as Float32Array;
    assert.ok(Math.abs(y.subarray(0, 12).reduce((s, v) => s + v, 0) - 1) < 1e-6);
    const masked: TensorArray = { dataType: DataType.FLOAT, dims: [2, 2], data: new Float32Array([-Infinity, -Infinity, 0, 0]) };
    const r = runReferenceGraph(singleNodeModel('Softmax', 13, [['x', masked]], [['y', 1]], []), { x: masked });
    assert.ok(Number.isNaN((r.y.data as Float32Array)[0])); // the operator's formula: 0/0
  });

  it('LayerNormalization with a broadcast bias and axis 1; RMSNormalization axis −2', async () => {
    await agree('LayerNormalization', 17, [['x', f32([2, 3, 4], 5)], ['s', f32([3, 4], 6)], ['b', f32([4], 7)]], [['y', 1], ['mean', 1], ['inv', 1]], [
      makeIntAttribute('axis', 1), makeFloatAttribute('epsilon', 1e-3),
    ]);
    await agree('RMSNormalization', 23, [['x', f32([2, 3, 4], 8)], ['s', f32([3, 4], 9)]], [['y', 1]], [makeIntAttribute('axis', -2)]);
  });

  it('Gelu: exact and tanh over a wide range', async () => {
    const x: TensorArray = { dataType: DataType.FLOAT, dims: [41], data: Float32Array.from({ length: 41 }, (_, i) => (i - 20) * 0.4) };
    await agree('Gelu', 20, [['x', x]], [['y', 1]], []);
    await agree('Gelu', 20, [['x', x]], [['y', 1]], [makeStringAttribute('approximate', 'tanh')]);
  });
});
