/**
 * The learningRateSchedule expectation (lesson 5's "write a schedule"
 * exercise): it reads the rates off the schedule train() would follow.
 */
import assert from "node:assert/strict";
import { check, defineExercise, expectations } from "../../lib/check";

defineExercise({
  id: "99-halve-at-half",
  title: "0.2, halved at half-way",
  answers: ["options"],
  expectations: [
    expectations.learningRateSchedule("options", {
      points: [
        { at: 0, rate: 0.2 },
        { at: 0.45, rate: 0.2 },
        { at: 0.55, rate: 0.1 },
      ],
      hint: "Try previewSchedule.",
    }),
  ],
});

const result = async (options: unknown) => {
  const record = (await check("99-halve-at-half", { options })).toJSON();
  return { passed: record.passed, text: record.findings.map((f) => f.message).join(" / ") };
};

describe("check: learningRateSchedule", () => {
  it("passes options whose schedule gives the rates at every point, whichever policy gives them", async () => {
    const multistep = await result({ learningRate: 0.2, lrPolicy: { policy: "multistep", stepValues: [50], gamma: 0.5 } });
    assert.equal(multistep.passed, true, multistep.text);
    const step = await result({ learningRate: 0.2, epochs: 10, lrPolicy: { policy: "step", stepSize: 50, gamma: 0.5 } });
    assert.equal(step.passed, true, step.text);
  });

  it("names each point missed with the rate found there, describes the learner's schedule and adds the hint", async () => {
    const { passed, text } = await result({ learningRate: 0.2, lrPolicy: "fixed" });
    assert.equal(passed, false);
    assert.match(text, /Your schedule: fixed at 0\.2\./);
    assert.match(text, /at 55% of training it is 0\.2, where the exercise asks for 0\.1\. Try previewSchedule\./);
    assert.doesNotMatch(text, /at 45%/);
    assert.doesNotMatch(text, /multistep|stepValues/);
  });

  it("turns options train() would refuse into feedback with train()'s own explanation", async () => {
    const { passed, text } = await result({ learningRate: 0.2, lrPolicy: "staircase" });
    assert.equal(passed, false);
    assert.match(text, /Unknown lrPolicy "staircase"/);
    const typo = await result({ lr: 0.2 });
    assert.match(typo.text, /Did you mean "learningRate"/);
  });

  it("says what a value that is not options is", async () => {
    assert.match((await result(0.2)).text, /should be train\(\) options.*the number 0\.2/);
  });
});
