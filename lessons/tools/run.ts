#!/usr/bin/env node
/**
 * npm run lessons [-- [--instructor | --both] [--out DIR] [--time-factor N] [NN …]]
 *
 * Executes the lessons through the convlab kernel and writes the executed
 * notebooks and their HTML into build/lessons/ (the instructor build's into
 * build/lessons-instructor/executed/), then reports the time each took
 * against its budget, and whether every claim of its text held. The notebooks are built fresh from lessons/src, so an
 * edit to a source runs at once; a committed notebook that is out of date is
 * pointed out. On a busy machine, --time-factor 4 lets each lesson run up to
 * four times its budget before it is stopped (it is still reported as over
 * budget), so that its claims and checks can be read.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LESSONS_DIR, loadLessons, notebookText, selectLessons } from "./catalog";
import { executeLessons, LessonRun } from "./execute";
import { Variant } from "./notebook";

interface Args {
  variants: Variant[];
  outDir?: string;
  lessons: string[];
  timeFactor: number;
}

function parseArgs(args: string[]): Args {
  const parsed: Args = { variants: ["learner"], lessons: [], timeFactor: 1 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--instructor") parsed.variants = ["instructor"];
    else if (arg === "--both") parsed.variants = ["learner", "instructor"];
    else if (arg === "--out") parsed.outDir = resolve(args[++i] ?? fail("--out needs a folder"));
    else if (arg === "--time-factor") parsed.timeFactor = Number(args[++i]);
    else if (/^\d+(-[a-z0-9-]+)?$/.test(arg)) parsed.lessons.push(arg);
    else fail(`unknown argument "${arg}". Usage: npm run lessons -- [--instructor | --both] [--out DIR] [--time-factor N] [lesson numbers, e.g. 03]`);
  }
  if (!(parsed.timeFactor >= 1)) fail("--time-factor takes a number of at least 1: how many times its budget a lesson may run on a busy machine before it is stopped.");
  if (parsed.outDir && parsed.variants.length > 1) fail("--out takes one variant at a time (leave out --both).");
  return parsed;
}

function fail(message: string): never {
  process.stderr.write(`lessons: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const lessons = selectLessons(loadLessons(), args.lessons);
  for (const lesson of lessons) {
    const committed = join(LESSONS_DIR, `${lesson.name}.ipynb`);
    if (!existsSync(committed) || readFileSync(committed, "utf8") !== notebookText(lesson, "learner")) {
      console.warn(`note: lessons/${lesson.name}.ipynb is out of date with its source; run npm run lessons:build.`);
    }
  }
  const runs: LessonRun[] = [];
  for (const variant of args.variants) {
    runs.push(...(await executeLessons(lessons, { variant, outDir: args.outDir, timeFactor: args.timeFactor, log: (line) => console.log(line) })));
  }
  console.log("\nlesson                               variant     status       time   budget  claims held");
  for (const run of runs) {
    const held = `${run.claims.filter((c) => c.holds).length} of ${run.claims.length}`;
    console.log(`${run.lesson.padEnd(36)} ${run.variant.padEnd(11)} ${run.status.padEnd(11)} ${run.seconds.toFixed(1).padStart(6)} s ${String(run.budget).padStart(5)} s  ${held}`);
  }
  const failed = runs.filter((run) => run.status !== "ok");
  if (failed.length > 0) {
    console.error(`\n${failed.length} of ${runs.length} lesson runs failed:`);
    for (const run of failed) console.error(`  ${run.lesson} (${run.variant}): ${run.status}; see above.`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`lessons: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
