/**
 * A fault probe: one thing a learner (or a misbehaving client) does to the
 * kernel or the library, and what must happen instead of lost work or silent
 * nonsense. Probes throw (node:assert) when the promise is broken. The mocha
 * files in this folder run them as tests; `npm run bench -- faults` runs them
 * all and prints one line: {"probes", "passed", "failed": [names]}.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KernelClient } from "../../kernel/client/kernel-client";
import { startConvlabKernel } from "../kernel/start";

export interface Probe {
  /** A short name, as the bench's "failed" list shows it. */
  name: string;
  /** The issue-18 item it checks, if it is one. */
  item?: number;
  run(context: ProbeContext): Promise<void>;
}

/** What probes share: one kernel (started on first use, restarted if it died) and temporary folders. */
export class ProbeContext {
  private shared: KernelClient | null = null;
  private readonly cleanups: (() => void | Promise<void>)[] = [];

  async kernel(): Promise<KernelClient> {
    if (this.shared && this.shared.process.exitCode === null && this.shared.process.signalCode === null) return this.shared;
    this.shared = await startConvlabKernel();
    const kernel = this.shared;
    this.cleanups.push(() => kernel.close());
    return kernel;
  }

  /** A kernel of its own, closed with the context. */
  async ownKernel(env: Record<string, string> = {}): Promise<KernelClient> {
    const kernel = await startConvlabKernel(env);
    this.cleanups.push(() => kernel.close());
    return kernel;
  }

  tempDir(prefix = "convlab-fault-"): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  onClose(cleanup: () => void | Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async close(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // best effort
      }
    }
    this.shared = null;
  }
}

/** Registers probes as mocha tests sharing one context. */
export function describeProbes(title: string, probes: Probe[], timeoutMs = 300_000): void {
  describe(title, function () {
    this.timeout(timeoutMs);
    const context = new ProbeContext();
    after(() => context.close());
    for (const probe of probes) {
      const label = probe.item ? `${probe.name} (issue 18, item ${probe.item})` : probe.name;
      it(label, () => probe.run(context));
    }
  });
}
