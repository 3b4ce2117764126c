/**
 * Kernel speed, convlab against tslab's own kernel, measured in one run:
 * - readyMs: from spawning the process to its first kernel_info reply (what
 *   Jupyter waits for before it shows the kernel as ready);
 * - firstCellMs: a learner's first cell (`import * as tf from
 *   "@tensorflow/tfjs"`, and for convlab the convlab import), sent 3 s after
 *   the kernel is ready, from sending to its reply and idle status (the time
 *   a learner waits after a first Shift+Enter); target 500 ms on a quiet
 *   machine;
 * - firstCellCpuMs: CPU time the kernel's main thread (the one that runs
 *   cells) spent during that first cell (Linux; read from /proc), a figure
 *   the machine's load does not inflate the way it inflates wall time;
 * - roundTripMs: median time from sending a trivial execute_request to its
 *   reply and idle status, after that first cell.
 *
 *   npm run bench -- kernel [--rounds 3] [--cells 40]
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { loadavg } from "node:os";
import { KernelClient } from "../kernel/client/kernel-client";
import type { Benchmark } from "./run";
import { numberFlag } from "./support/options";
import { median } from "./support/median";

const ROOT = path.resolve(__dirname, "..", "..");

interface KernelUnderTest {
  name: string;
  argv: string[];
  imports: string;
}

const KERNELS: KernelUnderTest[] = [
  {
    name: "convlab",
    argv: [process.execPath, path.join(ROOT, "dist", "cli", "main.js"), "kernel", "-f", "{connection_file}"],
    imports: 'import * as tf from "@tensorflow/tfjs";\nimport * as cl from "convlab";',
  },
  {
    name: "convlab-tf-only",
    argv: [process.execPath, path.join(ROOT, "dist", "cli", "main.js"), "kernel", "-f", "{connection_file}"],
    imports: 'import * as tf from "@tensorflow/tfjs";',
  },
  {
    // tslab cannot resolve "convlab" (it is not in node_modules), so it imports tfjs only.
    name: "tslab",
    argv: [process.execPath, path.join(ROOT, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", "{connection_file}"],
    imports: 'import * as tf from "@tensorflow/tfjs";',
  },
];

interface Sample {
  readyMs: number;
  firstCellMs: number;
  firstCellCpuMs: number;
  roundTripMs: number;
}

/** How long after "ready" a learner's first cell arrives (reading the notebook, clicking into a cell). */
const FIRST_CELL_DELAY_MS = 3000;

async function measure(kernel: KernelUnderTest, cells: number): Promise<Sample> {
  const started = performance.now();
  const client = await KernelClient.start({ argv: kernel.argv, cwd: ROOT, env: { ...process.env, CONVLAB_HISTORY_FILE: "/dev/null" } });
  try {
    await client.waitReady(120_000);
    const readyMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, FIRST_CELL_DELAY_MS));
    const pid = client.process.pid!;
    const cpuBefore = mainThreadCpuMs(pid);
    const firstStart = performance.now();
    const imported = await client.execute(kernel.imports, {}, 120_000);
    if (imported.reply.content.status !== "ok") throw new Error(`${kernel.name}: the first cell failed: ${JSON.stringify(imported.reply.content)}`);
    const firstCellMs = performance.now() - firstStart;
    const firstCellCpuMs = mainThreadCpuMs(pid) - cpuBefore;
    const times: number[] = [];
    for (let i = 0; i < cells; i++) {
      const t = performance.now();
      const r = await client.execute(`${i} + 1`);
      times.push(performance.now() - t);
      if (r.reply.content.status !== "ok") throw new Error(`${kernel.name}: a trivial cell failed`);
    }
    return { readyMs, firstCellMs, firstCellCpuMs, roundTripMs: median(times) };
  } finally {
    await client.close();
  }
}

/** CPU time (user + system) of a process's main thread so far, in ms; NaN where /proc is missing. */
function mainThreadCpuMs(pid: number): number {
  const file = `/proc/${pid}/task/${pid}/stat`;
  if (!existsSync(file)) return NaN;
  const fields = readFileSync(file, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}


const benchmark: Benchmark = {
  description: "kernel start-to-ready, a first import cell sent 3 s after ready, and trivial-cell round trip, convlab vs tslab, same run",
  options: {
    rounds: "R: rounds, each starting convlab's kernel and tslab's in turn (default 3)",
    cells: "N: trivial cells timed per round (default 40)",
  },
  async run(flags) {
    const rounds = numberFlag(flags, "rounds", 3);
    const cells = numberFlag(flags, "cells", 40);
    const samples = new Map<string, Sample[]>(KERNELS.map((k) => [k.name, []]));
    const loadBefore = loadavg()[0];
    for (let round = 0; round < rounds; round++) {
      for (const kernel of KERNELS) samples.get(kernel.name)!.push(await measure(kernel, cells));
    }
    const summary: Record<string, Record<string, number>> = {};
    for (const [name, list] of samples) {
      summary[name] = {
        readyMs: Math.round(median(list.map((s) => s.readyMs))),
        firstCellMs: Math.round(median(list.map((s) => s.firstCellMs))),
        firstCellCpuMs: Math.round(median(list.map((s) => s.firstCellCpuMs))),
        roundTripMs: Number(median(list.map((s) => s.roundTripMs)).toFixed(1)),
      };
    }
    const ours = summary.convlab;
    return {
      benchmark: "kernel",
      rounds,
      cellsPerRound: cells,
      loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0].toFixed(2)) },
      readyMs: ours.readyMs,
      firstCellMs: ours.firstCellMs,
      firstCellCpuMs: ours.firstCellCpuMs,
      firstCellDelayMs: FIRST_CELL_DELAY_MS,
      roundTripMs: ours.roundTripMs,
      targets: { readyMs: 1500, firstCellMs: 500, roundTripMs: 30 },
      targetsMet: ours.readyMs <= 1500 && ours.firstCellMs <= 500 && ours.roundTripMs <= 30,
      kernels: summary,
    };
  },
};

export default benchmark;
