/**
 * Chart rendering speed. Targets (issue 5): a 500-point line chart to SVG in
 * at most 50 ms and a 10×10 confusion matrix in at most 50 ms (median). Each
 * iteration builds a fresh chart (spec → vega-lite compile → vega dataflow →
 * SVG string), as a new chart or a live update does. Also measured: the
 * first (cold) render, PNG rasterization, every example chart type, and the
 * share of a 2,000-step loop's time that a live chart spends drawing.
 *
 *   npm run bench -- charts [--iterations 60]
 */
import type { Benchmark } from "./run";
import { numberFlag } from "./support/options";
import { HOST, type NotebookHost } from "../lib/display";
import { confusionMatrixChart, lineChart, liveChart, type Chart } from "../lib/charts";
import { chartExamples, exampleConfusionMatrix, FASHION_CLASSES } from "../tests/charts/examples";
import { median } from "./support/median";


const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * Wall time per render (the target), and this process's CPU time per render,
 * which other processes on the machine disturb less than wall time.
 */
function timeRenders(make: () => Chart, iterations: number): Record<string, number> {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    make().toSVG();
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  const [cold, ...warm] = times;
  const sorted = [...warm].sort((a, b) => a - b);
  return {
    coldMs: round(cold),
    medianMs: round(median(warm)),
    p90Ms: round(sorted[Math.floor(0.9 * (sorted.length - 1))]),
    minMs: round(sorted[0]),
    medianCpuMs: round(median(cpu.slice(1))),
  };
}

/**
 * A fixed amount of computation standing in for a training step. Fixed work
 * rather than a fixed wall time, so that when other processes take the CPU
 * both loops slow down alike.
 */
function work(iterations: number): number {
  let x = 0;
  for (let i = 0; i < iterations; i++) x += Math.sqrt(x + i);
  return x;
}

/** How many work() iterations take about `ms` milliseconds on this machine now. */
function calibrate(ms: number): number {
  let iterations = 10_000;
  for (;;) {
    const start = performance.now();
    work(iterations);
    const took = performance.now() - start;
    if (took > 50) return Math.round((iterations * ms) / took);
    iterations *= 2;
  }
}

function liveLoopOverhead(steps: number, stepMs: number): Record<string, number> {
  const sent: number[] = [];
  const host: NotebookHost = {
    display: () => sent.push(performance.now()),
    clearOutput: () => undefined,
    signal: new AbortController().signal,
    input: async () => "",
    headless: false,
  };
  const globals = globalThis as Record<symbol, unknown>;
  const previous = globals[HOST];
  globals[HOST] = host;
  try {
    const iterations = calibrate(stepMs);
    const loop = (withChart: boolean) => {
      const live = withChart
        ? liveChart((s: readonly { step: number; loss: number }[]) => lineChart({ loss: s.map((p) => ({ x: p.step, y: p.loss })) }))
        : undefined;
      const start = performance.now();
      for (let step = 1; step <= steps; step++) {
        work(iterations);
        live?.push({ step, loss: 1 / step });
      }
      live?.done();
      return { ms: performance.now() - start, drawMs: live?.drawMilliseconds ?? 0, updates: live?.updates ?? 0 };
    };
    // Side by side, alternating, so machine noise hits both alike.
    const plain: number[] = [];
    const charted: number[] = [];
    let last = { ms: 0, drawMs: 0, updates: 0 };
    for (let round = 0; round < 5; round++) {
      plain.push(loop(false).ms);
      sent.length = 0;
      last = loop(true);
      charted.push(last.ms);
    }
    const base = median(plain);
    const withChart = median(charted);
    return {
      loopMs: Math.round(base),
      loopWithLiveChartMs: Math.round(withChart),
      overheadPercent: round(((withChart - base) / base) * 100),
      // From the last loop with a chart: draw time includes the first
      // display and the final done(), which the throttle does not pace.
      lastLoopMs: Math.round(last.ms),
      lastLoopDrawMs: Math.round(last.drawMs),
      drawPercentOfLoop: round((last.drawMs / last.ms) * 100),
      updates: last.updates,
      updatesPerSecond: round(last.updates / (last.ms / 1000)),
    };
  } finally {
    globals[HOST] = previous;
  }
}

const benchmark: Benchmark = {
  description: "Chart render speed: 500-point line and 10×10 confusion matrix to SVG (target ≤ 50 ms median), live-chart overhead",
  options: { iterations: "N: renders of each chart timed (default 60)" },
  async run(flags) {
    const iterations = numberFlag(flags, "iterations", 60);
    const values = Array.from({ length: 500 }, (_, i) => Math.exp(-i / 100) + 0.05 * Math.sin(i));
    const line500 = timeRenders(() => lineChart({ loss: values }, { yTitle: "loss" }), iterations);
    const matrix = exampleConfusionMatrix();
    const confusion10 = timeRenders(() => confusionMatrixChart(matrix, FASHION_CLASSES), iterations);

    const pngTimes: number[] = [];
    const chart = lineChart({ loss: values });
    chart.toSVG();
    for (let i = 0; i < 10; i++) {
      const start = performance.now();
      await chart.toPNG({ scale: 2 });
      pngTimes.push(performance.now() - start);
    }

    const examples = await chartExamples();
    const perType: Record<string, number> = {};
    for (const [name, example] of Object.entries(examples)) {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        // withTheme gives a new chart with nothing rendered yet.
        const fresh = example.withTheme(i % 2 ? "light" : "dark");
        const start = performance.now();
        await fresh.render();
        times.push(performance.now() - start);
      }
      perType[name] = round(median(times));
    }

    const { loadavg } = await import("node:os");
    return {
      benchmark: "charts",
      iterations,
      loadAverage1m: round(loadavg()[0]),
      line500,
      confusion10,
      targetsMet: line500.medianMs <= 50 && confusion10.medianMs <= 50,
      pngScale2MedianMs: round(median(pngTimes)),
      medianRenderMsByType: perType,
      liveLoop2000Steps: liveLoopOverhead(2000, 2),
    };
  },
};

export default benchmark;
