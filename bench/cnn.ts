/**
 * `npm run bench -- cnn [options]`: training and inference throughput of the
 * three networks of shared/bench/torch_cnn.py (lenet, vgg32, vgg64), built
 * with convlab on its default backend, against that PyTorch script run side
 * by side, at 1 thread and at 2 threads.
 *
 * Same work as the peer: the same layers (NHWC here), random normal images
 * and labels, batch 64, plain SGD (lr 0.01), one timed epoch of training
 * (lenet 8192 images, vgg32 2048, vgg64 512), then inference in batches of
 * 256. Each measurement runs in a fresh process (the wasm backend's thread
 * count is fixed once it starts, and peak RSS is per process). Rounds are
 * interleaved: every round runs, for each network, the peer's at the first
 * thread count, ours at each thread count, then the peer's at the others
 * (1 and 2 threads: peer 1, ours 1, ours 2, peer 2), so that every pair the
 * JSON compares (ours and the peer's at one thread count, ours at 2 threads
 * and at 1) ran back to back; the JSON has the medians.
 *
 * Options: see `options` below (`npm run bench -- cnn --help`).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Benchmark } from "./run";
import { backendInfo, useBackend } from "../lib/backend";
import { conv, dense, maxPool, sequential } from "../lib/models";
import { peakRssMb, randomData, trainStep } from "./support/lenet";
import { Flags, numberFlag, OptionError, textFlag } from "./support/options";
import { alternateThreads, profileSteps, threadTimesPerStep } from "./support/profile";
import { median } from "./support/median";

export type CnnName = "lenet" | "vgg32" | "vgg64";
const NAMES: readonly CnnName[] = ["lenet", "vgg32", "vgg64"];

interface CnnSpec {
  inputShape: [number, number, number];
  /** Images per epoch, as the peer's default. */
  images: number;
  build(seed: number): tf.LayersModel;
}

/** Two 3x3 "same" convolutions with ReLU, then 2x2 max-pooling (the peer's `block`). */
function block(filters: number) {
  return [
    conv({ filters, kernel: 3, padding: "same", activation: "relu" }),
    conv({ filters, kernel: 3, padding: "same", activation: "relu" }),
    maxPool(2),
  ];
}

/** The networks of torch_cnn.py, layer for layer. */
export const CNNS: Record<CnnName, CnnSpec> = {
  lenet: {
    inputShape: [28, 28, 1],
    images: 8192,
    build: (seed) =>
      sequential(
        [
          conv({ filters: 20, kernel: 5 }),
          maxPool(2),
          conv({ filters: 50, kernel: 5 }),
          maxPool(2),
          dense({ units: 500, activation: "relu" }),
          dense({ units: 10 }),
        ],
        { inputShape: [28, 28, 1], seed, name: "lenet" },
      ),
  },
  vgg32: {
    inputShape: [32, 32, 3],
    images: 2048,
    build: (seed) =>
      sequential([...block(32), ...block(64), dense({ units: 256, activation: "relu" }), dense({ units: 10 })], {
        inputShape: [32, 32, 3],
        seed,
        name: "vgg32",
      }),
  },
  vgg64: {
    inputShape: [64, 64, 3],
    images: 512,
    build: (seed) =>
      sequential(
        [...block(32), ...block(64), ...block(128), dense({ units: 256, activation: "relu" }), dense({ units: 10 })],
        { inputShape: [64, 64, 3], seed, name: "vgg64" },
      ),
  },
};

export interface Measurement {
  trainImgPerSec: number;
  inferImgPerSec: number;
  peakRssMb: number;
}

interface ChildRequest {
  model: CnnName;
  threads: number;
  images: number;
  batch: number;
  profile?: boolean;
  /** Rounds of alternateThreads (see ./support/profile) instead of a measurement. */
  alternate?: number;
}

