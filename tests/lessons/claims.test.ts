/**
 * Claims (```ts claim fences) executed through the real kernel: a claim that
 * holds passes, one that does not fails the lesson's run naming the lesson,
 * the statement and its line; a claim cell declares nothing later cells see;
 * the executed learner notebook drops the claim cells again.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimRecord } from "../../lib/check";
import { LessonRun, describeRun, executeLessons } from "../../lessons/tools/execute";
import { parseLesson } from "../../lessons/tools/lesson-source";

const FENCE = "```";
const SOURCE = [
  "---",
  "budget: 60",
  "minutes: 10",
  "---",
  "",
  "# Lesson 3 · Claims",
  "",
  "## What you will learn",
  "",
  "That a lesson's text is checked against its run.",
  "",
  `${FENCE}ts`,
  "const n = 3;",
  "console.log(`n is ${n}`);",
  FENCE,
  "",
  "Three is odd, and three is even.",
  "",
  `${FENCE}ts claim`,
  "const n = 4; // declared in the claim's own block: later cells still see 3",
  'claim("three is odd", 3 % 2 === 1);',
  'claim("three is even", 3 % 2 === 0);',
  FENCE,
  "",
  `${FENCE}ts`,
  "console.log(`after the claim, n is ${n}`);",
  FENCE,
  "",
  `${FENCE}ts claim`,
  'claim("n is still three", n === 3);',
  FENCE,
  "",
  `${FENCE}ts starter 03-output-size`,
  "const featureMapWidth = 0;",
  FENCE,
  "",
  `${FENCE}ts solution 03-output-size`,
  "const featureMapWidth = 10;",
  FENCE,
  "",
  `${FENCE}ts check 03-output-size`,
  'await check("03-output-size", { featureMapWidth: featureMapWidth })',
  FENCE,
  "",
  "## Summary",
  "",
  "Claims hold or fail the run.",
  "",
  "## Going further",
  "",
  "Lesson 4.",
  "",
]
  .join("\n")
  .replace("const n = 3;", 'import { check } from "convlab";\nconst n = 3;');

describe("claims", function () {
  it("judge only true or false, and say why anything else guards nothing", () => {
    assert.deepEqual(claimRecord("it holds", true), { statement: "it holds", holds: true });
    assert.deepEqual(claimRecord("it fails", false), { statement: "it fails", holds: false });
    assert.deepEqual(claimRecord("a typo", undefined), { statement: "a typo", holds: false, problem: "its condition gave undefined, not true or false" });
    assert.equal(claimRecord("a number", 1).problem, "its condition gave the number 1, not true or false");
    assert.match(claimRecord("", true).problem!, /the statement the text makes/);
  });

  describe("executed through the kernel", function () {
    let run: LessonRun;
    let outDir: string;

    before(async function () {
      this.timeout(240_000);
      outDir = mkdtempSync(join(tmpdir(), "convlab-claims-"));
      const lesson = parseLesson(SOURCE, "lessons/src/03-claims.md");
      [run] = await executeLessons([lesson], { variant: "learner", outDir });
    });
    after(() => rmSync(outDir, { recursive: true, force: true }));

    it("fail the run, naming the lesson, the false statement and its line", () => {
      assert.equal(run.status, "false-claim", describeRun(run));
      assert.match(run.error!, /^03-claims: 1 of 3 claims in its text does not hold in this run:\n✗ "three is even", lessons\/src\/03-claims\.md:20$/);
      assert.match(describeRun(run), /03-claims \(learner\): FALSE CLAIM in .*claims: 2 of 3 hold\n {4}03-claims: 1 of 3 claims/);
    });

    it("record every claim in order, with its fence's line", () => {
      assert.deepEqual(
        run.claims.map((c) => [c.statement, c.holds, c.source]),
        [
          ["three is odd", true, "lessons/src/03-claims.md:20"],
          ["three is even", false, "lessons/src/03-claims.md:20"],
          ["n is still three", true, "lessons/src/03-claims.md:30"],
        ],
      );
    });

    it("keep what a claim cell declares to itself, and leave the learner's executed notebook without them", () => {
      const notebook = readFileSync(run.notebookPath, "utf8");
      assert.match(notebook, /after the claim, n is 3/);
      assert.ok(!notebook.includes("claim(\\\"three is even"), "the executed learner notebook drops the claim cells");
      assert.ok(!readFileSync(run.htmlPath!, "utf8").includes("claim: three is even"), "and so does its HTML");
    });
  });
});
