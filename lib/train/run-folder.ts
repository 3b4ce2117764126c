/** Where a run writes its snapshots: runs/<model>-<date>-<time>/ unless told otherwise. */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import type { ResolvedTrainOptions } from "./options";
import type { LoadedSnapshot } from "./snapshot";

function timestamp(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

function defaultRunDir(model: tf.LayersModel): string {
  const base = resolve("runs", `${model.name.replace(/[^\w.-]+/g, "_")}-${timestamp()}`);
  let dir = base;
  for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`;
  return dir;
}

/** The run's folder: snapshotDir, else the folder of the snapshot it resumes, else a new one; none without snapshots. */
export function runFolder(options: ResolvedTrainOptions, model: tf.LayersModel, resumed: LoadedSnapshot | undefined): string | undefined {
  if (!options.snapshots) return undefined;
  if (options.snapshotDir) return resolve(options.snapshotDir);
  return resumed ? dirname(resumed.path) : defaultRunDir(model);
}
