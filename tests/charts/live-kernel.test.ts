/**
 * A live chart through the real kernel: a training-like loop of 2,000 steps
 * updates a chart in place. At most about 4 updates a second over the loop's
 * run, and the last one holds the complete final state.
 *
 * The rate is judged against the loop's own clock, not IOPub's header dates:
 * under load the wire thread may send several queued updates in one burst,
 * which says nothing about how often the chart redrew.
 */
import assert from "node:assert/strict";
import { KernelClient } from "../../kernel/client/kernel-client";
import { startConvlabKernel } from "../kernel/start";

function stdoutOf(iopub: { header: { msg_type: string }; content: Record<string, any> }[]): string {
  return iopub
    .filter((m) => m.header.msg_type === "stream" && m.content.name === "stdout")
    .map((m) => String(m.content.text))
    .join("");
}

describe("live chart through the kernel", function () {
  this.timeout(300_000);
  let kernel: KernelClient;
  before(async () => (kernel = await startConvlabKernel()));
  after(async () => kernel?.close());

  it("sends at most ~4 updates a second during a 2,000-step loop, and the final state complete", async () => {
    const code = `
      import { liveChart, lineChart } from "convlab";
      const live = liveChart((losses: readonly number[]) => lineChart({ loss: losses }, { title: "live loss" }));
      const started = performance.now();
      for (let step = 0; step < 2000; step++) {
        const until = performance.now() + 1.5; while (performance.now() < until) {} // a training step's work
        live.push(2 / (1 + step / 100));
        if (step % 50 === 0) await new Promise((r) => setTimeout(r, 0));
      }
      live.done();
      console.log(JSON.stringify({ updates: live.updates, ms: performance.now() - started }));`;
    // allow_stdin: a person is watching (not headless), so updates stream live.
    // Generous: the first cell also waits for type-checking, slow on a loaded runner.
    const { reply, iopub } = await kernel.execute(code, { allow_stdin: true }, 240_000);
    assert.equal(reply.content.status, "ok", JSON.stringify(reply.content));
    const shown = iopub.filter((m) => m.header.msg_type === "display_data");
    const updates = iopub.filter((m) => m.header.msg_type === "update_display_data");
    assert.equal(shown.length, 1);
    assert.ok(updates.length >= 3, `expected several live updates, got ${updates.length}`);
    const run = JSON.parse(stdoutOf(iopub)) as { updates: number; ms: number };
    assert.equal(updates.length, run.updates, "every update the chart made reached IOPub");
    // One update per 250 ms at most, plus the final one that done() sends whatever the throttle says.
    const allowed = Math.floor(run.ms / 250) + 1;
    assert.ok(run.updates <= allowed, `at most 4 updates a second: ${run.updates} updates in ${Math.round(run.ms)} ms`);
    const last = updates[updates.length - 1].content.data as Record<string, any>;
    const spec = last["application/vnd.vegalite.v5+json"];
    const values = (spec.data?.values ?? spec.datasets?.[Object.keys(spec.datasets)[0]]) as unknown[];
    assert.equal(values.length, 2000, "the final update holds all 2,000 points");
    assert.match(String(last["image/svg+xml"]), /<svg/);
  });
});
