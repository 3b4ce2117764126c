/**
 * `npm run bench -- <name> [args]` runs bench/<name>.ts; with no name, all of
 * them in turn. Each benchmark prints its results as one JSON line (its last
 * line of output), so runs can be compared and recorded.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Flags, OptionError, OptionHelp, readOptions, usage } from "./support/options";

export interface Benchmark {
  /** One line for `npm run bench -- --list`. */
  description: string;
  /** The options it takes (name without dashes → help line); any other is refused before it runs. */
  options: OptionHelp;
  /** Runs with the options given (only declared ones reach it). */
  run(flags: Flags): Promise<Record<string, unknown>>;
}

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const available = readdirSync(__dirname)
    // Benchmarks are the kebab-case modules beside this one (bench/support/ holds their shared code;
    // an older build may still hold helpers named _lenet.js and the like, which are not benchmarks).
    .filter((f) => /^[a-z0-9]+(-[a-z0-9]+)*\.js$/.test(f) && f !== "run.js")
    .map((f) => f.replace(/\.js$/, ""))
    .sort();
  if (name === "--list" || name === "-h" || name === "--help") {
    for (const b of available) console.log(`${b.padEnd(10)} ${load(b).description}`);
    console.log("\nnpm run bench -- <name> --help lists a benchmark's options.");
    return;
  }
  const names = name ? [name] : available;
  for (const n of names) {
    if (!available.includes(n)) {
      console.error(`No benchmark named "${n}". Available: ${available.join(", ")}.`);
      process.exitCode = 2;
      return;
    }
    const benchmark = load(n);
    if (args.includes("--help") || args.includes("-h")) {
      console.log(usage(n, benchmark.description, benchmark.options));
      return;
    }
    const result = await benchmark.run(readOptions(n, args, benchmark.options));
    console.log(JSON.stringify(result));
  }
}

function load(name: string): Benchmark {
  const mod = require(join(__dirname, name)) as { default: Benchmark };
  return mod.default;
}

main().catch((err) => {
  if (err instanceof OptionError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