/** Runs in a child process: one network, one thread count; prints one JSON line. */
async function measureOne(request: ChildRequest): Promise<Record<string, unknown>> {
  const spec = CNNS[request.model];
  await useBackend(undefined, { threads: request.threads });
  const info = backendInfo();
  const [h, w, c] = spec.inputShape;
  const pixelsPerImage = h * w * c;
  const { images, batch } = request;
  const { pixels, labels } = randomData(images, pixelsPerImage);
  const model = spec.build(0);
  const optimizer = tf.train.sgd(0.01);
  const steps = Math.floor(images / batch);
  const batchAt = (s: number) => {
    const x = tf.tensor4d(pixels.subarray(s * batch * pixelsPerImage, (s + 1) * batch * pixelsPerImage), [batch, h, w, c]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels.subarray(s * batch, (s + 1) * batch), "int32"), 10));
    return { x, y };
  };
  const train = (count: number): number => {
    const start = performance.now();
    let last: tf.Scalar | undefined;
    for (let s = 0; s < count; s++) {
      const { x, y } = batchAt(s % steps);
      last?.dispose();
      last = trainStep(model, optimizer, x, y);
      tf.dispose([x, y]);
    }
    last?.dataSync();
    last?.dispose();
    return (count * batch) / ((performance.now() - start) / 1000);
  };
  const infer = (count: number): number => {
    const inferBatch = 256;
    const start = performance.now();
    for (let i = 0; i < count; i += inferBatch) {
      const n = Math.min(inferBatch, count - i);
      tf.tidy(() => {
        const x = tf.tensor4d(pixels.subarray(i * pixelsPerImage, (i + n) * pixelsPerImage), [n, h, w, c]);
        // batchSize: predict() would otherwise split the batch into its default 32s.
        (model.predict(x, { batchSize: inferBatch }) as tf.Tensor).dataSync();
      });
    }
    return count / ((performance.now() - start) / 1000);
  };

  const result: Record<string, unknown> = { model: request.model, backend: info.backend, threads: info.threads, simd: info.simd };
  if (request.profile) {
    train(Math.min(steps, 3));
    const { x, y } = batchAt(0);
    const step = () => trainStep(model, optimizer, x, y);
    const cpuTime = request.threads === 1;
    result.timing = cpuTime ? "process CPU time (1 thread)" : "wall time";
    result.kernelMsPerStep = await profileSteps(step, { repeats: 5, cpuTime });
    result.kernelShapeMsPerStep = await profileSteps(step, { repeats: 5, byShape: true, cpuTime });
    result.threadMsPerStep = threadTimesPerStep(step, 10);
    tf.dispose([x, y]);
  } else if (request.alternate) {
    train(Math.min(steps, 5));
    const { x, y } = batchAt(0);
    result.alternate = await alternateThreads(() => trainStep(model, optimizer, x, y), request.threads, request.alternate);
    tf.dispose([x, y]);
  } else {
    train(Math.min(steps, 5)); // warm-up: JIT, heap growth
    infer(Math.min(images, 256));
    result.trainImgPerSec = +train(steps).toFixed(1);
    result.inferImgPerSec = +infer(images).toFixed(1);
  }
  result.peakRssMb = peakRssMb();
  model.dispose();
  optimizer.dispose();
  return result;
}


/** Where torch_cnn.py is: CONVLAB_TORCH_CNN, else shared/bench beside the repository (or an ancestor). */
function findPeer(): string | null {
  const fromEnv = process.env.CONVLAB_TORCH_CNN;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  for (let dir = resolve(__dirname, "..", ".."); ; dir = dirname(dir)) {
    const candidate = join(dir, "shared", "bench", "torch_cnn.py");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** A finished process's last line of output as JSON, or an error naming the command. */
function lastJson(command: string, args: string[], ended: { status: number | null; signal: string | null; stdout: string; stderr: string }, timeoutMs: number): Record<string, unknown> {
  if (ended.signal) throw new Error(`${command} ${args.join(" ")} was stopped (${ended.signal}) after ${Math.round(timeoutMs / 1000)} s, the time left`);
  const last = ended.stdout.trim().split("\n").pop() ?? "";
  if (ended.status !== 0 || !last.startsWith("{")) {
    const why = (ended.stderr || `exit ${ended.status}`).trim().split("\n").slice(-3).join(" | ");
    throw new Error(`${command} ${args.join(" ")} failed: ${why}`);
  }
  return JSON.parse(last) as Record<string, unknown>;
}

function runJson(command: string, args: string[], timeoutMs: number): Record<string, unknown> {
  const run = spawnSync(command, args, { encoding: "utf8", timeout: Math.max(1000, Math.round(timeoutMs)), maxBuffer: 64 << 20 });
  return lastJson(command, args, { status: run.status, signal: run.signal, stdout: run.stdout ?? "", stderr: run.stderr || run.error?.message || "" }, timeoutMs);
}

/** runJson without waiting: for processes side by side. */
function runJsonInBackground(command: string, args: string[], timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], timeout: Math.max(1000, Math.round(timeoutMs)) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status, signal) => {
      try {
        resolvePromise(lastJson(command, args, { status, signal, stdout, stderr }, timeoutMs));
      } catch (error) {
        reject(error);
      }
    });
  });
}

