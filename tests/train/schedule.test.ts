/**
 * Learning-rate policies against DIGITS's conversion and Caffe's formulas,
 * computed by hand for a 1,000-step run (scale = max_iter / 100 = 10).
 */
import assert from "node:assert/strict";
import { LearningRateSchedule, LR_POLICY_DEFAULTS, previewSchedule, resolveLrPolicy, scheduleFor, toCaffeSchedule } from "../../lib/train";
import { assertValidVegaLite } from "../charts/helpers";
import { smallMnist } from "./helpers";

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-12 + 1e-9 * Math.abs(expected), `${what}: got ${actual}, expected ${expected}`);

const rates = (policy: Parameters<typeof resolveLrPolicy>[0], steps: number[]) => {
  const schedule = new LearningRateSchedule(resolveLrPolicy(policy), 0.01, 1000);
  return steps.map((s) => schedule.at(s));
};

describe("learning-rate policies", () => {
  it("have DIGITS's defaults", () => {
    assert.deepEqual(resolveLrPolicy(undefined), { policy: "step", stepSize: 33, gamma: 0.1 });
    assert.deepEqual(resolveLrPolicy("multistep"), { policy: "multistep", stepValues: [50, 85], gamma: 0.5 });
    assert.deepEqual(resolveLrPolicy("exp"), { policy: "exp", gamma: 0.95 });
    assert.deepEqual(resolveLrPolicy("inv"), { policy: "inv", gamma: 0.1, power: 0.5 });
    assert.deepEqual(resolveLrPolicy("poly"), { policy: "poly", power: 3 });
    assert.deepEqual(resolveLrPolicy("sigmoid"), { policy: "sigmoid", stepSize: 50, gamma: 0.1 });
    assert.deepEqual(resolveLrPolicy({ policy: "step", gamma: 0.5 }), { policy: "step", stepSize: 33, gamma: 0.5 });
    assert.equal(Object.keys(LR_POLICY_DEFAULTS).length, 7);
  });

  it("convert percents to Caffe's iterations as DIGITS does", () => {
    const caffe = (p: Parameters<typeof resolveLrPolicy>[0]) => toCaffeSchedule(resolveLrPolicy(p), 0.01, 1000);
    assert.equal(caffe("step").stepsize, 330);
    assert.deepEqual(caffe("multistep").stepvalue, [500, 850]);
    close(caffe("exp").gamma!, Math.pow(0.95, 1 / 10), "exp gamma");
    close(caffe("inv").gamma!, 0.01, "inv gamma");
    close(caffe("sigmoid").gamma!, -0.01, "sigmoid gamma");
    assert.equal(caffe("sigmoid").stepsize, 500);
    // ceil, as DIGITS: 33% of 1,234 steps is 407.22 → 408.
    assert.equal(toCaffeSchedule(resolveLrPolicy("step"), 0.01, 1234).stepsize, 408);
  });

  it("fixed: base", () => {
    assert.deepEqual(rates("fixed", [0, 500, 999]), [0.01, 0.01, 0.01]);
  });

  it("step: base · gamma^⌊iter / stepsize⌋", () => {
    const [a, b, c, d, e] = rates("step", [0, 329, 330, 660, 999]);
    close(a, 0.01, "step 0");
    close(b, 0.01, "step 329");
    close(c, 0.001, "step 330");
    close(d, 0.0001, "step 660");
    close(e, 0.00001, "step 999 (990 is the third drop)");
  });

  it("multistep: base · gamma^(step values passed)", () => {
    const [a, b, c, d] = rates("multistep", [499, 500, 849, 850]);
    close(a, 0.01, "499");
    close(b, 0.005, "500");
    close(c, 0.005, "849");
    close(d, 0.0025, "850");
  });

  it("exp: base · gamma'^iter, so ×0.95 every 1% of training", () => {
    const [a, b, c] = rates("exp", [0, 10, 1000]);
    close(a, 0.01, "0");
    close(b, 0.01 * 0.95, "1%");
    close(c, 0.01 * Math.pow(0.95, 100), "100%");
  });

  it("inv: base · (1 + gamma'·iter)^(−power)", () => {
    const [a, b, c] = rates("inv", [0, 300, 1000]);
    close(a, 0.01, "0");
    close(b, 0.01 * Math.pow(1 + 0.01 * 300, -0.5), "300");
    close(b, 0.005, "300 by hand: (1 + 3)^-0.5 = 0.5");
    close(c, 0.01 / Math.sqrt(11), "1000");
  });

  it("poly: base · (1 − iter/max_iter)^power", () => {
    const [a, b, c] = rates("poly", [0, 500, 1000]);
    close(a, 0.01, "0");
    close(b, 0.01 * 0.125, "half way: 0.5^3");
    close(c, 0, "end");
  });

  it("sigmoid: base / (1 + e^(−gamma'·(iter − stepsize)))", () => {
    const [a, b, c] = rates("sigmoid", [0, 500, 1000]);
    close(a, 0.01 / (1 + Math.exp(-5)), "0");
    close(b, 0.005, "at the step: half");
    close(c, 0.01 / (1 + Math.exp(5)), "end");
  });

  it("explain bad parameters", () => {
    assert.throws(() => resolveLrPolicy("cosine" as never), /Unknown lrPolicy "cosine". Use one of "fixed", "step"/);
    assert.throws(() => resolveLrPolicy({ policy: "step", power: 2 } as never), /lrPolicy "step" has no parameter "power"; its parameters are stepSize and gamma/);
    assert.throws(() => resolveLrPolicy({ policy: "step", stepSize: 0.33 * 0 }), /stepSize is a percent of training/);
    assert.throws(() => resolveLrPolicy({ policy: "step", gamma: 10 }), /would make the learning rate grow/);
    assert.throws(() => resolveLrPolicy({ policy: "multistep", stepValues: [80, 50] }), /stepValues must increase/);
    assert.throws(() => resolveLrPolicy({ policy: "fixed", gamma: 0.1 } as never), /takes no parameters/);
  });

  it("describe themselves in a line", () => {
    const schedule = new LearningRateSchedule(resolveLrPolicy("step"), 0.01, 1000);
    assert.equal(schedule.describe(), "step: ×0.1 every 33% of training (every 330 steps)");
  });

  it("previewSchedule draws the curve before training, with the real number of steps", async function () {
    this.timeout(60_000);
    const data = await smallMnist();
    const { schedule, stepsPerEpoch } = scheduleFor({ epochs: 30, batchSize: 64 }, data);
    assert.equal(stepsPerEpoch, 10, "600 images in batches of 64");
    assert.equal(schedule.maxIter, 300);
    const chart = previewSchedule({ epochs: 30, batchSize: 64 }, data);
    assertValidVegaLite(chart.spec, "previewSchedule");
    const values = (chart.spec.data as { values: { x: number; lr: number }[] }).values;
    // Steps 99 and 100 straddle the first drop (⌈33 · 3⌉ = 99): both are drawn.
    const at = (x: number) => values.find((v) => Math.abs(v.x - x) < 1e-9)?.lr;
    close(at(9.8)!, 0.01, "epoch 9.8 (step 98)");
    close(at(9.9)!, 0.001, "epoch 9.9 (step 99)");
    assert.match(chart.summary, /Learning rate: 0.01 → 1e-5/);
    assert.match(JSON.stringify(chart.spec.title), /step: ×0.1 every 33% of training \(every 99 steps\)/);
    const exp = previewSchedule({ lrPolicy: "exp", epochs: 10 });
    assert.ok((exp.spec.data as { values: unknown[] }).values.length >= 300, "without data: 100 steps an epoch, sampled");
  });
});
