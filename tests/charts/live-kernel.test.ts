/**
 * A live chart through the real kernel: a training-like loop of 2,000 steps
 * updates a chart in place. At most about 4 updates a second reach IOPub,
 * and the last one holds the complete final state.
 */
import assert from "node:assert/strict";
import { KernelClient } from "../../kernel/client/kernel-client";
import { startConvlabKernel } from "../kernel/start";

describe("live chart through the kernel", function () {
  this.timeout(180_000);
  let kernel: KernelClient;
  before(async () => (kernel = await startConvlabKernel()));
  after(async () => kernel?.close());

  it("sends at most ~4 updates a second during a 2,000-step loop, and the final state complete", async () => {
    const code = `
      import { liveChart, lineChart } from "convlab";
      const live = liveChart((losses: readonly number[]) => lineChart({ loss: losses }, { title: "live loss" }));
      for (let step = 0; step < 2000; step++) {
        const until = performance.now() + 1.5; while (performance.now() < until) {} // a training step's work
        live.push(2 / (1 + step / 100));
        if (step % 50 === 0) await new Promise((r) => setTimeout(r, 0));
      }
      live.done();
      live.updates`;
    // allow_stdin: a person is watching (not headless), so updates stream live.
    const { reply, iopub } = await kernel.execute(code, { allow_stdin: true });
    assert.equal(reply.content.status, "ok", JSON.stringify(reply.content));
    const shown = iopub.filter((m) => m.header.msg_type === "display_data");
    const updates = iopub.filter((m) => m.header.msg_type === "update_display_data");
    assert.equal(shown.length, 1);
    assert.ok(updates.length >= 3, `expected several live updates, got ${updates.length}`);
    // Rate, by the kernel's own send times (header dates), over any one-second window.
    const times = updates.map((m) => Date.parse(m.header.date));
    let most = 0;
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= times[i] && t < times[i] + 1000).length;
      most = Math.max(most, inWindow);
    }
    assert.ok(most <= 5, `at most about 4 updates per second, saw ${most} in one second`);
    const last = updates[updates.length - 1].content.data as Record<string, any>;
    const spec = last["application/vnd.vegalite.v5+json"];
    const values = (spec.data?.values ?? spec.datasets?.[Object.keys(spec.datasets)[0]]) as unknown[];
    assert.equal(values.length, 2000, "the final update holds all 2,000 points");
    assert.match(String(last["image/svg+xml"]), /<svg/);
  });
});
