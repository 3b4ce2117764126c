/**
 * A training process killed without warning (SIGKILL: the OOM killer, or a
 * lab server stopping a learner's kernel) loses nothing its last snapshot
 * held: every snapshot left in the run folder is complete, the latest holds
 * the weights the model had at that epoch, and a resume goes on from it with
 * the history so far.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { useBackend } from "../../lib/backend";
import { loadSnapshot, train } from "../../lib/train";
import { listSnapshots } from "../../lib/train/read-snapshot";
import { syntheticDataset } from "../data/helpers";

const EPOCHS = 40;

/** Trains with a snapshot per epoch, slowed by 150 ms an epoch so it is still running when killed; prints each epoch's weight sum. */
const TRAINER = `
const [dist, dir, epochs] = [process.argv[1], process.argv[2], Number(process.argv[3])];
const { useBackend } = require(dist + "/lib/backend");
const { train } = require(dist + "/lib/train");
const { conv, dense, maxPool, sequential, softmax } = require(dist + "/lib/models");
const { syntheticDataset } = require(dist + "/tests/data/helpers");
(async () => {
  await useBackend();
  const data = syntheticDataset(2, 32, [8, 8, 1]);
  const model = sequential([conv({ filters: 4, kernel: 3, activation: "relu" }), maxPool(2), dense({ units: 2 }), softmax()], { inputShape: [8, 8, 1], seed: 3, name: "tiny" });
  const report = {
    name: "report",
    async onEpochEnd(record, ctx) {
      const sum = ctx.model.getWeights().reduce((s, w) => s + w.dataSync().reduce((a, b) => a + Math.abs(b), 0), 0);
      process.stdout.write(JSON.stringify({ epoch: record.epoch, weightSum: sum }) + "\\n");
      await new Promise((r) => setTimeout(r, 150));
    },
  };
  await train(model, data, { live: false, epochs, batchSize: 16, randomSeed: 3, validationInterval: 0, snapshotDir: dir, callbacks: [report] });
})().catch((e) => { console.error(e); process.exit(1); });
`;

function weightSum(weights: { dataSync(): ArrayLike<number> }[]): number {
  return weights.reduce((s, w) => s + Array.from(w.dataSync()).reduce((a, b) => a + Math.abs(b), 0), 0);
}

/** Resolves once `ready()` holds, checking every 50 ms; rejects when the child exits first or after `ms`. */
function waitFor(child: ChildProcess, ready: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (ready()) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null || Date.now() - started > ms) {
        clearInterval(timer);
        reject(new Error(child.exitCode !== null ? `the trainer exited (${child.exitCode}) before 3 snapshots were written` : `no 3 snapshots after ${ms} ms`));
      }
    }, 50);
  });
}

describe("a training killed mid-run", function () {
  this.timeout(10 * 60_000);
  let scratch: string;
  before(() => (scratch = mkdtempSync(path.join(tmpdir(), "convlab-killed-"))));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("leaves only complete snapshots, the latest holding that epoch's weights, and resumes from it", async () => {
    await useBackend();
    const dir = path.join(scratch, "run");
    const dist = path.join(__dirname, "..", "..");
    const child = spawn(process.execPath, ["-e", TRAINER, dist, dir, String(EPOCHS)], { stdio: ["ignore", "pipe", "inherit"] });
    const sums = new Map<number, number>();
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split("\n");
      out = lines.pop()!;
      for (const line of lines) {
        const { epoch, weightSum } = JSON.parse(line) as { epoch: number; weightSum: number };
        sums.set(epoch, weightSum);
      }
    });
    try {
      await waitFor(child, () => listSnapshots(dir).length >= 3, 5 * 60_000);
    } finally {
      child.kill("SIGKILL");
    }
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));

    const snapshots = listSnapshots(dir);
    const latest = await loadSnapshot(dir);
    const epoch = latest.epochsCompleted;
    assert.ok(epoch >= 3 && epoch < EPOCHS, `killed mid-run, at epoch ${epoch} of ${EPOCHS}`);
    for (const snapshot of snapshots) {
      const loaded = await loadSnapshot(snapshot.path);
      loaded.model.dispose();
    }
    assert.ok(sums.has(epoch), `the trainer reported epoch ${epoch}`);
    const held = weightSum(latest.model.getWeights());
    assert.ok(Math.abs(held - sums.get(epoch)!) <= 1e-6 * Math.abs(held), `the snapshot of epoch ${epoch} holds that epoch's weights (${held} vs ${sums.get(epoch)})`);
    assert.equal(latest.history.length, epoch);

    const data = syntheticDataset(2, 32, [8, 8, 1]);
    const resumed = await train(latest.model, data, { live: false, resumeFrom: dir, epochs: epoch + 1, batchSize: 16, validationInterval: 0 });
    assert.equal(resumed.history.length, epoch + 1, "the resumed run goes on from the last snapshot");
    assert.deepEqual(
      resumed.history.slice(0, epoch).map((r) => r.loss),
      latest.history.map((r) => r.loss),
      "the resumed run keeps the history the snapshot held",
    );
    latest.model.dispose();
  });
});
