/**
 * `npm start`: make sure there is a JupyterLab 4 (installing it into the
 * project's .venv/ the first time), register the kernel in its environment,
 * and open it on the lessons folder with the convlab kernel as the default.
 * `npm start -- --classic` opens the Notebook interface instead.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { packageRoot } from "../kernel/package-root";
import { KERNEL_NAME } from "../kernel/kernelspec";
import { defaultVenvDir, ensureJupyterLab, hasNotebook, pathEnv, pipInstall, projectEnv, registerKernel, type JupyterEnv } from "./jupyter-env";

export interface StartArgs {
  classic: boolean;
  /** Only install and register, do not open Jupyter (`convlab setup`). */
  setupOnly: boolean;
  /** Passed on to Jupyter. */
  jupyterArgs: string[];
}

export function parseStartArgs(args: string[], setupOnly = false): StartArgs {
  return { classic: args.includes("--classic"), setupOnly, jupyterArgs: args.filter((a) => a !== "--classic") };
}

export async function launchJupyter(args: StartArgs): Promise<number> {
  const lessons = path.join(packageRoot(), "lessons");
  const env = args.classic ? await notebookEnv() : await ensureJupyterLab({ venvDir: defaultVenvDir() });
  const dir = await registerKernel(env);
  const from = env.source === "venv" ? `the environment in ${env.prefix}` : `${env.prefix} (found on the PATH)`;
  console.log(`Jupyter${args.classic ? " Notebook" : `Lab ${env.labVersion}`} from ${from}; the "TypeScript (convlab)" kernel is registered in ${dir}.`);
  if (args.setupOnly) return 0;

  console.log(`Opening ${args.classic ? "the Notebook" : "JupyterLab"} on ${lessons} …`);
  // Jupyter refuses to run as root unless told; containers and lab VMs often run as root.
  const asRoot = process.getuid?.() === 0 && !args.jupyterArgs.includes("--allow-root") ? ["--allow-root"] : [];
  const jupyterArgs = args.classic
    ? ["notebook", `--notebook-dir=${lessons}`, `--MappingKernelManager.default_kernel_name=${KERNEL_NAME}`]
    : ["lab", `--ServerApp.root_dir=${lessons}`, `--MappingKernelManager.default_kernel_name=${KERNEL_NAME}`];
  const child = spawn(env.jupyter, [...jupyterArgs, ...asRoot, ...args.jupyterArgs], { stdio: "inherit" });
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 0)));
}

/**
 * For `--classic`: the project environment's Notebook (installed next to
 * JupyterLab if missing), else a `jupyter notebook` on the PATH (Debian's
 * classic Notebook 6, say), else a new project environment with both.
 */
async function notebookEnv(): Promise<JupyterEnv> {
  const env = projectEnv(defaultVenvDir()) ?? pathEnv("notebook") ?? (await ensureJupyterLab({ venvDir: defaultVenvDir(), usePath: false }));
  if (!hasNotebook(env)) await pipInstall(env.prefix, ["notebook>=7,<8"]);
  return env;
}
