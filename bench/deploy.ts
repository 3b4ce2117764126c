/**
 * `npm run bench -- deploy [--seconds S] [--rounds R]` (defaults 2 s per engine and batch size, 5 rounds):
 * LeNet (the trained test fixture) in tfjs on the default backend against
 * onnxruntime FP32, FP16 and INT8 at batch 32, plus INT8's accuracy drop on
 * the held-out MNIST digits. Goal: onnxruntime FP32 ≥ 3× tfjs.
 *
 * Fusion: the FP32 graph optimised by onnxruntime at each level (disabled,
 * basic, extended, layout, all), its node count and what the level fused,
 * and its speed at batch 1 and 32, the levels timed in interleaved rounds.
 *
 * All engines run in interleaved rounds in one process, so load from other
 * processes on this shared machine hits them alike. Throughput is the median
 * round; the best round (least disturbed) is reported too.
 */
import { loadavg } from "node:os";
import * as tf from "@tensorflow/tfjs";
import type { Benchmark } from "./run";
import { numberFlag } from "./support/options";
import { compareOptimizationLevels, describeChanges, quantizeFp16, quantizeInt8, toOnnx, verifyOnnx } from "../lib/deploy";
import { Engine, measureInterleaved, onnxEngine, tfjsEngine } from "../lib/deploy/benchmark-inference";
import { FIXTURE_TRAINING, asSamples, mnistDigits, trainedModel } from "../tests/deploy/fixtures";

