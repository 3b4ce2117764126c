/**
 * convlab's generated kernels on 2 threads (the threaded wasm build): the
 * same results as the cpu backend, with work really done on a worker
 * thread. Runs in a child process, since wasm's thread count is fixed once
 * it starts.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { TOLERANCE } from "./compare-with-cpu";

describe("wasm kernels on 2 threads", function () {
  this.timeout(600_000);

  it("match the cpu backend (Winograd, direct, products, training steps of a small vgg) and run jobs on a worker thread", () => {
    const run = spawnSync(process.execPath, [join(__dirname, "threaded-kernels-child.js")], { encoding: "utf8", timeout: 540_000 });
    assert.equal(run.signal, null, `child was killed (${run.signal}): did it hang? stderr: ${run.stderr}`);
    const last = run.stdout.trim().split("\n").pop() ?? "";
    assert.ok(last.startsWith("{"), `child printed no JSON. stdout: ${run.stdout} stderr: ${run.stderr}`);
    const result = JSON.parse(last) as {
      error?: string;
      threads: number;
      errors: Record<string, number>;
      jobCounts: { workers: number; main: number };
      threadTimes: { rounds: number; mainChunksMs: number };
      workerBusyMs: number[];
    };
    assert.equal(result.error, undefined);
    assert.equal(result.threads, 2);
    assert.ok(Object.keys(result.errors).length > 40, "every comparison ran");
    const wrong = Object.entries(result.errors).filter(([, error]) => !(error <= TOLERANCE));
    assert.deepEqual(wrong, [], `relative errors above ${TOLERANCE}`);
    assert.ok(result.jobCounts.workers > 0, `no job ran on a worker thread (${JSON.stringify(result.jobCounts)})`);
    // The time accounting the cnn benchmark's --profile reads: rounds counted, time on both sides.
    assert.ok(result.threadTimes.rounds > 0 && result.threadTimes.mainChunksMs > 0, `main thread's times: ${JSON.stringify(result.threadTimes)}`);
    assert.equal(result.workerBusyMs.length, 1);
    assert.ok(result.workerBusyMs[0] > 0, `the worker's time running chunks: ${result.workerBusyMs[0]}`);
  });
});
