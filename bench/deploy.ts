/**
 * `npm run bench -- deploy [--seconds S] [--rounds R] [--threads T]`:
 * LeNet (the trained test fixture) in tfjs on the default backend against
 * onnxruntime FP32, FP16 and INT8 at batch 32, plus INT8's accuracy drop on
 * the held-out MNIST digits. Goal: onnxruntime FP32 ≥ 3× tfjs.
 */
import { loadavg } from "node:os";
import * as tf from "@tensorflow/tfjs";
import type { Benchmark } from "./run";
import { benchmarkInference, quantizeFp16, quantizeInt8, toOnnx, verifyOnnx } from "../lib/deploy";
import { FIXTURE_TRAINING, asSamples, mnistDigits, trainedModel } from "../tests/deploy/fixtures";

function flag(args: string[], name: string): number | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : undefined;
}

const benchmark: Benchmark = {
  description: "LeNet inference: tfjs (default backend) vs onnxruntime FP32/FP16/INT8 at batch 32, and INT8 accuracy drop",
  async run(args) {
    const { model, heldOutAccuracy, cached, trainingSeconds } = await trainedModel();
    const digits = mnistDigits();
    const heldOut = asSamples(digits.heldOut);
    const calibration = asSamples(digits.train, 500);

    const fp32 = toOnnx(model, { dynamicBatch: true });
    const fp16 = quantizeFp16(fp32);
    const int8 = await quantizeInt8(fp32, calibration, { method: "percentile" });
    const fp32Check = await verifyOnnx(model, fp32, heldOut);
    const int8Check = await verifyOnnx(model, int8.bytes, heldOut, { tolerance: 1 });
    const fp16Check = await verifyOnnx(model, fp16.bytes, heldOut, { tolerance: 1e-2 });

    const threads = flag(args, "threads");
    const speed = await benchmarkInference(model, {
      batchSizes: [1, 32],
      models: { fp32, fp16: fp16.bytes, int8: int8.bytes },
      seconds: flag(args, "seconds") ?? 6,
      rounds: flag(args, "rounds") ?? 3,
      threads,
    });
    const at32 = (engine: "tfjs" | "onnxruntime", precision: "fp32" | "fp16" | "int8") => Math.round(speed.find(engine, precision, 32)?.imagesPerSecond ?? NaN);
    const at1 = (engine: "tfjs" | "onnxruntime", precision: "fp32" | "fp16" | "int8") => Math.round(speed.find(engine, precision, 1)?.imagesPerSecond ?? NaN);
    const drop = 100 * ((fp32Check.onnxAccuracy as number) - (int8Check.onnxAccuracy as number));
    heldOut.x.dispose();
    calibration.x.dispose();
    return {
      tfjsImgPerSec: at32("tfjs", "fp32"),
      ortFp32ImgPerSec: at32("onnxruntime", "fp32"),
      ortFp16ImgPerSec: at32("onnxruntime", "fp16"),
      ortInt8ImgPerSec: at32("onnxruntime", "int8"),
      int8AccuracyDrop: Number(drop.toFixed(2)),
      ortFp32OverTfjs: Number(speed.speedup("fp32", 32).toFixed(2)),
      batch: 32,
      batch1ImgPerSec: { tfjs: at1("tfjs", "fp32"), ortFp32: at1("onnxruntime", "fp32"), ortFp16: at1("onnxruntime", "fp16"), ortInt8: at1("onnxruntime", "int8") },
      latencyP50MsBatch32: Object.fromEntries(speed.rows.filter((r) => r.batch === 32).map((r) => [`${r.engine.split(" ")[0]}-${r.precision}`, Number(r.latencyP50Ms.toFixed(2))])),
      fp32Accuracy: Number((100 * (fp32Check.onnxAccuracy as number)).toFixed(2)),
      fp16Accuracy: Number((100 * (fp16Check.onnxAccuracy as number)).toFixed(2)),
      int8Accuracy: Number((100 * (int8Check.onnxAccuracy as number)).toFixed(2)),
      int8Top1Agreement: Number((100 * int8Check.top1Agreement).toFixed(2)),
      fp32MaxAbsDiff: fp32Check.maxAbsDiff,
      heldOutImages: heldOut.y.length,
      tfjsBackend: tf.getBackend(),
      ortThreads: threads ?? "default",
      model: `${FIXTURE_TRAINING.architecture}${FIXTURE_TRAINING.freezeConvolutions ? " (random frozen convolutions, trained dense layers)" : ""}`,
      fixtureHeldOutAccuracy: Number((100 * heldOutAccuracy).toFixed(2)),
      fixture: cached ? "cached" : `trained in ${trainingSeconds.toFixed(0)} s`,
      loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
    };
  },
};

export default benchmark;