const benchmark: Benchmark = {
  description: "LeNet inference: tfjs (default backend) vs onnxruntime FP32/FP16/INT8 at batch 32, and INT8 accuracy drop",
  options: {
    seconds: "S: seconds of timing per engine and batch size, shared among the rounds (default 2)",
    rounds: "R: interleaved rounds (default 5)",
  },
  async run(flags) {
    const rounds = numberFlag(flags, "rounds", 5);
    const seconds = numberFlag(flags, "seconds", 2);
    const { model, heldOutAccuracy, cached, trainingSeconds } = await trainedModel();
    const digits = mnistDigits();
    const heldOut = asSamples(digits.heldOut);
    const calibration = asSamples(digits.train, 500);

    const fp32 = toOnnx(model, { dynamicBatch: true });
    const fp16 = quantizeFp16(fp32);
    const int8 = await quantizeInt8(fp32, calibration, { method: "percentile" });
    const fp32Check = await verifyOnnx(model, fp32, heldOut);
    const fp16Check = await verifyOnnx(model, fp16.bytes, heldOut, { tolerance: 1e-2 });
    const int8Check = await verifyOnnx(model, int8.bytes, heldOut, { tolerance: 1 });

    const batches = [1, 32];
    const engines: Engine[] = [
      tfjsEngine(model, batches),
      // convlab's defaults: all cores, no spinning, the faster optimization level for this model.
      await onnxEngine(fp32, "fp32", batches, { optimization: "auto" }, "FP32"),
      await onnxEngine(fp16.bytes, "fp16", batches, { optimization: "auto" }, "FP16"),
      await onnxEngine(int8.bytes, "int8", batches, { optimization: "auto" }, "INT8"),
      // For comparison: onnxruntime's own defaults (spinning threads, level "all"), and one thread like tfjs-wasm.
      await onnxEngine(fp32, "fp32", batches, { optimization: "all", allowSpinning: true }, "FP32 ort defaults"),
      await onnxEngine(fp32, "fp32", batches, { optimization: "auto", threads: 1 }, "FP32 1 thread"),
    ];
    const load = loadavg()[0];
    // --seconds: timed seconds per engine and batch size, over all rounds.
    const rows = await measureInterleaved(engines, batches, seconds / rounds, rounds);
    for (const e of engines) await e.release();
    const fusion = await compareOptimizationLevels(fp32, { batchSizes: batches, seconds, rounds });

    const row = (label: string, batch: number) => rows.find((r) => r.label === label && r.batch === batch);
    const tfjsRow = (batch: number) => rows.find((r) => r.engine.startsWith("tfjs") && r.batch === batch);
    const median = (label: string, batch = 32) => Math.round((label === "tfjs" ? tfjsRow(batch) : row(label, batch))?.imagesPerSecond ?? NaN);
    const best = (label: string, batch = 32) => Math.round((label === "tfjs" ? tfjsRow(batch) : row(label, batch))?.bestImagesPerSecond ?? NaN);
    const labels = ["tfjs", "FP32", "FP16", "INT8", "FP32 ort defaults", "FP32 1 thread"];
    const drop = 100 * ((fp32Check.onnxAccuracy as number) - (int8Check.onnxAccuracy as number));
    heldOut.x.dispose();
    calibration.x.dispose();
    return {
      tfjsImgPerSec: median("tfjs"),
      ortFp32ImgPerSec: median("FP32"),
      ortFp16ImgPerSec: median("FP16"),
      ortInt8ImgPerSec: median("INT8"),
      int8AccuracyDrop: Number(drop.toFixed(2)),
      batch: 32,
      ortFp32OverTfjs: Number((median("FP32") / median("tfjs")).toFixed(2)),
      ortFp32OverTfjsBestRound: Number((best("FP32") / best("tfjs")).toFixed(2)),
      imgPerSecBatch32: Object.fromEntries(labels.map((l) => [l, { median: median(l), bestRound: best(l) }])),
      imgPerSecBatch1: Object.fromEntries(labels.map((l) => [l, { median: median(l, 1), bestRound: best(l, 1) }])),
      latencyMsBatch32: Object.fromEntries(labels.map((l) => {
        const r = l === "tfjs" ? tfjsRow(32) : row(l, 32);
        return [l, { p50: Number(r?.latencyP50Ms.toFixed(2)), p99: Number(r?.latencyP99Ms.toFixed(2)) }];
      })),
      accuracyPercent: {
        fp32: Number((100 * (fp32Check.onnxAccuracy as number)).toFixed(2)),
        fp16: Number((100 * (fp16Check.onnxAccuracy as number)).toFixed(2)),
        int8: Number((100 * (int8Check.onnxAccuracy as number)).toFixed(2)),
      },
      top1AgreementWithTfjsPercent: { fp16: Number((100 * fp16Check.top1Agreement).toFixed(2)), int8: Number((100 * int8Check.top1Agreement).toFixed(2)) },
      fusion: {
        originalNodes: fusion.original.nodes,
        levels: Object.fromEntries(
          fusion.levels.map((l) => [
            l.level,
            {
              nodes: l.nodes,
              changes: describeChanges(l) || "none",
              imgPerSecBatch1: Math.round(l.timing.find((t) => t.batch === 1)!.imagesPerSecond),
              imgPerSecBatch32: Math.round(l.timing.find((t) => t.batch === 32)!.imagesPerSecond),
              msPerCallBatch1: Number(l.timing.find((t) => t.batch === 1)!.latencyP50Ms.toFixed(3)),
            },
          ]),
        ),
        note: "each level's changes are relative to the level before; levels timed in interleaved rounds (median round)",
      },
      fp32MaxAbsDiff: fp32Check.maxAbsDiff,
      heldOutImages: heldOut.y.length,
      int8Calibration: "percentile 99.99 on 500 training digits",
      modelBytes: { fp32: fp32.sizeBytes, fp16: fp16.sizeBytes, int8: int8.sizeBytes },
      tfjsBackend: tf.getBackend(),
      ortSettings: "all cores, no spinning, faster of optimization levels all/extended, unless labelled",
      model: `${FIXTURE_TRAINING.architecture}${FIXTURE_TRAINING.freezeConvolutions ? " (random frozen convolutions, trained dense layers)" : ""}`,
      fixture: cached ? "cached" : `trained in ${trainingSeconds.toFixed(0)} s`,
      fixtureHeldOutAccuracy: Number((100 * heldOutAccuracy).toFixed(2)),
      loadAverageBeforeAfter: [Number(load.toFixed(2)), Number(loadavg()[0].toFixed(2))],
    };
  },
};

export default benchmark;
