/**
 * The IDX format of MNIST and Fashion-MNIST: a 4-byte magic number (two
 * zero bytes, a type code, the number of dimensions), each dimension as a
 * big-endian uint32, then the values. Only unsigned bytes (type 0x08) occur
 * in these datasets, so only they are read and written.
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/** Parses an IDX file of unsigned bytes; `name` goes into error messages. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  const fail = (what: string): never => {
    throw new Error(`${name} is not a valid IDX file: ${what}.`);
  };
  if (bytes.length < 4) fail(`it has only ${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail("its first two bytes are not zero");
  if (bytes[2] !== UNSIGNED_BYTE) fail(`its values have type code 0x${bytes[2].toString(16)}, expected 0x08 (unsigned byte)`);
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (rank === 0 || bytes.length < headerBytes) fail(`its header (${rank} dimensions) is cut short`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - headerBytes !== expected) {
    fail(`its header promises ${expected} values (${dims.join("×")}) but it holds ${bytes.length - headerBytes}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Encodes unsigned bytes as an IDX file. */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new Error(`IDX dimensions ${dims.join("×")} need ${expected} values, got ${data.length}.`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UNSIGNED_BYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
