/**
 * The committed notebooks in lessons/ are exactly what their sources build
 * to: no outputs, no hand edits, no solutions; and both variants are valid
 * nbformat (checked by Jupyter's own nbformat package).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { LESSONS_DIR, NOTEBOOK_NAME, README_PATH, countClaims, loadLessons, notebookText, readmeWithClaimCounts } from "../../lessons/tools/catalog";
import { CLAIM_PREAMBLE } from "../../lessons/tools/notebook";
import type { Lesson, Segment } from "../../lessons/tools/lesson-source";

/** The fewest claims a lesson's text may guard. */
const MIN_CLAIMS = 5;

type Exercise = Extract<Segment, { kind: "exercise" }>;

const exercisesOf = (lesson: Lesson): Exercise[] => lesson.segments.filter((s): s is Exercise => s.kind === "exercise");

/** Lines of the solution that the starter does not have: what must never reach a learner. */
function solutionOnlyLines(exercise: Exercise): string[] {
  const starter = new Set(exercise.starter.split("\n").map((line) => line.trim()));
  return exercise.solution
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !starter.has(line));
}

describe("lesson notebooks", function () {
  this.timeout(60_000);
  const lessons = loadLessons();

  it("has the first three lessons, each with objectives, exercises, a summary and a pointer onwards", () => {
    assert.deepEqual(lessons.map((l) => l.number).slice(0, 3), ["01", "02", "03"]);
    // parseLesson enforces the sections; here, that every exercise has a check and a solution.
    for (const lesson of lessons) {
      assert.ok(exercisesOf(lesson).length >= 1, lesson.name);
      for (const exercise of exercisesOf(lesson)) {
        assert.ok(lesson.segments.some((s) => s.kind === "check" && s.id === exercise.id), `${exercise.id} has a check`);
      }
    }
  });

  for (const lesson of lessons) {
    describe(lesson.name, () => {
      const path = join(LESSONS_DIR, `${lesson.name}.ipynb`);

      it("is committed without outputs or execution counts", () => {
        assert.ok(existsSync(path), `lessons/${lesson.name}.ipynb is missing: run npm run lessons:build`);
        const notebook = JSON.parse(readFileSync(path, "utf8")) as { cells: { cell_type: string; outputs?: unknown[]; execution_count?: unknown }[] };
        notebook.cells.forEach((cell, i) => {
          if (cell.cell_type !== "code") return;
          assert.deepEqual(cell.outputs, [], `cell ${i + 1} of lessons/${lesson.name}.ipynb carries outputs: run npm run lessons:build`);
          assert.equal(cell.execution_count, null, `cell ${i + 1} of lessons/${lesson.name}.ipynb has an execution count: run npm run lessons:build`);
        });
      });

      it("is byte for byte what its source builds to", () => {
        assert.ok(readFileSync(path, "utf8") === notebookText(lesson, "learner"), `lessons/${lesson.name}.ipynb differs from ${lesson.path}: run npm run lessons:build`);
      });

      it("holds no claim cell; the instructor build shows each claim", () => {
        const claims = lesson.segments.filter((s) => s.kind === "claim").length;
        const roles = (variant: "learner" | "instructor") => JSON.parse(notebookText(lesson, variant)).cells.filter((c: { metadata: { convlab?: { role?: string } } }) => c.metadata.convlab?.role === "claim").length;
        assert.equal(roles("learner"), 0);
        assert.equal(roles("instructor"), claims);
        assert.ok(!readFileSync(path, "utf8").includes(CLAIM_PREAMBLE.slice(0, 30)), `lessons/${lesson.name}.ipynb holds a claim`);
      });

      it("holds every starter and no solution; the instructor build the reverse", () => {
        const learner = notebookText(lesson, "learner");
        const instructor = notebookText(lesson, "instructor");
        // Everything the source shows learners, to tell a line that leaked from a line the lesson uses elsewhere.
        const shown = lesson.segments.map((s) => (s.kind === "markdown" || s.kind === "hint" ? s.text : s.kind === "exercise" ? s.starter : s.code)).join("\n");
        const count = (text: string, part: string) => text.split(part).length - 1;
        for (const exercise of exercisesOf(lesson)) {
          const hidden = solutionOnlyLines(exercise);
          assert.ok(hidden.length > 0, `${exercise.id}: the solution adds something to the starter`);
          for (const line of hidden) {
            const escaped = JSON.stringify(line).slice(1, -1);
            assert.ok(count(learner, escaped) <= count(shown, line), `${exercise.id}: the learner notebook shows the solution line "${line}"`);
            assert.ok(count(instructor, escaped) > count(shown, line), `${exercise.id}: the instructor notebook lacks "${line}"`);
          }
        }
      });
    });
  }

  it("counts each lesson's claims in lessons/README.md (npm run lessons:build writes the table)", () => {
    const readme = readFileSync(README_PATH, "utf8");
    assert.ok(readme === readmeWithClaimCounts(readme, lessons), "the table of claims in lessons/README.md is out of date: run npm run lessons:build");
    for (const lesson of lessons) assert.match(readme, new RegExp(`\\| \`${lesson.name}\` \\| ${countClaims(lesson)} \\|`));
  });

  it("guards at least 5 claims in every lesson", () => {
    for (const lesson of lessons) {
      assert.ok(countClaims(lesson) >= MIN_CLAIMS, `${lesson.path} guards ${countClaims(lesson)} claims; every lesson guards at least ${MIN_CLAIMS}`);
    }
  });

  it("has no notebook without a source", () => {
    const built = new Set(lessons.map((l) => `${l.name}.ipynb`));
    const orphans = readdirSync(LESSONS_DIR).filter((file) => NOTEBOOK_NAME.test(file) && !built.has(file));
    assert.deepEqual(orphans, [], "notebooks whose source is gone: run npm run lessons:build to remove them");
  });

  it("writes valid nbformat 4 notebooks in both variants (Jupyter's nbformat.validate)", () => {
    const notebooks = lessons.flatMap((lesson) => [notebookText(lesson, "learner"), notebookText(lesson, "instructor")]);
    const script = [
      "import json, sys, nbformat",
      "for text in json.load(sys.stdin):",
      "    nbformat.validate(nbformat.reads(text, as_version=nbformat.NO_CONVERT))",
      "print('valid ok')",
    ].join("\n");
    const run = spawnSync("/usr/bin/python3", ["-c", script], { input: JSON.stringify(notebooks), encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /valid ok/);
  });
});
