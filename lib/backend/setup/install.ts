/**
 * `npm run setup:native` / `npm run setup:gpu`: installs @tensorflow/tfjs-node
 * or @tensorflow/tfjs-node-gpu (the version matching convlab's tfjs) on this
 * machine, with its install script, and checks that it loads.
 *
 * They are not dependencies in package.json on purpose: their install
 * scripts download libtensorflow (and a prebuilt binding) from Google's
 * storage host, so `npm ci` on a machine that cannot reach it would fail.
 * The package is installed with `--no-save` (a later `npm ci` removes it; run
 * the setup again after one), its script is run explicitly, and a machine
 * without access can install from a local folder (`--mirror-dir`), which
 * this script serves to tfjs-node's own mirror settings on 127.0.0.1.
 */
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { basename, join, resolve, sep } from "node:path";

export type SetupTarget = "native" | "gpu";

/** libtensorflow version that tfjs-node 4.x downloads (its scripts/deps-constants.js). */
export const LIBTENSORFLOW_VERSION = "2.9.1";
/** What TensorFlow 2.9 (and so tfjs-node-gpu 4.22) needs on the machine. */
export const GPU_REQUIREMENTS = "an NVIDIA GPU and driver, CUDA 11.2 and cuDNN 8.1 (on Linux x86-64)";

export interface SetupOptions {
  target: SetupTarget;
  /** Serve libtensorflow (and optionally the prebuilt binding) from this folder. */
  mirrorDir?: string;
  /** tfjs-node's TFJS_NODE_BASE_URI: a libtensorflow mirror URL prefix. */
  baseUri?: string;
  /** Print the steps without running them. */
  dryRun: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export function usage(target: SetupTarget): string {
  const script = target === "gpu" ? "setup:gpu" : "setup:native";
  const pkg = packageFor(target);
  const lib = libtensorflowFile(target);
  return [
    `Usage: npm run ${script} [-- options]`,
    "",
    `Installs ${pkg} (the version matching @tensorflow/tfjs) on this machine without adding it to`,
    "package.json, runs its install script (which fetches libtensorflow " + LIBTENSORFLOW_VERSION + " and a prebuilt",
    "binding), and checks that it loads. Run it again after `npm ci`, which removes it.",
    ...(target === "gpu" ? ["", `Needs ${GPU_REQUIREMENTS}.`] : []),
    "",
    "Options:",
    "  --mirror-dir DIR  install without Google's storage host: DIR holds " + lib,
    "                    and optionally the prebuilt binding as napi-v8/<version>/<binding>.tar.gz",
    "                    (without it the binding is compiled, which needs python3, make and g++)",
    "  --base-uri URL    a libtensorflow mirror: tfjs-node's TFJS_NODE_BASE_URI, the URL to which",
    `                    "${lib.replace(/^libtensorflow-/, "")}" is appended`,
    "  --dry-run         print the steps without running them",
    "  --help            this text",
  ].join("\n");
}

export function packageFor(target: SetupTarget): string {
  return target === "gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
}

export function libtensorflowFile(target: SetupTarget, platform = process.platform, arch = process.arch): string {
  const os = platform === "win32" ? "windows" : platform;
  const cpu = arch === "x64" ? "x86_64" : arch;
  const ext = platform === "win32" ? "zip" : "tar.gz";
  return `libtensorflow-${target === "gpu" ? "gpu" : "cpu"}-${os}-${cpu}-${LIBTENSORFLOW_VERSION}.${ext}`;
}

export function parseSetupArgs(args: string[]): SetupOptions {
  const [target, ...rest] = args;
  if (target !== "native" && target !== "gpu") {
    throw new UsageError(`The first argument must be "native" or "gpu", got ${target === undefined ? "nothing" : `"${target}"`}.`);
  }
  const options: SetupOptions = { target, dryRun: false, help: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const [name, inline] = arg.split("=", 2);
    const value = (): string => {
      const v = inline ?? rest[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${name} needs a value.`);
      return v;
    };
    switch (name) {
      case "--mirror-dir":
        options.mirrorDir = resolve(value());
        break;
      case "--base-uri":
        options.baseUri = value();
        break;
      case "--dry-run":
        options.dryRun = true;
        break;
      case "--help":
      case "-h":
        options.help = true;
        break;
      default:
        throw new UsageError(`Unknown option "${arg}".`);
    }
  }
  if (options.mirrorDir && options.baseUri) throw new UsageError("Give --mirror-dir or --base-uri, not both.");
  if (options.mirrorDir && !options.help) {
    const lib = join(options.mirrorDir, libtensorflowFile(options.target));
    if (!existsSync(lib)) {
      throw new UsageError(`--mirror-dir ${options.mirrorDir} has no ${libtensorflowFile(options.target)} (expected at ${lib}).`);
    }
  }
  return options;
}

/** The repository root (where package.json and node_modules are). */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json")) || basename(dir) === "dist") {
    const parent = resolve(dir, "..");
    if (parent === dir) throw new Error("Could not find convlab's package.json above " + __dirname);
    dir = parent;
  }
  return dir;
}

export function tfjsVersion(root: string): string {
  return (JSON.parse(readFileSync(join(root, "node_modules", "@tensorflow", "tfjs", "package.json"), "utf8")) as { version: string }).version;
}

/** Serves `dir` read-only on 127.0.0.1 for tfjs-node's installer. */
export function serveFolder(dir: string): Promise<{ server: Server; url: string }> {
  const root = resolve(dir);
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    const file = resolve(root, "." + path);
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "content-length": statSync(file).size });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolvePromise({ server, url: `http://127.0.0.1:${port}/` });
    });
  });
}

