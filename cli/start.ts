/**
 * `npm start`: register the kernel, then open JupyterLab (or, failing that,
 * the classic Notebook) on the lessons folder.
 */
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { installKernelSpec } from "../kernel/kernelspec";
import { packageRoot } from "../kernel/package-root";

function has(command: string, args: string[]): boolean {
  const r = spawnSync(command, args, { stdio: "ignore" });
  return r.status === 0;
}

export async function launchJupyter(extraArgs: string[]): Promise<number> {
  const dir = await installKernelSpec({ kind: "user" });
  console.log(`Registered the "TypeScript (convlab)" kernel (${dir}).`);
  const lessons = path.join(packageRoot(), "lessons");
  const app = has("jupyter", ["lab", "--version"]) ? "lab" : has("jupyter", ["notebook", "--version"]) ? "notebook" : null;
  if (!app) {
    console.error(
      [
        "Neither JupyterLab nor the classic Notebook is installed, so there is nothing to open.",
        "Install one of them, then run `npm start` again:",
        "  - JupyterLab (recommended):   pip install jupyterlab        (or: pipx install jupyterlab)",
        "  - classic Notebook on Debian/Ubuntu:   sudo apt-get install jupyter-notebook",
        "The kernel is registered already; any Jupyter front end will list it as \"TypeScript (convlab)\".",
      ].join("\n"),
    );
    return 1;
  }
  console.log(`Opening Jupyter ${app === "lab" ? "Lab" : "Notebook"} on ${lessons}`);
  // Jupyter refuses to run as root unless told; containers and lab VMs often run as root.
  const asRoot = process.getuid?.() === 0 && !extraArgs.includes("--allow-root") ? ["--allow-root"] : [];
  const child = spawn("jupyter", [app, `--notebook-dir=${lessons}`, ...asRoot, ...extraArgs], { stdio: "inherit" });
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 0)));
}
