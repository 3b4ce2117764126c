/**
 * The test client's own promises: when a kernel does not come up, the error
 * says what the kernel last wrote on stderr (which is otherwise not shown).
 */
import assert from "node:assert/strict";
import { KernelClient } from "../../kernel/client/kernel-client";

/** A "kernel" that writes `message` on stderr, then exits with `code` or, without one, never answers. */
async function fakeKernel(message: string, code?: number): Promise<KernelClient> {
  const then = code === undefined ? "setInterval(() => {}, 1000)" : `process.exit(${code})`;
  return KernelClient.start({ argv: [process.execPath, "-e", `process.stderr.write(${JSON.stringify(message)}); ${then}`] });
}

describe("kernel client", function () {
  this.timeout(60_000);

  it("names the end of the kernel's stderr when it exits before it is ready", async () => {
    const kernel = await fakeKernel("could not open the sockets: port taken\n", 3);
    try {
      await assert.rejects(kernel.waitReady(20_000), /exited with code 3; the end of its stderr:\ncould not open the sockets: port taken/);
    } finally {
      await kernel.close();
    }
  });

  it("names the end of the kernel's stderr when it is not ready in time", async () => {
    const kernel = await fakeKernel("loading something slow\n");
    try {
      await assert.rejects(kernel.waitReady(2_000), /not ready within 2000 ms; the end of its stderr:\nloading something slow/);
    } finally {
      await kernel.close();
    }
  });
});