const OURS_TIMEOUT_MS = 1_800_000;

function ours(request: ChildRequest, timeoutMs = OURS_TIMEOUT_MS): Record<string, unknown> {
  return runJson(process.execPath, [__filename, JSON.stringify(request)], timeoutMs);
}

function oursInBackground(request: ChildRequest): Promise<Record<string, unknown>> {
  return runJsonInBackground(process.execPath, [__filename, JSON.stringify(request)], OURS_TIMEOUT_MS);
}

/** Per network: 1-thread training alone, then two at once, `rounds` times; the pair's img/s over the lone one's. */
async function coRun(models: CnnName[], rounds: number, imagesFor: (m: CnnName) => number, batch: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const loads: Record<string, number[]> = {};
  for (const model of models) {
    const request: ChildRequest = { model, threads: 1, images: imagesFor(model), batch };
    const alone: number[] = [];
    const pair: number[] = [];
    loads[model] = [];
    for (let r = 0; r < rounds; r++) {
      loads[model].push(loadAverage()[0]);
      alone.push(Number(ours(request).trainImgPerSec));
      const both = await Promise.all([oursInBackground(request), oursInBackground(request)]);
      pair.push(both.reduce((sum, m) => sum + Number(m.trainImgPerSec), 0));
      process.stderr.write(`co-run round ${r + 1}/${rounds} ${model}: alone ${alone.at(-1)} img/s, two at once ${pair.at(-1)} img/s together\n`);
    }
    out[model] = {
      aloneTrainImgPerSec: +median(alone).toFixed(1),
      pairTrainImgPerSec: +median(pair).toFixed(1),
      coRunSpeedup: +median(pair.map((p, i) => p / alone[i])).toFixed(3),
    };
  }
  return { coRun: out, rounds, loadAverageAtEachRound: loads, loadAverage: loadAverage() };
}

function peer(script: string, model: CnnName, threads: number, images: number, batch: number, timeoutMs: number): Record<string, unknown> {
  const python = process.env.CONVLAB_PYTHON ?? "/usr/bin/python3";
  const args = [script, "--model", model, "--threads", String(threads), "--images", String(images), "--batch", String(batch)];
  return runJson(python, args, timeoutMs);
}

function loadAverage(): number[] {
  return (require("node:os") as typeof import("node:os")).loadavg().map((l) => +l.toFixed(2));
}

