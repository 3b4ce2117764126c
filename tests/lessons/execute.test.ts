/**
 * Every lesson executed end to end through the real convlab kernel by
 * Jupyter's nbconvert, in both variants:
 *
 * - learner (the committed notebooks, exercise cells holding their starters):
 *   runs without an error, within its budget, every check says "not yet"
 *   with a message;
 * - instructor (solutions in place): every check passes.
 *
 * Both: every claim of the lesson's text holds (claims run in both
 * variants), and the executed HTML draws every chart as SVG.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT, loadLessons, selectLessons } from "../../lessons/tools/catalog";
import { LessonRun, describeRun, executeLessons } from "../../lessons/tools/execute";
import type { Variant } from "../../lessons/tools/notebook";

// CONVLAB_LESSONS=01,05 runs only those lessons (while working on them); npm test runs them all.
const only = (process.env.CONVLAB_LESSONS ?? "").split(",").filter(Boolean);
const lessons = only.length > 0 ? selectLessons(loadLessons(), only) : loadLessons();
const exerciseIds = (lessonName: string): string[] =>
  lessons.find((l) => l.name === lessonName)!.segments.flatMap((s) => (s.kind === "exercise" ? [s.id] : []));

for (const variant of ["learner", "instructor"] as Variant[]) {
  describe(`lessons executed through the kernel (${variant})`, function () {
    const runs = new Map<string, LessonRun>();

    before(async function () {
      // Each lesson may take its budget, plus nbconvert and HTML export.
      this.timeout(lessons.reduce((sum, l) => sum + l.meta.budget + 90, 0) * 1000);
      const outDir = join(ROOT, "build", "test-lessons", variant);
      rmSync(outDir, { recursive: true, force: true });
      for (const run of await executeLessons(lessons, { variant, outDir, log: (line) => process.env.CONVLAB_TEST_DEBUG && console.log(line) })) {
        runs.set(run.lesson, run);
      }
    });

    for (const lesson of lessons) {
      describe(lesson.name, () => {
        const run = (): LessonRun => runs.get(lesson.name)!;

        it(`executes with no error within its budget of ${lesson.meta.budget} s`, () => {
          assert.equal(run().status, "ok", describeRun(run()));
          assert.ok(run().seconds <= lesson.meta.budget, describeRun(run()));
        });

        it("holds every claim its text makes", () => {
          const claimFences = lesson.segments.filter((s) => s.kind === "claim").length;
          assert.ok(run().claims.length >= claimFences, describeRun(run()));
          const falseClaims = run().claims.filter((c) => !c.holds).map((c) => `${lesson.name}: "${c.statement}" (${c.source})${c.problem ? `: ${c.problem}` : ""}`);
          assert.deepEqual(falseClaims, [], describeRun(run()));
        });

        it("draws every chart as an SVG in the executed HTML", () => {
          assert.ok(run().charts >= 1, `${lesson.name} shows no chart`);
          assert.equal(run().chartSvgsInHtml, run().charts, describeRun(run()));
        });

        if (variant === "learner") {
          it("fails each check with a message while the exercises hold their starters", () => {
            assert.deepEqual(run().checks.map((c) => c.exercise), exerciseIds(lesson.name));
            for (const record of run().checks) {
              assert.equal(record.passed, false, `${record.exercise} passed with its starter`);
              const failed = record.findings.filter((f) => !f.passed);
              assert.ok(failed.length >= 1, `${record.exercise}: no failed finding`);
              for (const finding of failed) assert.ok(finding.message.length > 20, `${record.exercise}: "${finding.message}" says too little`);
            }
          });
        } else {
          it("passes each check with the solutions", () => {
            assert.deepEqual(run().checks.map((c) => c.exercise), exerciseIds(lesson.name));
            for (const record of run().checks) {
              assert.equal(record.passed, true, `${record.exercise}: ${record.findings.map((f) => f.message).join(" / ")}`);
            }
          });
        }
      });
    }
  });
}
