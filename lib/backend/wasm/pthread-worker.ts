/**
 * The worker thread behind each of the wasm backend's pthreads in Node.
 *
 * tfjs-backend-wasm ships emscripten's pthread worker as a string meant for a
 * browser Blob URL, which Node's worker_threads cannot load. This file runs
 * that same worker code; ./threads makes the main thread start workers from
 * this file and hands them the threaded build's script by path (emscripten's
 * worker loads it with its Node branch of importScripts).
 */
const { wasmWorkerContents } = require("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js") as {
  wasmWorkerContents: string;
};
// The string's "\n" escapes became real newlines inside string literals in
// the published template literal; escape them back before compiling.
const workerMain = new Function("require", "__filename", wasmWorkerContents.replace(/\n/g, "\\n"));
workerMain(require, __filename);
