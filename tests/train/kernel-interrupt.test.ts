/**
 * Interrupting training in a real convlab kernel (the notebook's stop
 * button: interrupt_request on the control channel) keeps the model and its
 * history, and leaves a snapshot, all readable from the next cell.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { KernelClient } from "../../kernel/client/kernel-client";
import { startConvlabKernel } from "../kernel/start";
import { tempDir } from "./helpers";

const request = (code: string) => ({ code, silent: false, store_history: true, user_expressions: {}, allow_stdin: true, stop_on_error: true });

function resultText(iopub: { header: { msg_type: string }; content: Record<string, unknown> }[]): string {
  const result = iopub.find((m) => m.header.msg_type === "execute_result");
  const error = iopub.find((m) => m.header.msg_type === "error");
  if (!result) {
    const seen = iopub.map((m) => `${m.header.msg_type} ${JSON.stringify(m.content).slice(0, 300)}`).join("\n");
    throw new Error(`no result: ${error ? JSON.stringify(error.content.evalue) : "nothing"}\n${seen}`);
  }
  return (result.content.data as Record<string, string>)["text/plain"];
}

describe("train in the kernel", function () {
  this.timeout(300_000);
  let kernel: KernelClient;
  let folder: { path: string; remove(): void };

  before(async () => {
    folder = tempDir("kernel-train");
    kernel = await startConvlabKernel();
  });
  after(async () => {
    await kernel?.close();
    folder?.remove();
  });

  it("keeps the model and history after an interrupt, and leaves a snapshot to resume from", async () => {
    const setup = await kernel.execute(
      [
        `import { useBackend, loadMnist, split, lenet, train, lastTraining, loadSnapshot } from "convlab";`,
        `await useBackend();`,
        `const data = split(await loadMnist({ split: false }), { train: 0.2, validation: 0.05, test: 0.75 });`,
        `const model = lenet({ seed: 1 });`,
        `const initial = model.getWeights()[0].dataSync().slice();`,
        `data.size("train")`,
      ].join("\n"),
      {},
      120_000,
    );
    assert.equal(setup.reply.content.status, "ok", JSON.stringify(setup.reply.content));
    assert.equal(resultText(setup.iopub), "1998");

    const dir = join(folder.path, "run");
    const running = await kernel.send("execute_request", request(`const run = await train(model, data, { epochs: 50, randomSeed: 1, snapshotDir: ${JSON.stringify(dir)} });`));
    // Wait until training shows progress past its first batches, then press stop.
    await kernel.waitForIopub(
      (m) =>
        m.parent_header.msg_id === running &&
        m.header.msg_type === "update_display_data" &&
        /batch ([3-9]|\d\d)\//.test(String((m.content.data as Record<string, string>)["text/plain"])),
      120_000,
    );
    const interrupt = await kernel.request("interrupt_request", {}, { channel: "control", waitForIdle: false });
    assert.equal(interrupt.reply.content.status, "ok");
    const reply = await kernel.waitForReply(running, 60_000);
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "Interrupted");

    const after = await kernel.execute(
      [
        `const last = lastTraining(model)!;`,
        `await last.done;`,
        `const now = model.getWeights()[0].dataSync();`,
        `JSON.stringify({`,
        `  status: last.status,`,
        `  steps: last.steps,`,
        `  totalSteps: 50 * Math.ceil(data.size("train") / 64),`,
        `  history: last.history.length,`,
        `  at: last.interruptedAt,`,
        `  snapshot: last.lastSnapshot?.path,`,
        `  changed: now.some((v, i) => v !== initial[i]),`,
        `})`,
      ].join("\n"),
      {},
      60_000,
    );
    // text/plain shows the string as util.inspect does: in single quotes.
    const state = JSON.parse(resultText(after.iopub).slice(1, -1)) as {
      status: string;
      steps: number;
      totalSteps: number;
      history: number;
      at: { epoch: number; batch: number; step: number };
      snapshot: string;
      changed: boolean;
    };
    assert.equal(state.status, "interrupted");
    assert.ok(state.steps >= 3 && state.steps < state.totalSteps, `stopped at step ${state.steps} of ${state.totalSteps}`);
    assert.equal(state.at.step, state.steps);
    assert.equal(state.history, state.at.epoch - 1, "every completed epoch is in the history");
    assert.ok(state.changed, "the model keeps its trained weights");
    assert.ok(existsSync(join(state.snapshot, "weights.bin")), `a snapshot at ${state.snapshot}`);

    // The snapshot holds the model as it was left.
    const check = await kernel.execute(
      [
        `const loaded = await loadSnapshot(lastTraining(model)!.lastSnapshot!.path);`,
        `const a = loaded.model.getWeights().map((w) => Array.from(w.dataSync()));`,
        `const b = model.getWeights().map((w) => Array.from(w.dataSync()));`,
        `JSON.stringify(a) === JSON.stringify(b)`,
      ].join("\n"),
      {},
      60_000,
    );
    assert.equal(check.reply.content.status, "ok", JSON.stringify(check.reply.content));
    assert.equal(resultText(check.iopub), "true");
  });
});
