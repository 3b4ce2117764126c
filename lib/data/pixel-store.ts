/**
 * Where a dataset's images live: in memory (bundled datasets, small imports)
 * or in one flat file on disk (large imports), so a folder far larger than
 * memory can still be trained on in bounded memory. Every image is stored as
 * height × width × channels uint8 bytes, one after another.
 */
import { open, FileHandle } from "node:fs/promises";

export interface PixelStore {
  /** Number of images held. */
  readonly count: number;
  /** Bytes per image: height × width × channels. */
  readonly imageBytes: number;
  /** The whole store, when it is in memory. */
  readonly memory: Uint8Array | undefined;
  /** Where the pixels are, for summaries ("in memory", a file path). */
  readonly location: string;
  /**
   * Copies the images at `indices`, in that order, into one buffer of
   * `indices.length * imageBytes` bytes (into `target` when given).
   */
  read(indices: ArrayLike<number>, target?: Uint8Array): Promise<Uint8Array>;
  /** Releases open files. Memory stores need nothing. */
  close(): Promise<void>;
}

function checkIndex(index: number, count: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`Image index ${index} is out of range: the store holds ${count} images (0 to ${count - 1}).`);
  }
}

function targetFor(indices: ArrayLike<number>, imageBytes: number, target?: Uint8Array): Uint8Array {
  const needed = indices.length * imageBytes;
  if (!target) return new Uint8Array(needed);
  if (target.length < needed) {
    throw new RangeError(`The target buffer holds ${target.length} bytes but ${indices.length} images need ${needed}.`);
  }
  return target;
}

/** Images held in one Uint8Array. */
export class MemoryPixelStore implements PixelStore {
  readonly count: number;
  readonly location = "in memory";

  constructor(
    readonly memory: Uint8Array,
    readonly imageBytes: number,
  ) {
    if (imageBytes <= 0 || memory.length % imageBytes !== 0) {
      throw new RangeError(`${memory.length} bytes are not a whole number of ${imageBytes}-byte images.`);
    }
    this.count = memory.length / imageBytes;
  }

  async read(indices: ArrayLike<number>, target?: Uint8Array): Promise<Uint8Array> {
    return this.readSync(indices, target);
  }

  readSync(indices: ArrayLike<number>, target?: Uint8Array): Uint8Array {
    const out = targetFor(indices, this.imageBytes, target);
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i];
      checkIndex(index, this.count);
      out.set(this.memory.subarray(index * this.imageBytes, (index + 1) * this.imageBytes), i * this.imageBytes);
    }
    return out;
  }

  async close(): Promise<void> {}
}

/**
 * Images in a flat file, read on demand. Only the requested images are ever
 * in memory; the operating system's page cache (not counted in the
 * process's RSS) makes repeated epochs fast.
 */
export class FilePixelStore implements PixelStore {
  readonly memory = undefined;
  private handle: Promise<FileHandle> | undefined;

  constructor(
    readonly location: string,
    readonly imageBytes: number,
    readonly count: number,
  ) {}

  private file(): Promise<FileHandle> {
    this.handle ??= open(this.location, "r");
    return this.handle;
  }

  async read(indices: ArrayLike<number>, target?: Uint8Array): Promise<Uint8Array> {
    const out = targetFor(indices, this.imageBytes, target);
    const file = await this.file();
    // Consecutive indices become one read: shuffled batches still hit runs
    // when the store was written in the order it is read.
    let i = 0;
    const reads: Promise<unknown>[] = [];
    while (i < indices.length) {
      checkIndex(indices[i], this.count);
      let run = 1;
      while (i + run < indices.length && indices[i + run] === indices[i] + run) {
        checkIndex(indices[i + run], this.count);
        run++;
      }
      const length = run * this.imageBytes;
      reads.push(readFully(file, out, i * this.imageBytes, length, indices[i] * this.imageBytes, this.location));
      i += run;
    }
    await Promise.all(reads);
    return out;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle).close();
  }
}

async function readFully(
  file: FileHandle,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
  path: string,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, offset + done, length - done, position + done);
    if (bytesRead === 0) {
      throw new Error(
        `The pixel file ${path} ended early (wanted bytes ${position} to ${position + length}). ` +
          `It was probably truncated: delete its cache folder and import again.`,
      );
    }
    done += bytesRead;
  }
}
