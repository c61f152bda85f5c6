// External data: big models keep tensor payloads in side files. The tensor then has
// data_location = EXTERNAL and `external_data` entries: location (path relative to
// the model file), offset and length (bytes, optional), checksum (optional).
// loadExternalData reads those bytes into raw_data so the rest of the engine sees an
// ordinary self-contained model.

import * as fs from 'fs';
import * as path from 'path';
import { DataLocation } from './data-type';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from './types';

function visitGraph(graph: GraphProto, visit: (t: TensorProto) => void): void {
  graph.initializer.forEach(visit);
  for (const s of graph.sparse_initializer) {
    if (s.values) visit(s.values);
    if (s.indices) visit(s.indices);
  }
  graph.node.forEach((n) => visitNode(n, visit));
}

function visitNode(node: NodeProto, visit: (t: TensorProto) => void): void {
  for (const a of node.attribute) {
    if (a.t) visit(a.t);
    a.tensors.forEach(visit);
    if (a.g) visitGraph(a.g, visit);
    a.graphs.forEach((g) => visitGraph(g, visit));
    for (const s of [...(a.sparse_tensor ? [a.sparse_tensor] : []), ...a.sparse_tensors]) {
      if (s.values) visit(s.values);
      if (s.indices) visit(s.indices);
    }
  }
}

/** Call `visit` for every TensorProto stored in the model (initializers, attributes, subgraphs, functions). */
export function forEachTensor(model: ModelProto, visit: (t: TensorProto) => void): void {
  if (model.graph) visitGraph(model.graph, visit);
  for (const f of model.functions) f.node.forEach((n) => visitNode(n, visit));
  for (const ti of model.training_info) {
    if (ti.initialization) visitGraph(ti.initialization, visit);
    if (ti.algorithm) visitGraph(ti.algorithm, visit);
  }
}

/** True when any tensor of the model keeps its data in an external file. */
export function hasExternalData(model: ModelProto): boolean {
  let found = false;
  forEachTensor(model, (t) => {
    if (t.data_location === DataLocation.EXTERNAL) found = true;
  });
  return found;
}

/**
 * Read every external payload from files beside the model into raw_data (in place)
 * and mark the tensors as internal. Locations must stay inside `modelDirectory`.
 */
export function loadExternalData(model: ModelProto, modelDirectory: string): ModelProto {
  const root = path.resolve(modelDirectory);
  forEachTensor(model, (t) => {
    if (t.data_location !== DataLocation.EXTERNAL) return;
    const entry = (key: string): string | undefined => t.external_data.find((e) => e.key === key)?.value;
    const location = entry('location');
    if (!location) throw new Error(`tensor '${t.name ?? ''}' is external but has no location`);
    const file = path.resolve(root, location);
    if (file !== root && !file.startsWith(root + path.sep)) {
      throw new Error(`tensor '${t.name ?? ''}': external location '${location}' leaves the model folder`);
    }
    if (!fs.existsSync(file)) {
      throw new Error(
        `tensor '${t.name ?? ''}' needs external data file '${location}', not found beside the model in ${root}`,
      );
    }
    const offset = Number(entry('offset') ?? '0');
    const lengthText = entry('length');
    const fd = fs.openSync(file, 'r');
    try {
      const length = lengthText !== undefined ? Number(lengthText) : fs.fstatSync(fd).size - offset;
      const bytes = new Uint8Array(length);
      const read = fs.readSync(fd, bytes, 0, length, offset);
      if (read !== length) throw new Error(`tensor '${t.name ?? ''}': '${location}' ended after ${read} of ${length} bytes`);
      t.raw_data = bytes;
    } finally {
      fs.closeSync(fd);
    }
    t.data_location = DataLocation.DEFAULT;
    t.external_data = [];
  });
  return model;
}
