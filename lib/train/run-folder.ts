/**
 * Where a run writes its snapshots: runs/<model>-<date>-<time>/ unless told
 * otherwise. Two rules keep earlier work safe:
 *
 * - A new folder is made with an exclusive mkdir, so two trainings started
 *   in the same second (two processes even) get two folders (-2, -3, ...).
 * - A run never replaces snapshots it did not write. Resuming from an
 *   earlier snapshot of a run (or giving a snapshotDir that holds another
 *   run's snapshots) would; the run then writes to a new folder beside it,
 *   and its notes say so.
 */
import { mkdirSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { firstFew } from "./non-finite";
import type { ResolvedTrainOptions } from "./options";
import { listSnapshots, type LoadedSnapshot } from "./read-snapshot";

function timestamp(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

/** Creates `base`, or `base-2`, `base-3`, ... if taken (by this process or another): the first one this call made. */
export function createUniqueFolder(base: string): string {
  mkdirSync(dirname(base), { recursive: true });
  for (let n = 1; ; n++) {
    const dir = n === 1 ? base : `${base}-${n}`;
    try {
      mkdirSync(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/**
 * The run's folder: snapshotDir, else the folder of the snapshot it resumes,
 * else a new one; none without snapshots. Made on disk before training starts.
 */
export function runFolder(options: ResolvedTrainOptions, model: tf.LayersModel, resumed: LoadedSnapshot | undefined, notes: string[]): string | undefined {
  if (!options.snapshots) return undefined;
  const wanted = options.snapshotDir ? resolve(options.snapshotDir) : resumed ? dirname(resumed.path) : undefined;
  if (!wanted) return createUniqueFolder(resolve("runs", `${model.name.replace(/[^\w.-]+/g, "_")}-${timestamp()}`));
  // Snapshots after the run's starting point are ones it could overwrite.
  const startStep = resumed?.state.step ?? 0;
  const later = listSnapshots(wanted).filter((s) => s.step > startStep);
  if (later.length === 0) {
    mkdirSync(wanted, { recursive: true });
    return wanted;
  }
  const from = resumed ? `-from-${basename(resumed.path)}` : "";
  const fresh = createUniqueFolder(`${wanted}${from}`);
  const names = later.map((s) => basename(s.path));
  notes.push(
    `${wanted} already holds snapshots this run did not write (${firstFew(names, 3)}); ` +
      `train() never replaces those, so this run writes its snapshots to ${fresh}.`,
  );
  return fresh;
}