const benchmark: Benchmark = {
  description: "lenet/vgg32/vgg64 training and inference img/s at 1 and 2 threads, against PyTorch (torch_cnn.py) interleaved",
  options: {
    rounds: "N: interleaved rounds (default 3)",
    threads: "1,2: the thread counts to measure (default 1,2; each 1..8)",
    models: "lenet,vgg32,vgg64: the networks (default all three)",
    "max-minutes": "M: a measurement starts only if, judging by its last run, it ends within M minutes of the start; one running past it is stopped, and the JSON says where (default 14)",
    images: "N: training images per network (default the peer's: lenet 8192, vgg32 2048, vgg64 512)",
    batch: "N: training batch size (default 64, as the peer)",
    "no-peer": "skip PyTorch",
    profile: "per-kernel ms per training step, by kernel and by kernel and shape, and where a step's wall time went among the kernel threads (threadMsPerStep), at the first thread count; no peer, no rounds",
    alternate: "the speed-up of more kernel threads in one process: per network, --rounds turns of 5 steps with 1 kernel thread and 5 with the last of --threads, back to back, on the threaded build; no peer",
    "co-run": "the machine's own limit for a second thread: per network and round, one 1-thread training alone, then two at once in separate processes; coRunSpeedup is the pair's img/s over the lone one's, what two perfectly split threads could reach; no peer",
  },
  async run(flags: Flags): Promise<Record<string, unknown>> {
    const rounds = numberFlag(flags, "rounds", 3);
    const batch = numberFlag(flags, "batch", 64);
    const list = (name: string, fallback: string) => (textFlag(flags, name) ?? fallback).split(",").filter(Boolean);
    const threadCounts = list("threads", "1,2").map(Number);
    const models = list("models", NAMES.join(",")) as CnnName[];
    for (const m of models) if (!NAMES.includes(m)) throw new OptionError(`--models: unknown network "${m}"; use ${NAMES.join(", ")}.`);
    for (const t of threadCounts) if (!Number.isInteger(t) || t < 1 || t > 8) throw new OptionError(`--threads: ${t} is not 1..8.`);
    const imagesFor = (m: CnnName) => (flags.has("images") ? numberFlag(flags, "images", 0) : CNNS[m].images);

    if (flags.has("profile")) {
      const profiles: Record<string, unknown> = {};
      for (const model of models) {
        profiles[model] = ours({ model, threads: threadCounts[0], images: imagesFor(model), batch, profile: true });
      }
      return { profile: profiles, threads: threadCounts[0], loadAverage: loadAverage() };
    }

    if (flags.has("co-run")) return coRun(models, rounds, imagesFor, batch);

    if (flags.has("alternate")) {
      const threads = threadCounts.at(-1)!;
      if (threads < 2) throw new OptionError("--alternate compares 1 kernel thread with more: give --threads 1,2 (the default) or more.");
      const alternate: Record<string, unknown> = {};
      for (const model of models) alternate[model] = ours({ model, threads, images: imagesFor(model), batch, alternate: rounds }).alternate;
      return { alternate, threads, loadAverage: loadAverage() };
    }

    const script = flags.has("no-peer") ? null : findPeer();
    const samples = new Map<string, { ours: Measurement[]; peer: Measurement[]; load: number[][] }>();
    let peerName: string | undefined;
    // A time budget, so that a loaded machine gives fewer measurements (and says so) rather than no answer:
    // a pair (ours and the peer's) starts only if, judging by its last run, it ends within the budget.
    const budgetMs = numberFlag(flags, "max-minutes", 14) * 60_000;
    const started = performance.now();
    const lastPairMs = new Map<string, number>();
    let stopped: string | undefined;
    // Within a round, one network's runs back to back, ours at its thread counts next to each other (the
    // speed-up compares them) and each next to the peer's at the same count: the machine drifts over minutes.
    measuring: for (let r = 0; r < rounds; r++) {
      for (const model of models) {
        for (const threads of threadCounts) {
          const key = `${threads}/${model}`;
          const left = budgetMs - (performance.now() - started);
          if (left < (lastPairMs.get(key) ?? 0) || left <= 0) {
            stopped = `stopped before round ${r + 1} ${key}: it would not have ended within --max-minutes ${budgetMs / 60_000}`;
            break measuring;
          }
          const entry = samples.get(key) ?? { ours: [], peer: [], load: [] };
          const images = imagesFor(model);
          const pairStart = performance.now();
          try {
            const load = loadAverage();
            const runPeer = () => (script ? peer(script, model, threads, images, batch, left - (performance.now() - pairStart)) : undefined);
            // The peer's run before ours at the first thread count, after ours at the others.
            const peerFirst = threads === threadCounts[0];
            let p = peerFirst ? runPeer() : undefined;
            const o = ours({ model, threads, images, batch }, left - (performance.now() - pairStart)) as unknown as Measurement;
            if (!peerFirst) p = runPeer();
            entry.load.push(load);
            entry.ours.push(o);
            if (p) {
              peerName = String(p.peer);
              entry.peer.push(p as unknown as Measurement);
            }
          } catch (error) {
            stopped = `stopped at round ${r + 1} ${key}: ${error instanceof Error ? error.message : String(error)}`;
            break measuring;
          }
          samples.set(key, entry);
          lastPairMs.set(key, performance.now() - pairStart);
          process.stderr.write(`round ${r + 1}/${rounds} ${key}: ours ${JSON.stringify(entry.ours.at(-1))} peer ${JSON.stringify(entry.peer.at(-1) ?? null)}\n`);
        }
      }
    }

    const summarize = (threads: number) => {
      const out: Record<string, Record<string, number | number[]>> = {};
      for (const model of models) {
        const e = samples.get(`${threads}/${model}`);
        if (!e) continue;
        const m = (list: Measurement[], k: keyof Measurement) => +median(list.map((x) => x[k])).toFixed(1);
        const row: Record<string, number> = {
          trainImgPerSec: m(e.ours, "trainImgPerSec"),
          inferImgPerSec: m(e.ours, "inferImgPerSec"),
          peakRssMb: m(e.ours, "peakRssMb"),
        };
        if (e.peer.length > 0) {
          row.peerTrainImgPerSec = m(e.peer, "trainImgPerSec");
          row.peerInferImgPerSec = m(e.peer, "inferImgPerSec");
          // The ratio of each round's pair (measured back to back), then the median.
          row.trainRatio = +median(e.ours.map((o, i) => o.trainImgPerSec / e.peer[i].trainImgPerSec)).toFixed(3);
          row.inferRatio = +median(e.ours.map((o, i) => o.inferImgPerSec / e.peer[i].inferImgPerSec)).toFixed(3);
          row.peerPeakRssMb = m(e.peer, "peakRssMb");
        }
        out[model] = row;
      }
      return out;
    };

    const result: Record<string, unknown> = { models: summarize(threadCounts[0]) };
    for (const threads of threadCounts.slice(1)) {
      const more = summarize(threads);
      // Scaling against our own first thread count, per network, round by round; and the peer's own, as a
      // gauge of what the machine gave a second thread in those rounds (a shared host's varies by the minute).
      for (const model of Object.keys(more)) {
        const base = samples.get(`${threadCounts[0]}/${model}`);
        const now = samples.get(`${threads}/${model}`)!;
        const rounds = Math.min(base?.ours.length ?? 0, now.ours.length);
        if (!base || rounds === 0) continue;
        const ratios = (k: keyof Measurement, of: "ours" | "peer") => Array.from({ length: rounds }, (_, i) => now[of][i][k] / base[of][i][k]);
        const row = more[model] as Record<string, number | number[]>;
        const eachRound = ratios("trainImgPerSec", "ours");
        row.trainSpeedup = +median(eachRound).toFixed(3);
        row.inferSpeedup = +median(ratios("inferImgPerSec", "ours")).toFixed(3);
        row.trainSpeedupEachRound = eachRound.map((r) => +r.toFixed(2));
        if (Math.min(base.peer.length, now.peer.length) >= rounds) row.peerTrainSpeedup = +median(ratios("trainImgPerSec", "peer")).toFixed(3);
      }
      result[`threads${threads}`] = more;
    }
    result.peer = script ? peerName : flags.has("no-peer") ? "skipped (--no-peer)" : "shared/bench/torch_cnn.py not found";
    result.batch = batch;
    result.rounds = samples.size === 0 ? 0 : Math.min(...[...samples.values()].map((e) => e.ours.length));
    if (stopped) result.stopped = stopped;
    result.minutes = +((performance.now() - started) / 60_000).toFixed(1);
    result.loadAverageAtEachRun = Object.fromEntries([...samples].map(([k, e]) => [k, e.load.map((l) => l[0])]));
    result.loadAverage = loadAverage();
    return result;
  },
};

export default benchmark;

if (require.main === module) {
  measureOne(JSON.parse(process.argv[2]) as ChildRequest)
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
