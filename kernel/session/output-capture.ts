/**
 * Sends the cell's stdout and stderr to the notebook as stream messages.
 * Anything the kernel itself wants to log goes to the real stderr instead
 * (Jupyter's server log), via `kernelLog`.
 */
import { writeSync } from "node:fs";

export type StreamSink = (name: "stdout" | "stderr", text: string) => void;

export function captureOutput(sink: StreamSink): void {
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const cb = typeof encoding === "function" ? encoding : callback;
      const text = typeof chunk === "string"
        ? chunk
        : Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
      sink(name, text);
      if (typeof cb === "function") process.nextTick(cb as () => void);
      return true;
    }) as typeof stream.write;
  }
}

export function kernelLog(...parts: unknown[]): void {
  writeSync(2, `[convlab kernel] ${parts.map((p) => (p instanceof Error ? p.stack : String(p))).join(" ")}\n`);
}
