#!/usr/bin/env node
/**
 * npm run lessons:build        lessons/src/*.md → lessons/*.ipynb (learner notebooks, no outputs)
 * npm run lessons:instructor   lessons/src/*.md → build/lessons-instructor/*.ipynb (solutions shown)
 */
import { relative } from "node:path";
import { ROOT, buildNotebooks } from "./catalog";
import { Variant } from "./notebook";

function main(args: string[]): void {
  const unknown = args.filter((arg) => arg !== "--instructor");
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(" ")}; the only option is --instructor.`);
  const variant: Variant = args.includes("--instructor") ? "instructor" : "learner";
  const report = buildNotebooks(variant);
  for (const path of report.written) console.log(`wrote     ${relative(ROOT, path)}`);
  for (const path of report.unchanged) console.log(`unchanged ${relative(ROOT, path)}`);
  for (const path of report.removed) console.log(`removed   ${relative(ROOT, path)} (its source is gone)`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`lessons:build: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
