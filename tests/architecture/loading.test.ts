/**
 * What loading a part of the library costs: sharp (a native library) loads
 * only when an image is decoded or encoded, and evaluating a model does not
 * load the image-folder importer. Each check loads the build in a fresh Node.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./imports";

/** The modules a fresh Node has loaded after requiring `module` (a path below dist/). */
function loadedBy(module: string): string[] {
  const script = `require(${JSON.stringify(join(ROOT, "dist", module))}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", cwd: ROOT });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as string[];
}

const isSharp = (path: string) => /[\\/]node_modules[\\/]sharp[\\/]/.test(path);
const isImporter = (path: string) => /[\\/]data[\\/]sources[\\/]image-folder[\\/]/.test(path);

describe("architecture: what loading costs", function () {
  this.timeout(60_000);

  it("the whole library loads without sharp", function () {
    const loaded = loadedBy("lib");
    assert.ok(loaded.some(isImporter), "the library's entry point includes the importer (sanity check of this test)");
    assert.deepEqual(loaded.filter(isSharp), []);
  });

  it("evaluating a model loads neither the image-folder importer nor sharp", function () {
    const loaded = loadedBy("lib/evaluate");
    assert.deepEqual(loaded.filter((p) => isImporter(p) || isSharp(p)), []);
  });
});
