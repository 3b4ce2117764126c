/**
 * A Jupyter server for a browser test: JupyterLab (from the environment
 * `npm start` uses) or the classic Notebook, on a free loopback port, with
 * its own config, data and runtime folders and the convlab kernel
 * registered in a temporary prefix, so nothing of the user's Jupyter setup
 * is read or written.
 */
import { ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { installKernelSpec } from "../../kernel/kernelspec";

export interface JupyterServer {
  /** e.g. http://127.0.0.1:41234 */
  base: string;
  token: string;
  /** The folder the server serves. */
  root: string;
  /** A URL on the server, with the token. */
  url(pathname: string): string;
  /** Calls the REST API. */
  api<T = unknown>(pathname: string, init?: RequestInit): Promise<T>;
  /** Everything the server printed (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** "lab": JupyterLab; "notebook": `jupyter notebook` (classic Notebook 6 from Debian, or Notebook 7). */
  app: "lab" | "notebook";
  /** The `jupyter` command to run. */
  jupyter: string;
  /** The folder to serve. */
  root: string;
  /** Extra environment for the server and its kernels. */
  env?: Record<string, string>;
  /** Reuse these folders (to open the same notebooks as another server did); default fresh ones. */
  dataDir?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function startJupyter(options: ServerOptions): Promise<JupyterServer> {
  const home = mkdtempSync(path.join(tmpdir(), "convlab-jupyter-"));
  const dirs = {
    config: path.join(home, "config"),
    data: options.dataDir ?? path.join(home, "data"),
    runtime: path.join(home, "runtime"),
    prefix: path.join(home, "prefix"),
    settings: path.join(home, "lab-settings"),
    workspaces: path.join(home, "lab-workspaces"),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  await installKernelSpec({ kind: "prefix", dir: dirs.prefix });
  // JupyterLab asks about news and update checks in a pop-up on first start: decline, as a learner would.
  mkdirSync(path.join(dirs.settings, "@jupyterlab", "apputils-extension"), { recursive: true });
  writeFileSync(path.join(dirs.settings, "@jupyterlab", "apputils-extension", "notification.jupyterlab-settings"), JSON.stringify({ fetchNews: "false", checkForUpdates: false }));
  // JupyterLab drops a completion provider's answer that takes over providerTimeout (1 s by default). The kernel
  // answers in about 0.1 s on a quiet machine, but the test machine may be loaded many times over: wait for the answer.
  mkdirSync(path.join(dirs.settings, "@jupyterlab", "completer-extension"), { recursive: true });
  writeFileSync(path.join(dirs.settings, "@jupyterlab", "completer-extension", "manager.jupyterlab-settings"), JSON.stringify({ providerTimeout: 120_000 }));

  const port = await freePort();
  const token = `convlab-test-${process.pid}-${port}`;
  const common = [`--port=${port}`, "--ip=127.0.0.1", "--no-browser", "--allow-root", "--port-retries=0"];
  const args =
    options.app === "lab"
      ? ["lab", ...common, `--ServerApp.root_dir=${options.root}`, `--IdentityProvider.token=${token}`, "--LabApp.expose_app_in_browser=True", "--MappingKernelManager.default_kernel_name=convlab"]
      : ["notebook", ...common, `--notebook-dir=${options.root}`, `--NotebookApp.token=${token}`, "--MappingKernelManager.default_kernel_name=convlab"];
  const child: ChildProcess = spawn(options.jupyter, args, {
    cwd: options.root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      JUPYTER_CONFIG_DIR: dirs.config,
      JUPYTER_DATA_DIR: dirs.data,
      JUPYTER_RUNTIME_DIR: dirs.runtime,
      JUPYTER_PATH: path.join(dirs.prefix, "share", "jupyter"),
      JUPYTERLAB_SETTINGS_DIR: dirs.settings,
      JUPYTERLAB_WORKSPACES_DIR: dirs.workspaces,
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
      ...options.env,
    },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  const base = `http://127.0.0.1:${port}`;
  const url = (pathname: string) => `${base}${pathname}${pathname.includes("?") ? "&" : "?"}token=${token}`;
  const server: JupyterServer = {
    base,
    token,
    root: options.root,
    url,
    async api<T>(pathname: string, init?: RequestInit): Promise<T> {
      const response = await fetch(`${base}${pathname}`, { ...init, headers: { Authorization: `token ${token}`, ...(init?.headers ?? {}) } });
      if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${pathname}: ${response.status} ${await response.text()}`);
      return (response.status === 204 ? undefined : await response.json()) as T;
    },
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid!, "SIGTERM");
        } catch {
          // already gone
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            // already gone
          }
        }, 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(home, { recursive: true, force: true });
    },
  };

  // Ready when the REST API answers (the server prints its URL a little before that).
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jupyter ${options.app} exited with ${child.exitCode}:\n${output}`);
    try {
      await server.api("/api/status");
      return server;
    } catch {
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`jupyter ${options.app} did not answer within 5 minutes:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