/** Environment for tfjs-node's install script: its own mirror settings. */
export function installerEnv(options: SetupOptions, mirrorUrl?: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (mirrorUrl) {
    env.TFJS_NODE_BASE_URI = `${mirrorUrl}libtensorflow-`;
    // @mapbox/node-pre-gyp's mirror for the prebuilt binding (module_name tfjs_binding).
    env.npm_config_tfjs_binding_binary_host_mirror = mirrorUrl;
  } else if (options.baseUri) {
    env.TFJS_NODE_BASE_URI = options.baseUri;
  }
  return env;
}

/** Why a step failed, in words a learner can act on. */
export function explainFailure(step: string, output: string, target: SetupTarget): string {
  const script = target === "gpu" ? "setup:gpu" : "setup:native";
  const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|getaddrinfo|socket hang up/i.test(output);
  const tail = output.trim().split("\n").slice(-8).join("\n");
  const lines = [`${step} failed.`];
  if (offline) {
    lines.push(
      "It could not reach the download host (libtensorflow and the prebuilt binding come from Google's storage host).",
      `On a machine that can reach it, run \`npm run ${script}\` there; or copy ${libtensorflowFile(target)}`,
      `into a folder here and run \`npm run ${script} -- --mirror-dir <folder>\`.`,
    );
  } else if (/gyp|make|g\+\+|python/i.test(output)) {
    lines.push("Compiling the binding failed: install python3, make and g++, or put the prebuilt binding in --mirror-dir.");
  }
  if (target === "gpu") lines.push(`tfjs-node-gpu needs ${GPU_REQUIREMENTS}.`);
  lines.push("Until then convlab uses the wasm backend (`backendInfo()` says why).", "", "Last output:", tail);
  return lines.join("\n");
}

export interface Step {
  title: string;
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
}

export function planSteps(options: SetupOptions, root: string, version: string, env: Record<string, string>): Step[] {
  const pkg = packageFor(options.target);
  const pkgDir = join(root, "node_modules", ...pkg.split("/"));
  return [
    {
      title: `Installing ${pkg}@${version} (not saved to package.json, its script run next)`,
      command: "npm",
      args: ["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund", `${pkg}@${version}`],
      cwd: root,
    },
    {
      title: `Running ${pkg}'s install script (libtensorflow ${LIBTENSORFLOW_VERSION} and the binding)`,
      command: "npm",
      args: ["run", "install"],
      cwd: pkgDir,
      env,
    },
    {
      title: `Checking that ${pkg} loads`,
      command: process.execPath,
      args: [
        "-e",
        `const tf = require(${JSON.stringify(pkg)}); const b = tf.backend();` +
          ` console.log(JSON.stringify({ backend: tf.getBackend(), gpu: b.isUsingGpuDevice === true }));`,
      ],
      cwd: root,
    },
  ];
}

function runStep(step: Step): SpawnSyncReturns<string> {
  console.log(`\n== ${step.title}\n   ${step.command} ${step.args.join(" ")}`);
  return spawnSync(step.command, step.args, {
    cwd: step.cwd,
    env: { ...process.env, ...step.env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export async function main(args: string[]): Promise<number> {
  let options: SetupOptions;
  try {
    options = parseSetupArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const target = args[0] === "gpu" ? "gpu" : "native";
    console.error(`${error.message}\n\n${usage(target)}`);
    return 2;
  }
  if (options.help) {
    console.log(usage(options.target));
    return 0;
  }
  const root = projectRoot();
  const version = tfjsVersion(root);
  const mirror = options.mirrorDir && !options.dryRun ? await serveFolder(options.mirrorDir) : undefined;
  const env = installerEnv(options, mirror?.url ?? (options.mirrorDir ? "http://127.0.0.1:<port>/" : undefined));
  const steps = planSteps(options, root, version, env);
  // `npm install --no-save` can still rewrite package-lock.json; the setup
  // is per machine and must leave the project's files as they were.
  const lockFile = join(root, "package-lock.json");
  const lock = existsSync(lockFile) ? readFileSync(lockFile) : undefined;
  try {
    if (options.dryRun) {
      for (const step of steps) {
        const vars = Object.entries(step.env ?? {}).map(([k, v]) => `${k}=${v} `).join("");
        console.log(`${step.title}\n   (in ${step.cwd}) ${vars}${step.command} ${step.args.join(" ")}`);
      }
      return 0;
    }
    for (const step of steps) {
      const run = runStep(step);
      const output = `${run.stdout ?? ""}\n${run.stderr ?? ""}\n${run.error?.message ?? ""}`;
      if (run.status !== 0) {
        console.error("\n" + explainFailure(step.title, output, options.target));
        return 1;
      }
      if (step === steps[steps.length - 1]) {
        const result = JSON.parse(output.trim().split("\n").filter((l) => l.startsWith("{")).pop() ?? "{}") as { gpu?: boolean };
        if (options.target === "gpu" && !result.gpu) {
          console.error(
            `\n${packageFor("gpu")} loads, but TensorFlow found no usable CUDA device: check ${GPU_REQUIREMENTS}.` +
              " convlab will use it on the CPU meanwhile.",
          );
          return 1;
        }
      }
    }
    console.log(`\n${packageFor(options.target)} is ready: convlab's "auto" backend will use it (see backendInfo()).`);
    return 0;
  } finally {
    mirror?.server.close();
    if (lock && !options.dryRun && !readFileSync(lockFile).equals(lock)) writeFileSync(lockFile, lock);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
