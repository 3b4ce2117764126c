/**
 * Building and reading TensorProtos. Everything is stored as little-endian
 * raw_data, which every ONNX reader accepts and which keeps files compact.
 */
import { DataType, TensorProto } from "./proto";
import { float16ToFloat32, float32ToFloat16 } from "./float16";

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  checkSize(name, dims, values.length);
  return { name, dims, data_type: DataType.FLOAT, raw_data: bytesOf(Float32Array.from(values)) };
}

export function float16Tensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  checkSize(name, dims, values.length);
  return { name, dims, data_type: DataType.FLOAT16, raw_data: bytesOf(float32ToFloat16(values)) };
}

export function int8Tensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  checkSize(name, dims, values.length);
  return { name, dims, data_type: DataType.INT8, raw_data: bytesOf(Int8Array.from(values)) };
}

export function int64Tensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  checkSize(name, dims, values.length);
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return { name, dims, data_type: DataType.INT64, raw_data: bytesOf(data) };
}

function checkSize(name: string, dims: number[], length: number): void {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== length) {
    throw new Error(`Internal error: tensor ${name} has ${length} values but shape [${dims.join(", ")}].`);
  }
}

/** The values of a FLOAT or FLOAT16 tensor as float32, whichever way they were stored. */
export function readFloats(tensor: TensorProto): Float32Array {
  const count = tensor.dims.reduce((a, b) => a * Number(b), 1);
  if (tensor.data_type === DataType.FLOAT) {
    if (tensor.raw_data && tensor.raw_data.length) {
      const copy = new Uint8Array(tensor.raw_data); // aligned copy
      return new Float32Array(copy.buffer, 0, count);
    }
    return Float32Array.from(tensor.float_data ?? []);
  }
  if (tensor.data_type === DataType.FLOAT16) {
    if (tensor.raw_data && tensor.raw_data.length) {
      const copy = new Uint8Array(tensor.raw_data);
      return float16ToFloat32(new Uint16Array(copy.buffer, 0, count));
    }
    return float16ToFloat32(tensor.int32_data ?? []);
  }
  throw new Error(`Tensor ${tensor.name} has data type ${tensor.data_type}, not a float type.`);
}

/** Bytes a tensor takes in the file. */
export function storedBytes(tensor: TensorProto): number {
  if (tensor.raw_data) return tensor.raw_data.length;
  return 4 * ((tensor.float_data?.length ?? 0) + (tensor.int32_data?.length ?? 0)) + 8 * (tensor.int64_data?.length ?? 0);
}
