/**
 * Encoding and decoding ONNX models with protobufjs, and TypeScript shapes for
 * the parts of the ONNX schema convlab writes. Field names are the schema's
 * own (snake_case), so they can be checked against the ONNX IR spec.
 */
import * as protobuf from "protobufjs";
import { ONNX_PROTO_SCHEMA } from "./onnx-schema";

/** TensorProto.DataType values used here. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  FLOAT16: 10,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface TensorProto {
  name: string;
  dims: number[];
  data_type: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
}

export interface NodeProto {
  name: string;
  op_type: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

export interface Dimension {
  dim_value?: number;
  dim_param?: string;
}

export interface ValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: number; shape?: { dim: Dimension[] } } };
  doc_string?: string;
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  value_info?: ValueInfoProto[];
  doc_string?: string;
}

export interface ModelProto {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: GraphProto;
  metadata_props?: { key: string; value: string }[];
}

let modelType: protobuf.Type | undefined;

function modelProtoType(): protobuf.Type {
  if (!modelType) {
    const root = protobuf.parse(ONNX_PROTO_SCHEMA, { keepCase: true }).root;
    modelType = root.lookupType("onnx.ModelProto");
  }
  return modelType;
}

/** Serializes a model to the bytes of an .onnx file. */
export function encodeModel(model: ModelProto): Uint8Array {
  const type = modelProtoType();
  const problem = type.verify(model);
  if (problem) throw new Error(`Internal error: the ONNX model being written is malformed (${problem}).`);
  return type.encode(type.fromObject(model)).finish();
}

/** Parses the bytes of an .onnx file (64-bit integers become numbers). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const type = modelProtoType();
  const message = type.decode(bytes);
  const model = type.toObject(message, { longs: Number, bytes: Uint8Array as never, arrays: true, defaults: false });
  return model as ModelProto;
}
