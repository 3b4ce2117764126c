#!/usr/bin/env node
/**
 * node dist/lessons/tools/compare-outputs.js DIR_A DIR_B
 *
 * Compares the outputs of executed lesson notebooks (as `npm run lessons --
 * --out DIR` writes them) in two folders, e.g. before and after a change to
 * the library that should not change what the lessons show. Wall-clock
 * figures (seconds, images per second, sizes in MB) and the output folder's
 * own path are masked, since they differ from run to run; everything else,
 * text, tables and chart data, is compared line by line. Prints, per
 * notebook, how many output lines differ and the first of them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

const WALL_CLOCK = /\d[\d,]*(\.\d+)?\s*(ms|s|min|img\/s|images\/s|steps\/s|seconds|MiB|MB)\b/g;

interface Output {
  text?: string | string[];
  data?: Record<string, unknown>;
}

const joined = (value: unknown): string => (Array.isArray(value) ? value.join("") : typeof value === "string" ? value : "");

/** Every output line of a notebook, prefixed with its cell's position, wall-clock figures and `folder` masked. */
export function outputLines(notebookPath: string, folder: string): string[] {
  const notebook = JSON.parse(readFileSync(notebookPath, "utf8")) as { cells: { cell_type: string; outputs?: Output[] }[] };
  const lines: string[] = [];
  notebook.cells.forEach((cell, index) => {
    for (const output of cell.outputs ?? []) {
      const data = output.data ?? {};
      const chart = data["application/vnd.vegalite.v5+json"] as { datasets?: unknown; data?: unknown } | undefined;
      const text = [
        joined(output.text),
        joined(data["text/plain"]),
        joined(data["text/html"]).replace(/<[^>]+>/g, " "),
        chart ? JSON.stringify(chart.datasets ?? chart.data ?? {}) : "",
      ].join("");
      for (const line of text.split("\n")) lines.push(`[${index}] ${line.split(folder).join("<out>").replace(WALL_CLOCK, "<t>")}`);
    }
  });
  return lines;
}

/** The lines of `a` not matched in `b`, and of `b` not matched in `a`, in order (each line matched at most once). */
export function differingLines(a: readonly string[], b: readonly string[]): { onlyA: string[]; onlyB: string[] } {
  return { onlyA: unmatched(a, b), onlyB: unmatched(b, a) };
}

function unmatched(lines: readonly string[], other: readonly string[]): string[] {
  const available = new Map<string, number>();
  for (const line of other) available.set(line, (available.get(line) ?? 0) + 1);
  const out: string[] = [];
  for (const line of lines) {
    const left = available.get(line) ?? 0;
    if (left > 0) available.set(line, left - 1);
    else out.push(line);
  }
  return out;
}

function main([dirA, dirB]: string[]): void {
  if (!dirA || !dirB) {
    process.stderr.write("Usage: node dist/lessons/tools/compare-outputs.js DIR_A DIR_B (two folders of executed lessons, e.g. from npm run lessons -- --out DIR)\n");
    process.exit(2);
  }
  for (const name of readdirSync(dirA).filter((f) => f.endsWith(".ipynb")).sort()) {
    const a = outputLines(join(dirA, name), dirA);
    let b: string[];
    try {
      b = outputLines(join(dirB, name), dirB);
    } catch {
      console.log(`${name}: not in ${dirB}`);
      continue;
    }
    const { onlyA, onlyB } = differingLines(a, b);
    console.log(`${basename(name)}: ${a.length} output lines, ${onlyA.length} only in ${dirA}, ${onlyB.length} only in ${dirB}`);
    for (const line of onlyA.slice(0, 10)) console.log(`  - ${line.slice(0, 200)}`);
    for (const line of onlyB.slice(0, 10)) console.log(`  + ${line.slice(0, 200)}`);
  }
}

if (require.main === module) main(process.argv.slice(2));
