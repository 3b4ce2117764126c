/** `convlab install` / `uninstall` / `start`, as a learner runs them. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CLI } from "./start";

function convlab(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env });
}

describe("kernelspec install and uninstall", function () {
  this.timeout(60_000);

  it("installs into a prefix that `jupyter kernelspec list` then shows, and uninstalls", () => {
    const prefix = mkdtempSync(path.join(tmpdir(), "convlab-prefix-"));
    const installed = convlab(["install", "--prefix", prefix]);
    assert.equal(installed.status, 0, installed.stderr);
    const dir = path.join(prefix, "share", "jupyter", "kernels", "convlab");
    const spec = JSON.parse(readFileSync(path.join(dir, "kernel.json"), "utf8"));
    assert.equal(spec.display_name, "TypeScript (convlab)");
    assert.equal(spec.language, "typescript");
    assert.equal(spec.interrupt_mode, "message");
    assert.ok(path.isAbsolute(spec.argv[0]) && path.isAbsolute(spec.argv[1]), "argv works whatever the PATH");
    assert.ok(spec.argv.includes("{connection_file}"));
    for (const logo of ["logo-32x32.png", "logo-64x64.png"]) {
      const png = readFileSync(path.join(dir, logo));
      assert.equal(png.subarray(1, 4).toString(), "PNG", `${logo} is a PNG`);
    }
    const env = { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") };
    const list = spawnSync("jupyter", ["kernelspec", "list", "--json"], { encoding: "utf8", env });
    assert.equal(list.status, 0, list.stderr);
    const specs = JSON.parse(list.stdout).kernelspecs;
    assert.equal(specs.convlab.resource_dir, dir);

    const removed = convlab(["uninstall", "--prefix", prefix]);
    assert.equal(removed.status, 0);
    assert.ok(!existsSync(dir));
    const again = convlab(["uninstall", "--prefix", prefix]);
    assert.match(again.stdout, /not installed/);
  });

  it("installs for the user into Jupyter's data directory", () => {
    const data = mkdtempSync(path.join(tmpdir(), "convlab-data-"));
    const installed = convlab(["install", "--user"], { ...process.env, JUPYTER_DATA_DIR: data });
    assert.equal(installed.status, 0, installed.stderr);
    assert.ok(existsSync(path.join(data, "kernels", "convlab", "kernel.json")));
  });

  it("says clearly what is wrong with bad arguments", () => {
    const noDir = convlab(["install", "--prefix"]);
    assert.equal(noDir.status, 2);
    assert.match(noDir.stderr, /--prefix needs a directory/);
    const unknown = convlab(["instal"]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "instal"/);
  });

  it("`start` without JupyterLab or Python says exactly what to install", () => {
    const venv = path.join(mkdtempSync(path.join(tmpdir(), "convlab-venv-")), "none");
    const started = convlab(["start"], { ...process.env, CONVLAB_VENV: venv, PATH: "/nonexistent" });
    assert.equal(started.status, 1);
    assert.match(started.stderr, /needs Python 3\.9 or later/);
    assert.match(started.stderr, /apt-get install python3-venv/);
    assert.ok(!existsSync(venv), "nothing was created");
  });
});
