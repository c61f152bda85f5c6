// The ONNX protobuf module: decode/encode models and tensors, read tensor data,
// read/write attributes. Pure TypeScript on protobufjs; no onnxruntime here.

export * from './data-type';
export * from './types';
export { onnxRoot, onnxType } from './schema';
export {
  decodeMessage,
  encodeMessage,
  decodeModel,
  encodeModel,
  decodeTensor,
  encodeTensor,
  decodeGraph,
  encodeGraph,
  decodeNode,
  encodeNode,
} from './codec';
export * from './tensor-data';
export * from './float16';
export * from './attributes';
export * from './external-data';
