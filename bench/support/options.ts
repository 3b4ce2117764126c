/**
 * The benchmarks' command-line options: `--name value`, `--name=value`, or
 * `--name` alone (a switch). Each benchmark declares the options it takes
 * (Benchmark.options); bench/run prints them for `--help` and refuses any
 * other before the benchmark starts, so that a typo fails at once instead
 * of after minutes of measuring with the defaults.
 */

/** A bad option value: bench/run prints its message alone (no stack) and exits with 2. */
export class OptionError extends Error {
  override name = "OptionError";
}

/** Option name (without the dashes) → its help line. */
export type OptionHelp = Record<string, string>;

export type Flags = Map<string, string | true>;

export function parseFlags(args: string[]): Flags {
  const flags: Flags = new Map();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) throw new OptionError(`Unexpected argument "${arg}" (options start with --).`);
    const [name, inline] = arg.slice(2).split("=", 2);
    if (inline !== undefined) flags.set(name, inline);
    else if (i + 1 < args.length && !args[i + 1].startsWith("--")) flags.set(name, args[++i]);
    else flags.set(name, true);
  }
  return flags;
}

export function numberFlag(flags: Flags, name: string, fallback: number): number {
  const value = flags.get(name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value === true || !Number.isFinite(n) || n <= 0) throw new OptionError(`--${name} needs a positive number, got ${String(value)}.`);
  return n;
}

/** A text option's value (undefined when not given); a bare `--name` is refused. */
export function textFlag(flags: Flags, name: string): string | undefined {
  const value = flags.get(name);
  if (value === true) throw new OptionError(`--${name} needs a value.`);
  return value;
}

/** Reads `args` as `benchmark`'s declared `options`; an unknown name or a stray word is an OptionError naming the ones it takes. */
export function readOptions(benchmark: string, args: string[], options: OptionHelp): Flags {
  const names = Object.keys(options).map((name) => `--${name}`).join(", ");
  const takes = names ? `Its options: ${names}` : "It takes no options";
  let flags: Flags;
  try {
    flags = parseFlags(args);
  } catch (error) {
    throw new OptionError(`${benchmark}: ${(error as Error).message} ${takes}.`);
  }
  const unknown = [...flags.keys()].find((name) => !(name in options));
  if (unknown !== undefined) throw new OptionError(`${benchmark} has no option --${unknown}. ${takes} (npm run bench -- ${benchmark} --help).`);
  return flags;
}

/** What `npm run bench -- <name> --help` prints. */
export function usage(benchmark: string, description: string, options: OptionHelp): string {
  const names = Object.keys(options);
  const width = Math.max(0, ...names.map((n) => n.length)) + 4;
  const lines = names.map((name) => `  ${`--${name}`.padEnd(width)}${options[name]}`);
  return [`npm run bench -- ${benchmark}${names.length ? " [options]" : ""}`, `  ${description}`, ...(lines.length ? ["", ...lines] : [])].join("\n");
}
