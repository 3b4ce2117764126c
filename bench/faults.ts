/**
 * The reliability suite (issue 18): every fault probe of tests/faults, the
 * kernel's (protocol abuse, interrupts, exits, memory, a dead parent, stray
 * errors, history), the importer's (bombs, links, hidden folders) and
 * train()'s (concurrent runs, resumes, NaN, damaged snapshots, interrupts),
 * plus the ones that are other engineers' to fix (listed, not in npm test).
 *
 *   npm run bench -- faults [--only <text>]
 *
 * One line: {"probes", "passed", "failed": [names], "seconds", "loadavg"}.
 */
import { loadavg } from "node:os";
import { ProbeContext, type Probe } from "../tests/faults/probe";
import { kernelProbes } from "../tests/faults/kernel-probes";
import { historyProbes } from "../tests/faults/history-probes";
import { importProbes } from "../tests/faults/import-probes";
import { poolingNaN, trainProbes } from "../tests/faults/train-probes";
import type { Benchmark } from "./run";
import { textFlag } from "./support/options";

const PROBE_TIMEOUT_MS = 600_000;

async function runProbe(probe: Probe, context: ProbeContext): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe.run(context), timeout]);
    return undefined;
  } catch (error) {
    return String((error as Error)?.message ?? error).split("\n")[0];
  } finally {
    clearTimeout(timer);
  }
}

const benchmark: Benchmark = {
  description: "reliability probes (issue 18): kernel, importer and train() faults; prints probes, passed, failed",
  options: { only: "TEXT: run only the probes whose name contains TEXT" },
  async run(flags) {
    const only = textFlag(flags, "only");
    const probes = [...kernelProbes, ...historyProbes, ...importProbes, ...trainProbes, poolingNaN].filter((p) => !only || p.name.includes(only));
    const started = performance.now();
    const failed: string[] = [];
    const context = new ProbeContext();
    try {
      for (const probe of probes) {
        const t0 = performance.now();
        const failure = await runProbe(probe, context);
        if (failure) failed.push(probe.name);
        process.stderr.write(`${failure ? "FAIL" : "ok  "} ${probe.name} (${((performance.now() - t0) / 1000).toFixed(1)} s)${failure ? `: ${failure}` : ""}\n`);
      }
    } finally {
      await context.close();
    }
    return {
      probes: probes.length,
      passed: probes.length - failed.length,
      failed,
      seconds: Math.round((performance.now() - started) / 1000),
      loadavg: loadavg().map((l) => Number(l.toFixed(2))),
    };
  },
};

export default benchmark;
