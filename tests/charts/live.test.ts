/**
 * liveChart through a fake NotebookHost: throttling in a 2,000-step loop,
 * the final state, interrupts, and headless runs.
 */
import assert from "node:assert/strict";
import { historyChart, liveChart, liveHistoryChart, lineChart, VEGA_LITE_MIME } from "../../lib/charts";
import type { EpochRecord } from "../../lib/history";
import { FakeClock, FakeNotebookHost } from "./fake-host";
import { markItems } from "./helpers";

interface Step {
  step: number;
  loss: number;
}

const drawSteps = (steps: readonly Step[]) => lineChart({ loss: steps.map((s) => ({ x: s.step, y: s.loss })) }, { yTitle: "loss" });

describe("liveChart", function () {
  afterEach(() => FakeNotebookHost.uninstall());

  it("sends at most 4 updates per second in a 2,000-step loop, and the final update holds every step", function () {
    const clock = new FakeClock();
    const host = new FakeNotebookHost(false, clock.now).install();
    const live = liveChart(drawSteps, { now: clock.now });
    const stepMs = 3; // 2,000 steps × 3 ms = 6 s of "training"
    for (let step = 1; step <= 2000; step++) {
      clock.advance(stepMs);
      live.push({ step, loss: 1 / step });
    }
    live.done();

    const [first, ...updates] = host.sent;
    assert.equal(first.options.update, undefined, "first output is a display");
    assert.ok(first.options.displayId);
    for (const u of updates) {
      assert.equal(u.options.update, true);
      assert.equal(u.options.displayId, first.options.displayId, "every update replaces the same output");
    }
    // In any one-second window at most 4 updates, plus the final one.
    const times = updates.map((u) => u.at);
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= times[i] && t < times[i] + 1000).length;
      assert.ok(inWindow <= 5, `${inWindow} updates within 1 s from t=${times[i]}`);
    }
    const seconds = (2000 * stepMs) / 1000;
    assert.ok(updates.length <= 4 * seconds + 1, `${updates.length} updates in ${seconds} s`);
    assert.ok(updates.length >= 4 * seconds - 1, `updates keep coming while the loop runs (${updates.length})`);

    const final = updates[updates.length - 1].bundle;
    const spec = final[VEGA_LITE_MIME] as { data: { values: unknown[] } };
    assert.equal(spec.data.values.length, 2000, "the final spec has all 2,000 steps");
    assert.match(final["text/plain"] as string, /up to 2000 points; last: loss 0.0005/);
    assert.equal(markItems(final["image/svg+xml"] as string, "series").length, 1);
    assert.equal(host.keptOutputs().length, 1, "the notebook keeps one output");
    assert.equal(live.updates, updates.length);
  });

  it("sends the SVG with the first and the final state only; updates in between carry the spec", async function () {
    const clock = new FakeClock();
    const host = new FakeNotebookHost(false, clock.now).install();
    const live = liveChart(drawSteps, { now: clock.now });
    for (let step = 1; step <= 300; step++) {
      clock.advance(10);
      live.push({ step, loss: 1 / step });
    }
    await live.finish();
    const bundles = host.sent.map((s) => s.bundle);
    assert.ok(bundles.length >= 6, `${bundles.length} outputs`);
    assert.ok("image/svg+xml" in bundles[0], "the first state has its SVG");
    for (const between of bundles.slice(1, -2)) {
      assert.deepEqual(Object.keys(between).sort(), [VEGA_LITE_MIME, "text/plain"]);
    }
    const [done, finished] = bundles.slice(-2);
    assert.ok("image/svg+xml" in done, "done() sends the final state with its SVG");
    assert.deepEqual(Object.keys(finished).sort(), [VEGA_LITE_MIME, "image/png", "image/svg+xml", "text/plain"], "finish() adds the PNG");
    assert.equal((finished[VEGA_LITE_MIME] as { data: { values: unknown[] } }).data.values.length, 300);
  });

  it("with the real clock, a 2,000-step loop gets at most 4 updates a second and a complete final state", function () {
    const host = new FakeNotebookHost(false).install();
    const live = liveChart(drawSteps);
    const start = performance.now();
    for (let step = 1; step <= 2000; step++) {
      const until = performance.now() + 1; // about 1 ms of "training" per step
      while (performance.now() < until);
      live.push({ step, loss: 1 / step });
    }
    live.done();
    const seconds = (performance.now() - start) / 1000;
    const updates = host.sent.length - 1;
    assert.ok(updates >= 2, `${updates} updates`);
    assert.ok(updates <= Math.ceil(4 * seconds) + 1, `${updates} updates in ${seconds.toFixed(2)} s`);
    const final = host.sent[host.sent.length - 1].bundle[VEGA_LITE_MIME] as { data: { values: { x: number }[] } };
    assert.equal(final.data.values.length, 2000);
    assert.equal(final.data.values[1999].x, 2000);
    assert.equal(host.keptOutputs().length, 1);
  });

  it("holds an update back until the interval has passed, then sends it even if the loop pauses", async function () {
    const clock = new FakeClock();
    const host = new FakeNotebookHost(false, clock.now).install();
    const live = liveChart(drawSteps, { maxUpdatesPerSecond: 20, now: clock.now });
    live.push({ step: 1, loss: 1 });
    live.push({ step: 2, loss: 0.5 });
    assert.equal(host.sent.length, 1, "within 50 ms of the display: held back");
    // The loop now waits (for data, say); the held-back update goes out on a timer.
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(host.sent.length, 2, "the pending update was sent without another push");
    const last = host.sent[host.sent.length - 1].bundle[VEGA_LITE_MIME] as { data: { values: unknown[] } };
    assert.equal(last.data.values.length, 2);
    live.done();
  });

  it("done() always sends the final state, even inside the throttle interval, and only once", function () {
    const clock = new FakeClock();
    const host = new FakeNotebookHost(false, clock.now).install();
    const live = liveHistoryChart({ now: clock.now });
    live.push({ epoch: 1, loss: 1, valLoss: 1.1 });
    live.push({ epoch: 2, loss: 0.5, valLoss: 0.7 }); // both inside the first 250 ms
    assert.equal(host.sent.length, 1, "throttled: only the first display so far");
    const chart = live.done();
    assert.equal(host.sent.length, 2);
    assert.match(chart.summary, /2 epochs; best epoch 2/);
    live.done();
    assert.equal(host.sent.length, 2, "done() twice sends nothing more");
    assert.throws(() => live.push({ epoch: 3, loss: 0.4 }), /push\(\) after done\(\)/);
  });

  it("sends the state so far when the learner interrupts", async function () {
    const clock = new FakeClock();
    const host = new FakeNotebookHost(false, clock.now).install();
    const live = liveChart((h: readonly EpochRecord[]) => historyChart(h), { now: clock.now });
    live.push({ epoch: 1, loss: 1 });
    live.push({ epoch: 2, loss: 0.8 });
    host.controller.abort();
    const last = host.sent[host.sent.length - 1].bundle[VEGA_LITE_MIME] as { data: { values: unknown[] } };
    assert.equal(last.data.values.length, 2, "the abort listener drew both epochs");
    // A loop that checks the signal and pushes once more still lands at once.
    live.push({ epoch: 3, loss: 0.7 });
    const after = host.sent[host.sent.length - 1].bundle[VEGA_LITE_MIME] as { data: { values: unknown[] } };
    assert.equal(after.data.values.length, 3);
    live.done();
    assert.equal(host.keptOutputs().length, 1);
  });

  it("headless: shows the chart once and then only the final state, in the same output", function () {
    const clock = new FakeClock();
    const host = new FakeNotebookHost(true, clock.now).install();
    const live = liveChart(drawSteps, { now: clock.now });
    for (let step = 1; step <= 2000; step++) {
      clock.advance(5);
      live.push({ step, loss: 1 / step });
    }
    live.done();
    assert.equal(host.sent.length, 2, "one display, one final update");
    assert.equal(host.sent[1].options.update, true);
    const kept = host.keptOutputs();
    assert.equal(kept.length, 1);
    assert.equal((kept[0][VEGA_LITE_MIME] as { data: { values: unknown[] } }).data.values.length, 2000);
    assert.equal(host.clears, 0);
  });

  it("headless with updateWhenHeadless still throttles", function () {
    const clock = new FakeClock();
    const host = new FakeNotebookHost(true, clock.now).install();
    const live = liveChart(drawSteps, { now: clock.now, updateWhenHeadless: true });
    for (let step = 1; step <= 400; step++) {
      clock.advance(5);
      live.push({ step, loss: 1 / step });
    }
    live.done();
    assert.ok(host.sent.length > 2 && host.sent.length <= 2 + 8 + 1, `${host.sent.length} outputs for 2 s`);
  });

  it("spaces updates further apart when drawing is slow, keeping drawing under 5 % of the time (when asked)", function () {
    const clock = new FakeClock();
    const host = new FakeNotebookHost(false, clock.now).install();
    // Each draw takes 40 ms of (fake) time: 40 / 0.05 = 800 ms between updates.
    const live = liveChart(
      (steps: readonly Step[]) => {
        clock.advance(40);
        return drawSteps(steps);
      },
      { now: clock.now, maxDrawFraction: 0.05 },
    );
    for (let step = 1; step <= 1000; step++) {
      clock.advance(10);
      live.push({ step, loss: 1 / step });
    }
    live.done();
    // Between throttled updates (the first display and the final done() aside).
    const updates = host.sent.slice(1, -1);
    assert.ok(updates.length >= 10, `${updates.length} updates`);
    const gaps = updates.slice(1).map((u, i) => u.at - updates[i].at);
    for (const gap of gaps) assert.ok(gap >= 800, `gap ${gap} ms`);
    assert.ok(live.drawMilliseconds / clock.time <= 0.06, `drew ${live.drawMilliseconds} ms of ${clock.time} ms`);
  });

  it("checks its options", function () {
    new FakeNotebookHost(false).install();
    assert.throws(() => liveChart(drawSteps, { maxUpdatesPerSecond: 0 }), /maxUpdatesPerSecond must be > 0/);
    assert.throws(() => liveChart("history" as never), /expects a function/);
  });
});
