/**
 * File names: kebab-case everywhere (README). In tests/, a test is
 * `name.test.ts` and every other file is a helper of the tests beside it; in
 * bench/, every file at the top is a benchmark (`npm run bench -- name`) and
 * the code they share lives in bench/support/.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, sourceFiles } from "./imports";

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const FOLDERS = ["cli", "kernel", "labserver", "lib", "tests", "bench", "lessons/tools", "datasets", "pretrained"];

/** Names that break the convention, with the rule each breaks. */
export function namingProblems(files: readonly string[]): string[] {
  const problems: string[] = [];
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.split("/");
    parts.slice(0, -1).forEach((folder, i) => folders.add(parts.slice(0, i + 1).join("/")));
    const stem = parts[parts.length - 1].replace(/(\.test)?(\.d)?\.ts$/, "");
    if (!KEBAB.test(stem)) problems.push(`${file}: file names are kebab-case (lower-case words joined by "-", no leading "_").`);
  }
  for (const folder of folders) {
    const name = folder.split("/").pop()!;
    if (!KEBAB.test(name) && !FOLDERS.includes(folder)) problems.push(`${folder}/: folder names are kebab-case.`);
  }
  return problems;
}

describe("architecture: file names", function () {
  it("every TypeScript file and folder is kebab-case", function () {
    const files = FOLDERS.flatMap(sourceFiles);
    assert.ok(files.length > 300, `${files.length} files`);
    assert.deepEqual(namingProblems(files), []);
  });

  it("the convention catches an underscore, camelCase and snake_case", function () {
    assert.equal(namingProblems(["bench/_lenet.ts", "lib/deploy/onnxSchema.ts", "lib/backend/wasm_simd/x.ts"]).length, 3);
  });

  it("bench/ holds benchmarks at the top and their shared code in bench/support/", function () {
    const top = readdirSync(join(ROOT, "bench")).filter((f) => f.endsWith(".ts") && f !== "run.ts");
    for (const file of top) {
      const text = readFileSync(join(ROOT, "bench", file), "utf8");
      assert.match(text, /^export default benchmark;$/m, `bench/${file} is not a benchmark: shared code goes in bench/support/.`);
    }
  });
});
