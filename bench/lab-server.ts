/**
 * `npm run bench -- lab-server [--learners N]`: a class of N learners (10 by
 * default) on a lab server on 127.0.0.1, as the acceptance test does with 3.
 * Reports the time until all are ready (from the command to every server
 * up), the resident memory per idle learner (JupyterLab server + a kernel
 * that has imported convlab), how many learners a 24 GB, 2-core machine holds
 * at the default limits, lesson 1's wall time for one learner alone and for
 * all N at once, whether every run finished, and isolation violations.
 * Needs root (it creates Unix accounts, removed at the end).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import type { Benchmark } from "./run";
import { numberFlag } from "./support/options";
import {
  dismantle,
  freePort,
  HubKernel,
  LAB_DEFAULTS,
  learnersPerMachine,
  LESSON_1,
  logInAll,
  memoryReport,
  probeIsolation,
  residentMb,
  runForAll,
  runNotebook,
  startAll,
  startLab,
  type RunningLab,
} from "../labserver";

const MINUTE = 60_000;

const benchmark: Benchmark = {
  description: "lab server: N learners (default 10) on loopback: ready time, idle RSS per learner, lesson 1 alone and all at once",
  options: { learners: "N: learners in the class (default 10)" },
  async run(flags) {
    const count = numberFlag(flags, "learners", 10);
    const prefix = `b${randomBytes(3).toString("hex")}`;
    const learners = Array.from({ length: count }, (_, i) => `${prefix}-l${i + 1}`);
    const dir = mkdtempSync(path.join(tmpdir(), "convlab-lab-bench-"));
    chmodSync(dir, 0o711);
    writeFileSync(path.join(dir, "class.txt"), learners.join("\n") + "\n");
    const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
    let lab: RunningLab | undefined;
    try {
      const started = performance.now();
      lab = await startLab({ classList: path.join(dir, "class.txt"), instructor: `${prefix}-teach`, stateDir: path.join(dir, "state"), homeRoot: path.join(dir, "homes"), port: await freePort(), log: (line) => console.error(line) });
      const clients = await logInAll(lab, lab.newPasswords);
      await startAll(clients, 10 * MINUTE);
      const readySeconds = (performance.now() - started) / 1000;
      console.error(`${count} learners ready in ${readySeconds.toFixed(1)} s`);

      // Idle learners: each with a kernel that has imported convlab (lesson 1's first cell), then nothing running.
      const kernels = await Promise.all([...clients].map(([name, api]) => HubKernel.open(api, name, "idle.ipynb")));
      const firstCell = 'import * as tf from "@tensorflow/tfjs";\nimport { useBackend } from "convlab";\nawait useBackend();';
      const imported = await Promise.all(kernels.map((k) => k.execute(firstCell, 10 * MINUTE)));
      const rss = learners.map((name) => residentMb(name));
      await Promise.all(kernels.map((k) => k.close()));
      console.error(`idle RSS per learner: ${rss.map((r) => r.toFixed(0)).join(", ")} MiB`);

      const [first] = learners;
      const alone = await runNotebook(clients.get(first)!, first, LESSON_1, 10 * MINUTE);
      console.error(`lesson 1 alone: ${alone.seconds.toFixed(1)} s`);
      const allStarted = performance.now();
      const runs = await runForAll(clients, LESSON_1, 20 * MINUTE);
      const lesson1SecondsTen = (performance.now() - allStarted) / 1000;
      const failures = [
        ...imported.flatMap((r, i) => (r.status === "ok" ? [] : [`${learners[i]}: importing convlab while idle: ${r.error ?? r.status}`])),
        ...(alone.failure ? [`${first} alone: cell ${alone.failure.cell}: ${alone.failure.error}`] : []),
        ...[...runs].filter(([, r]) => r.failure).map(([name, r]) => `${name}: cell ${r.failure!.cell}: ${r.failure!.error}`),
      ];
      console.error(`lesson 1 for ${count} at once: ${lesson1SecondsTen.toFixed(1)} s${failures.length ? `; failures: ${failures.join("; ")}` : ""}`);
      const isolation = await probeIsolation(lab, clients, 2 * MINUTE);
      const peaks = learners.map((name) => memoryReport(lab!.config.classId, name).peakBytes ?? 0);
      return {
        benchmark: "lab-server",
        learners: count,
        allFinished: failures.length === 0,
        isolationViolations: isolation.violations.length,
        readySeconds: round(readySeconds),
        rssPerIdleLearnerMb: round(rss.reduce((a, b) => a + b, 0) / rss.length),
        learnersPerMachine: learnersPerMachine(24 * 1024, LAB_DEFAULTS.memoryMb),
        lesson1SecondsAlone: round(alone.seconds),
        lesson1SecondsTen: round(lesson1SecondsTen),
        peakMemoryPerLearnerMb: round(Math.max(...peaks) / 2 ** 20),
        memoryLimitMb: LAB_DEFAULTS.memoryMb,
        limits: lab.limits.mode,
        isolationProbes: isolation.probes,
        failures,
        loadavgBefore: loadBefore,
        loadavgAfter: loadavg().map((l) => Number(l.toFixed(2))),
      };
    } finally {
      if (lab) await dismantle(lab);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

export default benchmark;
