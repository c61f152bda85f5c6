// Lookups over an ONNX graph that attention discovery needs again and again: who produces
// a tensor, who consumes it, which tensors are constants (initializers or Constant nodes),
// and which graph inputs each tensor depends on. Built once per model.
import {
  DataType,
  getIntAttribute,
  getTensorAttribute,
  tensorToArray,
  type GraphProto,
  type NodeProto,
  type TensorArray,
  type TensorProto,
} from './proto';

export class GraphIndex {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly initializers = new Map<string, TensorProto>();
  readonly inputNames: string[];
  private readonly order = new Map<NodeProto, number>();
  private inputDeps?: Map<string, number>;
  private readonly constants = new Map<string, TensorArray | null>();

  constructor(readonly graph: GraphProto) {
    for (const t of graph.initializer) if (t.name) this.initializers.set(t.name, t);
    this.inputNames = graph.input.map((i) => i.name ?? '').filter((n) => n !== '' && !this.initializers.has(n));
    graph.node.forEach((node, i) => {
      this.order.set(node, i);
      for (const o of node.output) if (o) this.producer.set(o, node);
      for (const input of node.input) {
        if (!input) continue;
        let list = this.consumers.get(input);
        if (!list) this.consumers.set(input, (list = []));
        list.push(node);
      }
    });
  }

  /** Position of a node in the graph's node list (ONNX requires topological order). */
  position(node: NodeProto): number {
    return this.order.get(node) ?? -1;
  }

  consumersOf(tensor: string): NodeProto[] {
    return this.consumers.get(tensor) ?? [];
  }

  /**
   * The value of a tensor known without running the model: an initializer, a Constant node,
   * or a Cast/Identity/Reshape/Unsqueeze of one. Undefined when it is computed at run time.
   */
  constantValue(tensor: string): TensorArray | undefined {
    if (this.constants.has(tensor)) return this.constants.get(tensor) ?? undefined;
    let value: TensorArray | undefined;
    try {
      value = this.computeConstant(tensor);
    } catch {
      value = undefined; // e.g. external data not loaded: treat as computed
    }
    this.constants.set(tensor, value ?? null);
    return value;
  }

  private computeConstant(tensor: string): TensorArray | undefined {
    const init = this.initializers.get(tensor);
    if (init) return tensorToArray(init);
    const node = this.producer.get(tensor);
    if (!node) return undefined;
    switch (node.op_type) {
      case 'Constant':
        return constantNodeValue(node);
      case 'Identity':
        return this.constantValue(node.input[0]);
      case 'Cast': {
        const v = this.constantValue(node.input[0]);
        if (!v || Array.isArray(v.data)) return undefined;
        const to = getIntAttribute(node, 'to', DataType.FLOAT);
        if (to === DataType.BOOL) return { dataType: DataType.BOOL, dims: v.dims, data: Uint8Array.from(v.data as ArrayLike<number | bigint>, (x) => (Number(x) !== 0 ? 1 : 0)) };
        if (to === DataType.FLOAT || to === DataType.FLOAT16 || to === DataType.DOUBLE || to === DataType.BFLOAT16) {
          return { dataType: DataType.FLOAT, dims: v.dims, data: Float32Array.from(v.data as ArrayLike<number | bigint>, (x) => Number(x)) };
        }
        return undefined;
      }
      case 'Unsqueeze':
      case 'Reshape':
      case 'Squeeze': {
        // Only scalars and single values are worth folding here (scales, fill values).
        const v = this.constantValue(node.input[0]);
        if (!v || Array.isArray(v.data) || v.data.length !== 1) return undefined;
        return { dataType: v.dataType, dims: [], data: v.data };
      }
      default:
        return undefined;
    }
  }

  /** Whether a tensor is known without running the model (no decoding: cheap for large weights). */
  isConstant(tensor: string, depth = 0): boolean {
    if (this.initializers.has(tensor)) return true;
    const node = this.producer.get(tensor);
    if (!node || depth > 8) return false;
    if (node.op_type === 'Constant') return true;
    if (['Identity', 'Cast', 'Unsqueeze', 'Reshape', 'Squeeze'].includes(node.op_type ?? '')) {
      return node.input.every((i) => !i || this.isConstant(i, depth + 1));
    }
    return false;
  }

  /** A single-number constant (scale factors, fill values), or undefined. */
  scalarValue(tensor: string): number | undefined {
    const init = this.initializers.get(tensor);
    if (init && init.dims.reduce((a, b) => a * b, 1) !== 1) return undefined; // do not decode weights
    const v = this.constantValue(tensor);
    if (!v || Array.isArray(v.data) || v.data.length !== 1) return undefined;
    return Number(v.data[0]);
  }

  /**
   * Bit set of the graph inputs a tensor depends on (bit i = inputNames[i]); 0 for constants.
   * Used to tell encoder from decoder tensors and self- from cross-attention.
   */
  dependsOn(tensor: string): number {
    if (!this.inputDeps) {
      const deps = new Map<string, number>();
      this.inputNames.forEach((name, i) => deps.set(name, i < 31 ? 1 << i : 0));
      for (const node of this.graph.node) {
        let bits = 0;
        // A Shape or Size carries only a tensor's shape, not its values: reshaping encoder keys
        // with the decoder's batch size does not make them decoder tensors.
        if (node.op_type !== 'Shape' && node.op_type !== 'Size') for (const input of node.input) if (input) bits |= deps.get(input) ?? 0;
        for (const o of node.output) if (o) deps.set(o, bits);
      }
      this.inputDeps = deps;
    }
    return this.inputDeps.get(tensor) ?? 0;
  }
}

function constantNodeValue(node: NodeProto): TensorArray | undefined {
  const t = getTensorAttribute(node, 'value');
  if (t) return tensorToArray(t);
  for (const attr of node.attribute) {
    if (attr.name === 'value_float' && attr.f !== undefined) return { dataType: DataType.FLOAT, dims: [], data: Float32Array.of(attr.f) };
    if (attr.name === 'value_floats') return { dataType: DataType.FLOAT, dims: [attr.floats.length], data: Float32Array.from(attr.floats) };
    if (attr.name === 'value_int' && attr.i !== undefined) return { dataType: DataType.INT64, dims: [], data: BigInt64Array.of(attr.i) };
    if (attr.name === 'value_ints') return { dataType: DataType.INT64, dims: [attr.ints.length], data: BigInt64Array.from(attr.ints) };
  }
  return undefined;
}
