/**
 * The Jupyter that convlab opens: JupyterLab 4 from the PATH if there is
 * one, else a project-local Python environment (`.venv/`, git-ignored) that
 * this module creates and installs JupyterLab 4 into with pip, once.
 *
 * `npm start`, the browser tests and the lab server all get their Jupyter
 * from `ensureJupyterLab()`, so they run the same one the same way.
 *
 * pip uses whatever index it is configured with (PyPI by default). Where
 * that index cannot be reached but pip has local wheels (find-links, a
 * file:// extra index), pip would retry the index for every package; then
 * it is told not to (--retries 0, short timeout).
 */
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { installKernelSpec } from "../kernel/kernelspec";
import { packageRoot } from "../kernel/package-root";

export interface JupyterEnv {
  /** Where Jupyter comes from: the project's environment, or one found on the PATH. */
  source: "venv" | "path";
  /** The `jupyter` command. */
  jupyter: string;
  /** The environment's Python (sys.executable). */
  python: string;
  /** sys.prefix: kernels registered with `--sys-prefix` go to <prefix>/share/jupyter/kernels. */
  prefix: string;
  /** JupyterLab's version, e.g. "4.6.4"; null for a Notebook found on the PATH without JupyterLab. */
  labVersion: string | null;
}

export interface EnsureOptions {
  /** The project-local environment. Default: $CONVLAB_VENV, else <convlab>/.venv. */
  venvDir?: string;
  /** Use a JupyterLab 4 found on the PATH instead of the project's environment. Default true. */
  usePath?: boolean;
  /** Where progress lines go. Default: console.log. */
  log?: (line: string) => void;
}

/** The pip requirement for the JupyterLab convlab is tested with. */
export const JUPYTERLAB_REQUIREMENT = "jupyterlab>=4,<5";

export function defaultVenvDir(): string {
  return process.env.CONVLAB_VENV ? path.resolve(process.env.CONVLAB_VENV) : path.join(packageRoot(), ".venv");
}

/**
 * A JupyterLab 4 to run: the project's environment if it has one (nothing
 * is installed), else JupyterLab 4 on the PATH, else a new project
 * environment with JupyterLab installed into it.
 */
export async function ensureJupyterLab(options: EnsureOptions = {}): Promise<JupyterEnv> {
  const log = options.log ?? ((line: string) => console.log(line));
  const venvDir = options.venvDir ?? defaultVenvDir();
  const existing = projectEnv(venvDir);
  if (existing) return existing;
  if (options.usePath !== false) {
    const onPath = pathEnv("lab");
    if (onPath) return onPath;
  }
  if (!existsSync(venvPython(venvDir))) {
    const python = findPython();
    log(`Creating a Python environment for JupyterLab in ${venvDir} (${python}) …`);
    await run(python, ["-m", "venv", venvDir], "Creating the environment failed");
  }
  await pipInstall(venvDir, [JUPYTERLAB_REQUIREMENT], log);
  const created = projectEnv(venvDir);
  if (!created) throw new Error(`JupyterLab was installed into ${venvDir}, but \`jupyter lab --version\` does not run there.`);
  return created;
}

/** Installs more packages into the project environment (e.g. "notebook" for `--classic`), showing pip's progress. */
export async function pipInstall(venvDir: string, requirements: string[], log: (line: string) => void = console.log): Promise<void> {
  const index = pipIndexUrl(venvPython(venvDir));
  const reachable = await urlReachable(index);
  const offline = reachable ? [] : ["--retries", "0", "--timeout", "3"];
  log(
    `Installing ${requirements.join(", ")} into ${venvDir} with pip (once; about a minute)` +
      (reachable ? " …" : `; ${index} cannot be reached, so pip uses the wheels it is configured with …`),
  );
  await run(venvPython(venvDir), ["-m", "pip", "install", "--disable-pip-version-check", ...offline, ...requirements], "pip install failed", "inherit");
}

/** Registers the convlab kernel in the environment (`--sys-prefix`), or for the user when that folder is not writable. */
export async function registerKernel(env: JupyterEnv): Promise<string> {
  return installKernelSpec(isWritable(env.prefix) ? { kind: "prefix", dir: env.prefix } : { kind: "user" });
}

