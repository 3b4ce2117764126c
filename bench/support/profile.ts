/**
 * Per-kernel time of one training step, for the speed benchmarks
 * (a helper of the benchmarks, not one itself: bench/support/).
 */
import * as tf from "@tensorflow/tfjs";
import { setKernelThreads, threadTimes, workerBusyMs } from "../../lib/backend/wasm/simd/parallel";
import { median } from "./median";

/**
 * Milliseconds per training step in each kernel, from tf.profile over
 * `repeats` steps of `step`. The machine is shared, so each kernel call's
 * time is its fastest over the steps (the kernel sequence is the same every
 * step), summed by kernel name; "allKernels" is their total and "stepWall"
 * the fastest whole step with profiling on. `byShape` keys kernels by name
 * and input shapes ("Conv2D 64x32x32x3,3x3x3x32"). `cpuTime` counts the
 * process's CPU time instead of wall time (single-threaded runs on a busy
 * machine); "stepWall" is then the step's CPU time.
 */
export async function profileSteps(
  step: () => tf.Scalar,
  options: { repeats?: number; byShape?: boolean; cpuTime?: boolean } = {},
): Promise<Record<string, number>> {
  const repeats = options.repeats ?? 10;
  const backend = tf.backend() as unknown as { time: (f: () => void) => Promise<{ kernelMs: number }> };
  const wallTime = backend.time;
  if (options.cpuTime) {
    // The process's CPU time instead of wall time: other processes on a busy
    // machine take the CPU for whole time slices; this does not count those.
    backend.time = async (f: () => void) => {
      const start = process.cpuUsage();
      f();
      const used = process.cpuUsage(start);
      return { kernelMs: (used.user + used.system) / 1000 };
    };
  }
  const checks = tf.env().getBool("CHECK_COMPUTATION_FOR_ERRORS");
  tf.env().set("CHECK_COMPUTATION_FOR_ERRORS", false);
  let fastest: { name: string; ms: number }[] | undefined;
  let wall = Infinity;
  try {
    for (let r = 0; r < repeats; r++) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const profile = await tf.profile(() => {
        const loss = step();
        loss.dataSync();
        loss.dispose();
      });
      const cpu = process.cpuUsage(cpuStart);
      wall = Math.min(wall, options.cpuTime ? (cpu.user + cpu.system) / 1000 : performance.now() - start);
      const calls: { name: string; ms: number }[] = [];
      for (const k of profile.kernels) {
        const name = options.byShape ? `${k.name} ${k.inputShapes.map((s) => (s ?? []).join("x")).join(",")}` : k.name;
        calls.push({ name, ms: (await k.kernelTimeMs) as number });
      }
      fastest = fastest?.map((f, i) => ({ name: f.name, ms: Math.min(f.ms, calls[i]?.ms ?? f.ms) })) ?? calls;
    }
  } finally {
    tf.env().set("CHECK_COMPUTATION_FOR_ERRORS", checks);
    backend.time = wallTime;
  }
  const totals = new Map<string, number>();
  for (const { name, ms } of fastest ?? []) totals.set(name, (totals.get(name) ?? 0) + ms);
  const perStep: Record<string, number> = {};
  let kernelSum = 0;
  for (const [name, total] of [...totals].sort((a, b) => b[1] - a[1])) {
    kernelSum += total;
    if (total >= 0.1) perStep[name] = +total.toFixed(2);
  }
  perStep.allKernels = +kernelSum.toFixed(2);
  perStep.stepWall = +wall.toFixed(2);
  return perStep;
}

/**
 * Where a training step's wall time went with the kernel threads, per step
 * over `steps` steps (no tf.profile, which would time each kernel alone):
 * the main thread writing the workers' calls, running chunks, waiting for
 * the workers' last chunks, running chunks alone (work too small to share),
 * and everything else (JavaScript, tfjs, single-threaded kernels); each
 * worker's time running chunks; rounds (parallel regions) per step.
 */
export function threadTimesPerStep(step: () => tf.Scalar, steps = 10): Record<string, number | number[]> {
  const before = { ...threadTimes };
  const busyBefore = workerBusyMs();
  const start = performance.now();
  for (let s = 0; s < steps; s++) {
    const loss = step();
    if (s === steps - 1) loss.dataSync();
    loss.dispose();
  }
  const stepMs = (performance.now() - start) / steps;
  const per = (k: keyof typeof threadTimes) => (threadTimes[k] - before[k]) / steps;
  const inRunChunks = per("writeMs") + per("mainChunksMs") + per("waitMs") + per("aloneMs");
  const round = (v: number) => +v.toFixed(2);
  return {
    stepMs: round(stepMs),
    roundsPerStep: round(per("rounds")),
    writeMs: round(per("writeMs")),
    mainChunksMs: round(per("mainChunksMs")),
    waitMs: round(per("waitMs")),
    aloneMs: round(per("aloneMs")),
    otherMs: round(stepMs - inRunChunks),
    workerChunksMs: workerBusyMs().map((ms, i) => round((ms - (busyBefore[i] ?? 0)) / steps)),
  };
}

/**
 * The kernel threads' speed-up measured in one process: `rounds` times, a
 * few steps with one kernel thread and a few with `threads` (in turn
 * first), so that both see the machine in the same moment; a shared
 * machine drifts between the separate processes of the interleaved rounds.
 * The wasm backend must have started with `threads` threads (the threaded
 * build); XNNPACK's own kernels keep their pool on both sides. Milliseconds
 * per step (medians), and the median of each round's ratio.
 */
export async function alternateThreads(step: () => tf.Scalar, threads: number, rounds: number, stepsPerTurn = 5): Promise<Record<string, number>> {
  const ms: Record<number, number[]> = { 1: [], [threads]: [] };
  const time = () => {
    const start = performance.now();
    for (let s = 0; s < stepsPerTurn; s++) {
      const loss = step();
      if (s === stepsPerTurn - 1) loss.dataSync();
      loss.dispose();
    }
    return (performance.now() - start) / stepsPerTurn;
  };
  for (let r = 0; r < rounds; r++) {
    for (const count of r % 2 === 0 ? [1, threads] : [threads, 1]) {
      setKernelThreads(count);
      step().dispose();
      // A restarted worker binds the kernels before it takes chunks.
      await new Promise((done) => setTimeout(done, 50));
      step().dispose();
      ms[count].push(time());
    }
  }
  setKernelThreads(threads);
  return {
    msPerStepOneThread: +median(ms[1]).toFixed(1),
    msPerStep: +median(ms[threads]).toFixed(1),
    speedup: +median(ms[1].map((one, i) => one / ms[threads][i])).toFixed(3),
    rounds,
  };
}
