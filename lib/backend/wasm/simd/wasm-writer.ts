/**
 * A small writer of WebAssembly binaries: just what convlab's SIMD kernels
 * need (i32 and f32 arithmetic, 128-bit SIMD, loops, one imported memory).
 *
 * The kernels are generated in TypeScript and compiled by the engine at start
 * (no toolchain, nothing downloaded): `FunctionWriter` emits one function's
 * instructions, `writeModule` wraps functions into a module that imports the
 * wasm backend's memory, so the kernels read and write tensors in place.
 */

export type ValueType = "i32" | "f32" | "v128";

const VALUE_TYPE: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

function unsignedLeb(value: number, out: number[]): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function signedLeb(value: number, out: number[]): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function name(text: string, out: number[]): void {
  const bytes = Buffer.from(text, "utf8");
  unsignedLeb(bytes.length, out);
  out.push(...bytes);
}

/** A local variable (or parameter) of the function being written. */
export interface Local {
  readonly index: number;
  readonly type: ValueType;
}

/**
 * Writes one function. Instructions are methods named after their wasm
 * mnemonics; each pushes its bytes, so code reads top to bottom like the
 * text format.
 */
export class FunctionWriter {
  readonly params: Local[];
  private readonly locals: Local[] = [];
  readonly code: number[] = [];
  private depth = 0;

  constructor(
    readonly name: string,
    paramTypes: ValueType[],
    readonly resultTypes: ValueType[] = [],
    readonly exported = true,
  ) {
    this.params = paramTypes.map((type, index) => ({ index, type }));
  }

  get paramTypes(): ValueType[] {
    return this.params.map((p) => p.type);
  }