function venvPython(venvDir: string): string {
  return process.platform === "win32" ? path.join(venvDir, "Scripts", "python.exe") : path.join(venvDir, "bin", "python");
}

/** The project environment, if it exists and runs JupyterLab 4. */
export function projectEnv(venvDir: string): JupyterEnv | null {
  const bin = path.dirname(venvPython(venvDir));
  const jupyter = path.join(bin, process.platform === "win32" ? "jupyter.exe" : "jupyter");
  const labVersion = existsSync(jupyter) ? jupyterLabVersion(jupyter) : null;
  if (!labVersion || major(labVersion) !== 4) return null;
  return { source: "venv", jupyter, python: venvPython(venvDir), prefix: path.resolve(venvDir), labVersion };
}

/** `jupyter` on the PATH, if it runs JupyterLab 4 ("lab") or any Notebook ("notebook"). */
export function pathEnv(app: "lab" | "notebook"): JupyterEnv | null {
  const labVersion = jupyterLabVersion("jupyter");
  if (app === "lab" && (!labVersion || major(labVersion) !== 4)) return null;
  if (app === "notebook" && spawnSync("jupyter", ["notebook", "--version"]).status !== 0) return null;
  const found = pythonOf("jupyter");
  if (!found) return null;
  return { source: "path", jupyter: "jupyter", ...found, labVersion };
}

/** True if this environment's `jupyter notebook` runs. */
export function hasNotebook(env: JupyterEnv): boolean {
  return spawnSync(env.jupyter, ["notebook", "--version"]).status === 0;
}

function jupyterLabVersion(jupyter: string): string | null {
  const result = spawnSync(jupyter, ["lab", "--version"], { encoding: "utf8" });
  const version = result.status === 0 ? /^\d+\.\d+\S*/m.exec(result.stdout)?.[0] : undefined;
  return version ?? null;
}

/** The Python behind a `jupyter` command (from the script's #! line) and its sys.prefix. */
function pythonOf(command: string): { python: string; prefix: string } | null {
  const where = spawnSync(process.platform === "win32" ? "where" : "which", [command], { encoding: "utf8" });
  const script = where.status === 0 ? where.stdout.split("\n")[0].trim() : "";
  const shebang = script && existsSync(script) ? /^#!\s*(\S+)/.exec(readFileSync(script, "utf8").slice(0, 300))?.[1] : undefined;
  if (!shebang) return null;
  const info = spawnSync(shebang, ["-c", "import sys; print(sys.executable); print(sys.prefix)"], { encoding: "utf8" });
  if (info.status !== 0) return null;
  const [python, prefix] = info.stdout.trim().split("\n");
  return { python, prefix };
}

function findPython(): string {
  for (const python of ["python3", "python"]) {
    const result = spawnSync(python, ["-c", "import sys, venv; print(sys.version_info >= (3, 9))"], { encoding: "utf8" });
    if (result.status === 0 && result.stdout.trim() === "True") return python;
  }
  throw new Error(
    "JupyterLab needs Python 3.9 or later with its venv module, and none was found on the PATH. " +
      "Install it (Debian/Ubuntu: sudo apt-get install python3-venv; macOS: brew install python), then run npm start again.",
  );
}

/** The index pip reads from, as pip is configured (PIP_INDEX_URL, pip.conf), else PyPI. */
function pipIndexUrl(python: string): string {
  if (process.env.PIP_INDEX_URL) return process.env.PIP_INDEX_URL;
  const config = spawnSync(python, ["-m", "pip", "config", "list"], { encoding: "utf8" });
  const configured = /^[\w.:]*index-url='([^']+)'/m.exec(config.stdout ?? "")?.[1];
  return configured ?? "https://pypi.org/simple/";
}

async function urlReachable(url: string): Promise<boolean> {
  if (url.startsWith("file:")) return true;
  try {
    await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(5000) });
    return true;
  } catch {
    return false;
  }
}

function major(version: string): number {
  return Number(version.split(".")[0]);
}

function isWritable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[], failure: string, stdio: "inherit" | "pipe" = "pipe"): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: stdio === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => reject(new Error(`${failure}: ${error.message}`)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${failure} (${command} ${args.join(" ")} exited with ${code}).\n${output.trim().split("\n").slice(-15).join("\n")}`))));
  });
}
