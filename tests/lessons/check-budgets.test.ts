/**
 * The expectations that hold an exercise to its stated limits: splitSize
 * ("from 500 digits") and epochsAtMost ("in 3 epochs"), on real data and runs.
 */
import assert from "node:assert/strict";
import { check, defineExercise, expectations } from "../../lib/check";
import { train } from "../../lib/train";
import { smallCnn, smallMnist } from "../train/helpers";

defineExercise({
  id: "99-limits",
  title: "Within the limits",
  answers: ["data", "run"],
  expectations: [
    expectations.splitSize("data", { split: "train", images: 500, hint: "Use the small set." }),
    expectations.epochsAtMost("run", { epochs: 2, hint: "Keep epochs at 2." }),
  ],
});

const verdict = async (data: unknown, run: unknown) => {
  const record = (await check("99-limits", { data, run })).toJSON();
  return { passed: record.passed, text: record.findings.map((f) => f.message).join(" / ") };
};

describe("check: splitSize and epochsAtMost", function () {
  it("pass a dataset of the asked size and a run within the epochs", async () => {
    const data = await smallMnist();
    const run = await train(smallCnn(1), data, { epochs: 2, randomSeed: 1, snapshots: false, live: false, validationInterval: 0 });
    const size = data.size("train");
    defineExercise({ id: "99-limits-exact", title: "exact", answers: ["data", "run"], expectations: [expectations.splitSize("data", { images: size }), expectations.epochsAtMost("run", { epochs: 2 })] });
    const record = (await check("99-limits-exact", { data, run })).toJSON();
    assert.equal(record.passed, true, record.findings.map((f) => f.message).join(" / "));
  });

  it("refuse another number of images and a longer run, saying what the exercise allows", async () => {
    const data = await smallMnist();
    const run = await train(smallCnn(2), data, { epochs: 3, randomSeed: 1, snapshots: false, live: false, validationInterval: 0 });
    assert.equal(data.size("train"), 599, "the small MNIST used here has 599 training digits");
    const { passed, text } = await verdict(data, run);
    assert.equal(passed, false);
    assert.match(text, /train split holds 599 images; the exercise works with 500 images\. Use the small set\./);
    assert.match(text, /trained 3 epochs; the exercise allows 2 epochs\. Keep epochs at 2\./);
  });

  it("refuse an answer of the wrong kind", async () => {
    const { passed, text } = await verdict(await smallMnist(), 3);
    assert.equal(passed, false);
    assert.match(text, /should be what train\(\) returns/);
  });
});
