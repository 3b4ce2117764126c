/**
 * The resumedRun expectation (lesson 4's "carry on training" exercise), on
 * real runs of a small CNN: a fresh run, a resumed run that stopped at once,
 * and one that trained on to the epochs asked for.
 */
import assert from "node:assert/strict";
import { check, defineExercise, expectations } from "../../lib/check";
import { train, type TrainingResult } from "../../lib/train";
import { smallCnn, smallMnist, tempDir } from "../train/helpers";

defineExercise({
  id: "99-resume-to-three",
  title: "Resume to 3 epochs",
  answers: ["resumed"],
  expectations: [expectations.resumedRun("resumed", { epochs: 3, hint: "Count the whole run." })],
});

const messages = async (resumed: unknown) => {
  const record = (await check("99-resume-to-three", { resumed })).toJSON();
  return { passed: record.passed, text: record.findings.map((f) => f.message).join(" / ") };
};

describe("check: resumedRun", function () {
  const folder = tempDir("resumed-run");
  let fresh: TrainingResult;
  let snapshot: string;

  before(async function () {
    const data = await smallMnist();
    fresh = await train(smallCnn(1), data, { epochs: 2, randomSeed: 1, snapshotDir: folder.path, live: false });
    snapshot = fresh.lastSnapshot!.path;
  });
  after(() => folder.remove());

  it("refuses a run that did not start from a snapshot, and says which option resumes", async () => {
    const { passed, text } = await messages(fresh);
    assert.equal(passed, false);
    assert.match(text, /not from a snapshot/);
    assert.match(text, /resumeFrom/);
  });

  it("refuses a resumed run that ended before the epochs asked for, naming both counts and not more", async () => {
    const stoppedAtOnce = await train(smallCnn(1), await smallMnist(), { resumeFrom: snapshot, epochs: 2, live: false });
    const { passed, text } = await messages(stoppedAtOnce);
    assert.equal(passed, false);
    assert.match(text, /ended with 2 epochs trained in all; the exercise asks for 3\. Count the whole run\./);
  });

  it("passes a run resumed from the snapshot and trained on to the epochs asked for", async () => {
    const resumed = await train(smallCnn(1), await smallMnist(), { resumeFrom: snapshot, epochs: 3, live: false });
    assert.equal(resumed.epochsCompleted, 3);
    const { passed, text } = await messages(resumed);
    assert.equal(passed, true, text);
    assert.match(text, /Resumed from epoch-002/);
  });

  it("says what a value that is not a training result is, and what a missing await looks like", async () => {
    assert.match((await messages(42)).text, /should be what train\(\) returns.*the number 42/);
    assert.match((await messages(Promise.resolve(fresh))).text, /is a Promise/);
  });
});
