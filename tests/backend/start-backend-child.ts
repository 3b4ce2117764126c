/**
 * Run by select.test in a separate Node process (a fresh tfjs, another
 * working directory, a NODE_PATH with a broken package): starts a backend
 * and prints what it got as one JSON line.
 *
 *   node start-backend-child.js '{"backend": "auto", "threads": 2}'
 */
import * as tf from "@tensorflow/tfjs";
import { backendInfo, useBackend } from "../../lib/backend";

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? "{}") as { backend?: "auto" | "wasm" | "cpu" | "node" | "gpu"; threads?: number };
  const handlersBefore = process.listeners("uncaughtException").length + process.listeners("unhandledRejection").length;
  await useBackend(request.backend ?? "auto", request.threads ? { threads: request.threads } : {});
  const handlersAfter = process.listeners("uncaughtException").length + process.listeners("unhandledRejection").length;
  const x = tf.tensor4d(Array.from({ length: 2 * 6 * 6 * 3 }, (_, i) => Math.sin(i)), [2, 6, 6, 3]);
  const w = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i)), [3, 3, 3, 4]);
  const conv = Array.from(tf.conv2d(x, w, 1, "same").dataSync());
  const info = backendInfo();
  console.log(JSON.stringify({ info, conv, handlersAdded: handlersAfter - handlersBefore, cwd: process.cwd() }));
}

main().catch((error) => {
  console.log(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
  process.exitCode = 1;
});