  local(type: ValueType): Local {
    const l = { index: this.params.length + this.locals.length, type };
    this.locals.push(l);
    return l;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  private simd(opcode: number): this {
    this.code.push(0xfd);
    unsignedLeb(opcode, this.code);
    return this;
  }

  private memarg(alignLog2: number, offset: number): this {
    unsignedLeb(alignLog2, this.code);
    unsignedLeb(offset, this.code);
    return this;
  }

  get(l: Local): this {
    this.op(0x20);
    unsignedLeb(l.index, this.code);
    return this;
  }
  set(l: Local): this {
    this.op(0x21);
    unsignedLeb(l.index, this.code);
    return this;
  }
  tee(l: Local): this {
    this.op(0x22);
    unsignedLeb(l.index, this.code);
    return this;
  }
  i32(value: number): this {
    this.op(0x41);
    signedLeb(value, this.code);
    return this;
  }
  f32(value: number): this {
    this.op(0x43);
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    this.code.push(...bytes);
    return this;
  }
  call(index: number): this {
    this.op(0x10);
    unsignedLeb(index, this.code);
    return this;
  }

  // Structured control. `block`/`loop` return the label depth for br/br_if.
  block(body: (exit: number) => void): this {
    this.op(0x02, 0x40);
    const label = ++this.depth;
    body(label);
    this.depth--;
    return this.op(0x0b);
  }
  loop(body: (again: number) => void): this {
    this.op(0x03, 0x40);
    const label = ++this.depth;
    body(label);
    this.depth--;
    return this.op(0x0b);
  }
  /** `if` on the i32 on the stack. */
  if(then: () => void, otherwise?: () => void): this {
    this.op(0x04, 0x40);
    this.depth++;
    then();
    if (otherwise) {
      this.op(0x05);
      otherwise();
    }
    this.depth--;
    return this.op(0x0b);
  }
  br(label: number): this {
    this.op(0x0c);
    unsignedLeb(this.depth - label, this.code);
    return this;
  }
  brIf(label: number): this {
    this.op(0x0d);
    unsignedLeb(this.depth - label, this.code);
    return this;
  }
  return(): this {
    return this.op(0x0f);
  }
  drop(): this {
    return this.op(0x1a);
  }
  select(): this {
    return this.op(0x1b);
  }

  // i32
  i32Load(offset = 0): this {
    return this.op(0x28).memarg(2, offset);
  }
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32Eq(): this {
    return this.op(0x46);
  }
  i32Ne(): this {
    return this.op(0x47);
  }
  i32LtS(): this {
    return this.op(0x48);
  }
  i32LtU(): this {
    return this.op(0x49);
  }
  i32GtS(): this {
    return this.op(0x4a);
  }
  i32LeS(): this {
    return this.op(0x4c);
  }
  i32GeS(): this {
    return this.op(0x4e);
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32DivU(): this {
    return this.op(0x6e);
  }
  i32And(): this {
    return this.op(0x71);
  }
  i32Or(): this {
    return this.op(0x72);
  }
  i32Xor(): this {
    return this.op(0x73);
  }
  i32Shl(): this {
    return this.op(0x74);
  }
  i32ShrU(): this {
    return this.op(0x76);
  }

  // f32
  f32Load(offset = 0): this {
    return this.op(0x2a).memarg(2, offset);
  }
  f32Store(offset = 0): this {
    return this.op(0x38).memarg(2, offset);
  }
  f32Eq(): this {
    return this.op(0x5b);
  }
  f32Add(): this {
    return this.op(0x92);
  }
  f32Sub(): this {
    return this.op(0x93);
  }
  f32Mul(): this {
    return this.op(0x94);
  }
  f32Max(): this {
    return this.op(0x97);
  }

  // v128 (f32x4)
  v128Load(offset = 0): this {
    return this.simd(0x00).memarg(0, offset);
  }
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09).memarg(0, offset);
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b).memarg(0, offset);
  }
  v128Zero(): this {
    this.simd(0x0c);
    this.code.push(...new Array(16).fill(0));
    return this;
  }
  /** v128.const with four i32 lanes. */
  i32x4Const(lanes: [number, number, number, number]): this {
    this.simd(0x0c);
    for (const lane of lanes) for (let byte = 0; byte < 4; byte++) this.code.push((lane >>> (8 * byte)) & 0xff);
    return this;
  }
  /** i8x16.shuffle picking four i32 lanes: 0-3 from the first operand, 4-7 from the second. */
  i32x4Shuffle(lanes: [number, number, number, number]): this {
    this.simd(0x0d);
    for (const lane of lanes) for (let byte = 0; byte < 4; byte++) this.code.push(4 * lane + byte);
    return this;
  }
  i32x4Splat(): this {
    return this.simd(0x11);
  }
  i32x4GeS(): this {
    return this.simd(0x3f);
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  f32x4ExtractLane(lane: number): this {
    this.simd(0x1f);
    this.code.push(lane);
    return this;
  }
  f32x4Eq(): this {
    return this.simd(0x41);
  }
  v128And(): this {
    return this.simd(0x4e);
  }
  v128AndNot(): this {
    return this.simd(0x4f);
  }
  v128Or(): this {
    return this.simd(0x50);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Sub(): this {
    return this.simd(0xe5);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  f32x4Max(): this {
    return this.simd(0xe9);
  }
  /** Relaxed SIMD: a * b + c, fused where the CPU can (operands a, b, c on the stack). */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }

  /** The function's body as the code section wants it (locals, code, end). */
  encodeBody(): number[] {
    const body: number[] = [];
    unsignedLeb(this.locals.length, body);
    for (const l of this.locals) {
      unsignedLeb(1, body);
      body.push(VALUE_TYPE[l.type]);
    }
    body.push(...this.code, 0x0b);
    const out: number[] = [];
    unsignedLeb(body.length, out);
    out.push(...body);
    return out;
  }
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  unsignedLeb(content.length, out);
  out.push(...content);
}

/**
 * A module importing `env.memory` (shared when the backend's memory is) and
 * defining `functions`, in order (function i has index i), exporting those
 * marked exported.
 */
export function writeModule(functions: FunctionWriter[], memory: { shared: boolean }): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

  const types: number[] = [];
  unsignedLeb(functions.length, types);
  for (const f of functions) {
    types.push(0x60);
    unsignedLeb(f.paramTypes.length, types);
    for (const t of f.paramTypes) types.push(VALUE_TYPE[t]);
    unsignedLeb(f.resultTypes.length, types);
    for (const t of f.resultTypes) types.push(VALUE_TYPE[t]);
  }
  section(1, types, out);

  const imports: number[] = [];
  unsignedLeb(1, imports);
  name("env", imports);
  name("memory", imports);
  imports.push(0x02);
  if (memory.shared) {
    imports.push(0x03);
    unsignedLeb(1, imports);
    unsignedLeb(65536, imports);
  } else {
    imports.push(0x00);
    unsignedLeb(1, imports);
  }
  section(2, imports, out);

  const declarations: number[] = [];
  unsignedLeb(functions.length, declarations);
  functions.forEach((_, i) => unsignedLeb(i, declarations));
  section(3, declarations, out);

  const exports: number[] = [];
  const exported = functions.map((f, i) => ({ f, i })).filter(({ f }) => f.exported);
  unsignedLeb(exported.length, exports);
  for (const { f, i } of exported) {
    name(f.name, exports);
    exports.push(0x00);
    unsignedLeb(i, exports);
  }
  section(7, exports, out);

  const code: number[] = [];
  unsignedLeb(functions.length, code);
  for (const f of functions) code.push(...f.encodeBody());
  section(10, code, out);
  return Uint8Array.from(out);
}
