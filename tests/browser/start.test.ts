/**
 * `npm start`, as a learner runs it on a fresh clone: JupyterLab 4 from the
 * project's environment (created and filled by pip the first time, through
 * the same code the tests use), the kernel registered in that environment,
 * lessons/ served, the convlab kernel the default; a second start installs
 * nothing.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CLI, ROOT } from "../kernel/start";
import { freePort } from "./jupyter-server";
import { jupyterLab } from "./lab-environment";

describe("npm start", function () {
  this.timeout(900_000);

  it("opens JupyterLab 4 on lessons/ with the convlab kernel registered in its environment and selected by default; a second start installs nothing", async () => {
    const env = await jupyterLab();
    const port = await freePort();
    const token = `start-test-${process.pid}`;
    const home = mkdtempSync(path.join(tmpdir(), "convlab-start-"));
    const child = spawn(process.execPath, [CLI, "start", "--no-browser", `--port=${port}`, "--port-retries=0", `--IdentityProvider.token=${token}`], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, JUPYTER_CONFIG_DIR: path.join(home, "config"), JUPYTER_RUNTIME_DIR: path.join(home, "runtime"), JUPYTER_DATA_DIR: path.join(home, "data") },
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const api = async (pathname: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${pathname}`, { headers: { Authorization: `token ${token}` } });
      if (!response.ok) throw new Error(`${pathname}: ${response.status}`);
      return response.json() as Promise<Record<string, any>>;
    };
    try {
      let status: Record<string, any> | undefined;
      while (!status) {
        if (child.exitCode !== null) assert.fail(`npm start exited with ${child.exitCode}:\n${output}`);
        status = await api("/api/status").catch(() => undefined);
        if (!status) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.doesNotMatch(output, /Installing|Creating a Python environment/, "the environment existed, so nothing was installed");
      assert.match(output, new RegExp(`JupyterLab ${env.labVersion!.replace(/\./g, "\\.")}`));
      const specs = await api("/api/kernelspecs");
      assert.equal(specs.default, "convlab", "new notebooks get the convlab kernel");
      assert.equal(specs.kernelspecs.convlab.spec.display_name, "TypeScript (convlab)");
      assert.ok(!existsSync(path.join(home, "data", "kernels", "convlab")), "registered in the environment (--sys-prefix), not for the user");
      const spec = JSON.parse(readFileSync(path.join(env.prefix, "share", "jupyter", "kernels", "convlab", "kernel.json"), "utf8"));
      assert.ok(existsSync(spec.argv[1]), "the kernelspec runs this checkout's convlab");
      const contents = await api("/api/contents");
      const names = (contents.content as { name: string }[]).map((c) => c.name);
      assert.ok(names.includes("01-training-and-inference.ipynb"), `lessons/ is served: ${names.join(", ")}`);
      const lab = await fetch(`http://127.0.0.1:${port}/lab?token=${token}`);
      assert.equal(lab.status, 200);
      assert.match(await lab.text(), /JupyterLab/);
    } finally {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.on("exit", resolve)));
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("`convlab setup` reports the environment it uses and installs nothing the second time", () => {
    const run = spawnSync(process.execPath, [CLI, "setup"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /JupyterLab 4\.\d+\.\d+ from /);
    assert.doesNotMatch(run.stdout + run.stderr, /Installing|Creating a Python environment/);
  });
});
