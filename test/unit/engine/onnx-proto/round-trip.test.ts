// decode → encode → decode keeps every field of real ONNX files, and onnxruntime can
// still load what we re-encode.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AttributeType,
  DataLocation,
  DataType,
  ModelProto,
  arrayToTensorProto,
  decodeModel,
  decodeTensor,
  encodeModel,
  encodeTensor,
  makeIntAttribute,
  makeIntsAttribute,
  makeStringAttribute,
  makeFloatsAttribute,
  tensorToArray,
} from '../../../../src/engine/onnx/proto';
import { runModelOnce } from '../../../../src/engine/onnx/run-single-node';
import { sharedCasesAvailable, sharedCasesDir } from './shared-cases';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** A model that fills every message type and many optional fields, incl. int64 extremes. */
function richModel(): ModelProto {
  const weight = arrayToTensorProto(new Float32Array([1, -2, 3.5, 0.25]), [2, 2], { name: 'W' });
  weight.doc_string = 'a weight';
  weight.metadata_props = [{ key: 'origin', value: 'test' }];
  const typedTensor = {
    ...arrayToTensorProto(new Float32Array(0), [0], { name: 'typed' }),
    raw_data: undefined,
    dims: [3],
    data_type: DataType.INT64,
    int64_data: [INT64_MAX, INT64_MIN, -1n],
    segment: { begin: 0, end: 3 },
  };
  delete typedTensor.raw_data;
  const external = {
    ...arrayToTensorProto(new Float32Array(0), [0], { name: 'ext' }),
    data_location: DataLocation.EXTERNAL,
    external_data: [
      { key: 'location', value: 'weights.bin' },
      { key: 'offset', value: '0' },
    ],
  };
  delete external.raw_data;
  const subgraph = {
    node: [
      {
        input: ['a'],
        output: ['b'],
        op_type: 'Identity',
        attribute: [],
        metadata_props: [],
        device_configurations: [],
      },
    ],
    name: 'body',
    initializer: [],
    sparse_initializer: [],
    input: [],
    output: [],
    value_info: [],
    quantization_annotation: [],
    metadata_props: [],
  };
  const graphAttr = { ...makeIntAttribute('unused', 0), type: AttributeType.GRAPH, g: subgraph };
  delete (graphAttr as { i?: bigint }).i;
  return {
    ir_version: 11,
    opset_import: [{ domain: '', version: 23 }, { domain: 'com.example', version: 1 }],
    producer_name: 'attention-inspector-test',
    producer_version: '0.1',
    domain: 'org.example',
    model_version: 7,
    doc_string: 'round trip',
    graph: {
      node: [
        {
          input: ['X', 'W'],
          output: ['Y'],
          name: 'mm',
          op_type: 'MatMul',
          domain: '',
          overload: 'o1',
          attribute: [
            makeIntAttribute('big', INT64_MAX),
            makeIntsAttribute('ends', [INT64_MAX, -1n, 0n, INT64_MIN]),
            makeStringAttribute('mode', 'tanh'),
            makeFloatsAttribute('fs', [0.5, -1.25]),
            graphAttr,
            { ...makeIntAttribute('ref', 0), ref_attr_name: 'outer' },
          ],
          doc_string: 'node doc',
          metadata_props: [{ key: 'k', value: 'v' }],
          device_configurations: [
            {
              configuration_id: 'cfg',
              pipeline_stage: 2,
              sharding_spec: [
                {
                  tensor_name: 'X',
                  device: [0, 1],
                  index_to_device_group_map: [{ key: 0n, value: [0n, 1n] }],
                  sharded_dim: [{ axis: 0, simple_sharding: [{ dim_param: 'N', num_shards: 2 }] }],
                },
              ],
            },
          ],
        },
      ],
      name: 'g',
      initializer: [weight, typedTensor, external],
      sparse_initializer: [
        {
          values: arrayToTensorProto(new Float32Array([5]), [1], { name: 'sv' }),
          indices: arrayToTensorProto(new BigInt64Array([3n]), [1], { name: 'si' }),
          dims: [2, 2],
        },
      ],
      doc_string: 'graph doc',
      input: [
        {
          name: 'X',
          type: {
            tensor_type: {
              elem_type: DataType.FLOAT,
              shape: { dim: [{ dim_param: 'batch', denotation: 'DATA_BATCH' }, { dim_value: 2 }] },
            },
            denotation: 'TENSOR',
          },
          doc_string: 'input',
          metadata_props: [],
        },
      ],
      output: [
        {
          name: 'Y',
          type: { sequence_type: { elem_type: { tensor_type: { elem_type: DataType.FLOAT16 } } } },
          metadata_props: [],
        },
      ],
      value_info: [
        {
          name: 'm',
          type: { map_type: { key_type: DataType.INT64, value_type: { optional_type: { elem_type: { sparse_tensor_type: { elem_type: 1 } } } } } },
          metadata_props: [],
        },
        { name: 'o', type: { opaque_type: { domain: 'd', name: 'n' } }, metadata_props: [] },
      ],
      quantization_annotation: [
        { tensor_name: 'W', quant_parameter_tensor_names: [{ key: 'SCALE_TENSOR', value: 's' }] },
      ],
      metadata_props: [{ key: 'gk', value: 'gv' }],
    },
    metadata_props: [{ key: 'author', value: 'me' }],
    training_info: [
      {
        initialization: { ...subgraph, name: 'init' },
        initialization_binding: [{ key: 'W', value: 'b' }],
        update_binding: [],
      },
    ],
    functions: [
      {
        name: 'MyFn',
        input: ['x'],
        output: ['y'],
        attribute: ['alpha'],
        attribute_proto: [makeIntAttribute('beta', 3)],
        node: subgraph.node,
        doc_string: 'fn',
        opset_import: [{ domain: '', version: 23 }],
        domain: 'com.example',
        overload: 'v2',
        value_info: [],
        metadata_props: [],
      },
    ],
    configuration: [{ name: 'cfg', num_devices: 2, device: ['gpu:0', 'gpu:1'] }],
  };
}

