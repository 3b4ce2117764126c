/**
 * The learners' Jupyter: JupyterLab 4 with the convlab kernel, in a Python
 * environment that can also import Debian's jupyterhub (for
 * `python -m jupyterhub.singleuser`, which wraps JupyterLab's server in the
 * hub's login). It is a venv of the hub's own Python with
 * --system-site-packages; JupyterLab is installed into it by the same code as
 * `npm start` (cli/jupyter-env.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ensureJupyterLab, pipInstall, registerKernel, type JupyterEnv } from "../cli/jupyter-env";
import { packageRoot } from "../kernel/package-root";

export function defaultLearnerVenv(): string {
  return process.env.CONVLAB_LAB_VENV ? path.resolve(process.env.CONVLAB_LAB_VENV) : path.join(packageRoot(), ".venv-lab");
}

/** The full path of a command on the PATH, or null. */
export function which(command: string): string | null {
  const result = spawnSync("which", [command], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim().split("\n")[0] : null;
}

/** The Python that runs `jupyterhub` (from its #! line): the one that has jupyterhub and bcrypt. */
export function hubPython(hubCommand: string): string {
  const script = which(hubCommand);
  if (!script) {
    throw new Error(`\`${hubCommand}\` was not found. Install JupyterHub (Debian/Ubuntu: sudo apt-get install jupyterhub; elsewhere: pip install jupyterhub), then run the lab server again.`);
  }
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(readFileSync(script, "utf8").slice(0, 200));
  const python = shebang?.[1].endsWith("/env") ? which(shebang[2] ?? "python3") : shebang?.[1];
  if (!python) throw new Error(`Cannot tell which Python runs ${script} (no #! line).`);
  const check = spawnSync(python, ["-c", "import jupyterhub, bcrypt; print(jupyterhub.__version__)"], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`${python} (the Python of ${script}) cannot import jupyterhub and bcrypt:\n${check.stderr.trim()}`);
  return python;
}

/** Creates the learners' environment if needed, makes sure JupyterLab 4 is in it, and registers the kernel there. */
export async function ensureLearnerEnv(venvDir: string, python: string, log: (line: string) => void): Promise<JupyterEnv> {
  if (!existsSync(path.join(venvDir, "bin", "python"))) {
    log(`Creating the learners' Python environment in ${venvDir} (${python}, with its system packages for jupyterhub) …`);
    const made = spawnSync(python, ["-m", "venv", "--system-site-packages", venvDir], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`Creating ${venvDir} failed: ${made.stderr.trim()} (Debian/Ubuntu: sudo apt-get install python3-venv).`);
  }
  if (!existsSync(path.join(venvDir, "bin", "jupyter"))) {
    // The system's jupyter_core satisfies pip, so the venv would get no `jupyter` command of its own: install one.
    await pipInstall(venvDir, ["--ignore-installed", "--no-deps", "jupyter_core"], log);
  }
  const env = await ensureJupyterLab({ venvDir, usePath: false, log });
  const singleuser = spawnSync(env.python, ["-c", "import jupyterhub.singleuser, jupyterlab"], { encoding: "utf8" });
  if (singleuser.status !== 0) throw new Error(`${env.python} cannot import jupyterhub.singleuser with JupyterLab:\n${singleuser.stderr.trim()}\nRemove ${venvDir} to have it made again.`);
  await registerKernel(env);
  return env;
}