describe('ONNX proto: round trip', () => {
  it('a model filling every message type survives encode → decode → encode unchanged', () => {
    const model = richModel();
    const bytes = encodeModel(model);
    const decoded = decodeModel(bytes);
    // Field by field against what we built (raw_data compared as bytes).
    assert.equal(decoded.graph?.node[0].attribute[0].i, INT64_MAX);
    assert.deepEqual(decoded.graph?.node[0].attribute[1].ints, [INT64_MAX, -1n, 0n, INT64_MIN]);
    assert.deepEqual(decoded.graph?.initializer[1].int64_data, [INT64_MAX, INT64_MIN, -1n]);
    assert.deepEqual(decoded.graph?.initializer[1].segment, { begin: 0, end: 3 });
    assert.equal(decoded.graph?.initializer[2].data_location, DataLocation.EXTERNAL);
    assert.equal(decoded.graph?.node[0].device_configurations[0].sharding_spec[0].sharded_dim[0].simple_sharding[0].dim_param, 'N');
    assert.equal(decoded.graph?.node[0].attribute[4].g?.node[0].op_type, 'Identity');
    assert.equal(decoded.graph?.node[0].attribute[5].ref_attr_name, 'outer');
    assert.equal(decoded.graph?.value_info[0].type?.map_type?.value_type?.optional_type?.elem_type?.sparse_tensor_type?.elem_type, 1);
    assert.equal(decoded.graph?.value_info[1].type?.opaque_type?.name, 'n');
    assert.equal(decoded.functions[0].overload, 'v2');
    assert.equal(decoded.training_info[0].initialization?.name, 'init');
    assert.deepEqual(decoded.configuration[0].device, ['gpu:0', 'gpu:1']);
    assert.deepEqual(normalise(decoded), normalise(model));
    // Re-encoding the decoded form gives the very same bytes.
    assert.deepEqual(Buffer.from(encodeModel(decoded)), Buffer.from(bytes));
  });

  it('every shared ONNX node-test model re-encodes byte for byte', function () {
    if (!sharedCasesAvailable()) {
      console.log(`      (skipped: no shared cases at ${sharedCasesDir})`);
      this.skip();
    }
    const cases = readdirSync(sharedCasesDir).filter((c) => !c.startsWith('.'));
    assert.ok(cases.length > 0);
    for (const c of cases) {
      const bytes = readFileSync(join(sharedCasesDir, c, 'model.onnx'));
      const model = decodeModel(bytes);
      assert.ok(model.graph && model.graph.node.length === 1, c);
      const again = encodeModel(model);
      assert.deepEqual(decodeModel(again), model, c);
      assert.ok(Buffer.from(again).equals(bytes), `${c}: re-encoded bytes differ`);
      for (const file of readdirSync(join(sharedCasesDir, c, 'test_data_set_0'))) {
        const tbytes = readFileSync(join(sharedCasesDir, c, 'test_data_set_0', file));
        assert.ok(Buffer.from(encodeTensor(decodeTensor(tbytes))).equals(tbytes), `${c}/${file}`);
      }
    }
  });

  it('onnxruntime-node runs a model we decoded, edited and re-encoded', async function () {
    if (!sharedCasesAvailable()) {
      console.log(`      (skipped: no shared cases at ${sharedCasesDir})`);
      this.skip();
    }
    const dir = join(sharedCasesDir, 'test_softmax_axis_0');
    const model = decodeModel(readFileSync(join(dir, 'model.onnx')));
    model.producer_name = 'edited by attention-inspector';
    const x = tensorToArray(decodeTensor(readFileSync(join(dir, 'test_data_set_0', 'input_0.pb'))));
    const expected = tensorToArray(decodeTensor(readFileSync(join(dir, 'test_data_set_0', 'output_0.pb'))));
    const out = await runModelOnce(encodeModel(model), { x });
    const y = out.y.data as Float32Array;
    const want = expected.data as Float32Array;
    assert.equal(y.length, want.length);
    for (let i = 0; i < y.length; i++) assert.ok(Math.abs(y[i] - want[i]) < 1e-6, `element ${i}`);
  });
});

// Compare structures holding Uint8Array/Buffer views.
/** Structural form: Uint8Arrays as number arrays, undefined-valued keys dropped. */
function normalise(x: unknown): unknown {
  if (x instanceof Uint8Array) return Array.from(x);
  if (Array.isArray(x)) return x.map(normalise);
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) if (v !== undefined) out[k] = normalise(v);
    return out;
  }
  return x;
}
