/**
 * Lesson sources → notebooks: how Markdown becomes cells, how exercises
 * become a starter (learner) or a solution (instructor), and the mistakes in
 * a source that the build refuses, each with its file and line.
 */
import assert from "node:assert/strict";
import { parseLesson } from "../../lessons/tools/lesson-source";
import { lessonNotebook, serializeNotebook, sourceLines } from "../../lessons/tools/notebook";

const FENCE = "```";

/** A small valid lesson; `change` edits its text to make variants. */
function source(change: (text: string) => string = (t) => t): string {
  return change(
    [
      "---",
      "budget: 60   # seconds",
      "minutes: 15",
      "---",
      "",
      "# Lesson 9 · A test",
      "",
      "Intro paragraph.",
      "",
      "## What you will learn",
      "",
      "- one thing",
      "",
      "<!-- Author's note: never shown. -->",
      "",
      `${FENCE}ts`,
      "const a = 1;",
      FENCE,
      "",
      "Some prose.",
      "",
      "### A sub-heading stays in the same cell",
      "",
      `${FENCE}ts starter 09-demo`,
      "const answer = 0; // your answer",
      FENCE,
      "",
      `${FENCE}ts solution 09-demo`,
      "const answer = 42;",
      FENCE,
      "",
      `${FENCE}md hint 09-demo`,
      "Think of a famous number.",
      FENCE,
      "",
      `${FENCE}ts check 09-demo`,
      'await check("09-demo", { answer: answer })',
      FENCE,
      "",
      `${FENCE}bash`,
      "echo a shell example stays in the prose",
      FENCE,
      "",
      "## Summary",
      "",
      "Done.",
      "",
      "## Going further",
      "",
      "Lesson 10.",
      "",
    ].join("\n"),
  );
}

const PATH = "lessons/src/09-test.md";
const parse = (text: string, knownExercises?: string[]) => parseLesson(text, PATH, { knownExercises });

function cellTexts(text: string, variant: "learner" | "instructor"): string[] {
  return lessonNotebook(parse(text), variant).cells.map((cell) => `${cell.cell_type}: ${cell.source.join("")}`);
}

describe("lesson sources", () => {
  it("reads front matter, title and segments", () => {
    const lesson = parse(source());
    assert.equal(lesson.number, "09");
    assert.equal(lesson.name, "09-test");
    assert.equal(lesson.title, "Lesson 9 · A test");
    assert.deepEqual(lesson.meta, { budget: 60, minutes: 15 });
    assert.deepEqual(
      lesson.segments.map((s) => s.kind),
      ["markdown", "markdown", "code", "markdown", "exercise", "hint", "check", "markdown", "markdown", "markdown"],
    );
  });

  it("builds the learner notebook: starter, collapsed hint, check; no solution, no author note", () => {
    const cells = cellTexts(source(), "learner");
    assert.deepEqual(cells, [
      "markdown: # Lesson 9 · A test\n\nIntro paragraph.",
      "markdown: ## What you will learn\n\n- one thing",
      "code: const a = 1;",
      "markdown: Some prose.\n\n### A sub-heading stays in the same cell",
      "code: const answer = 0; // your answer",
      "markdown: <details><summary style=\"display: list-item\"><strong>Hint</strong> (open it when you are stuck)</summary>\n\nThink of a famous number.\n\n</details>",
      'code: await check("09-demo", { answer: answer })',
      "markdown: ```bash\necho a shell example stays in the prose\n```",
      "markdown: ## Summary\n\nDone.",
      "markdown: ## Going further\n\nLesson 10.",
    ]);
    const text = serializeNotebook(lessonNotebook(parse(source()), "learner"));
    assert.ok(!text.includes("42"), "the solution is not in the learner notebook");
    assert.ok(!text.includes("Author's note"));
  });

  it("builds the instructor notebook: the solution, announced, in place of the starter", () => {
    const cells = cellTexts(source(), "instructor");
    assert.equal(cells[4], "markdown: > **Instructor build.** The solution of exercise `09-demo`; learners start from a starter here.");
    assert.equal(cells[5], "code: const answer = 42;");
    assert.ok(!cells.some((cell) => cell.includes("your answer")));
  });

  it("writes nbformat 4.5 with the convlab kernel, tagged exercise cells and no outputs", () => {
    const notebook = lessonNotebook(parse(source()), "learner");
    assert.equal(notebook.nbformat, 4);
    assert.equal(notebook.nbformat_minor, 5);
    assert.deepEqual(notebook.metadata.kernelspec, { display_name: "TypeScript (convlab)", language: "typescript", name: "convlab" });
    assert.deepEqual(notebook.metadata.convlab, { lesson: "09", title: "Lesson 9 · A test", source: "src/09-test.md", variant: "learner", budgetSeconds: 60, minutes: 15 });
    const starter = notebook.cells.find((cell) => cell.metadata.convlab?.role === "starter")!;
    assert.deepEqual(starter.metadata, { convlab: { exercise: "09-demo", role: "starter" }, tags: ["exercise"] });
    for (const cell of notebook.cells.filter((c) => c.cell_type === "code")) {
      assert.deepEqual(cell.outputs, []);
      assert.equal(cell.execution_count, null);
    }
    const ids = notebook.cells.map((cell) => cell.id);
    assert.equal(new Set(ids).size, ids.length);
    ids.forEach((id) => assert.match(id, /^[a-zA-Z0-9-_]{1,64}$/));
  });

  it("is deterministic, with ids that follow the content", () => {
    const once = serializeNotebook(lessonNotebook(parse(source()), "learner"));
    assert.equal(serializeNotebook(lessonNotebook(parse(source()), "learner")), once);
    const edited = lessonNotebook(parse(source((t) => t.replace("Some prose.", "Other prose."))), "learner");
    const original = lessonNotebook(parse(source()), "learner");
    const changed = original.cells.map((cell, i) => cell.id !== edited.cells[i].id);
    assert.deepEqual(changed, original.cells.map((cell) => cell.source.join("").startsWith("Some prose.")));
    assert.ok(once.endsWith("}\n"));
    assert.match(once, /^\{\n "cells": \[/, "Jupyter's one-space indent, keys sorted");
  });

  it("keeps a cell's source as Jupyter does: lines ending in \\n but the last", () => {
    assert.deepEqual(sourceLines("a\nb\n\nc"), ["a\n", "b\n", "\n", "c"]);
    assert.deepEqual(sourceLines("one"), ["one"]);
  });

  const mistakes: [string, (text: string) => string, RegExp][] = [
    ["no front matter", (t) => t.replace(/^---[\s\S]*?---\n/, ""), /09-test\.md:1: a lesson starts with front matter/],
    ["a budget over 3 minutes", (t) => t.replace("budget: 60", "budget: 240"), /budget \(seconds to execute\) must be from 1 to 180 \(got 240\)/],
    ["a learner time out of range", (t) => t.replace("minutes: 15", "minutes: 45"), /minutes \(a learner's time\) must be from 10 to 30/],
    ["an unknown front matter key", (t) => t.replace("minutes: 15", "minutes: 15\nauthor: me"), /09-test\.md:4: front matter holds/],
    ["no title", (t) => t.replace("# Lesson 9 · A test", "Lesson 9"), /a lesson starts with its title/],
    ["a second title", (t) => t.replace("## Summary", "# Summary"), /a lesson has one title/],
    ["no summary", (t) => t.replace("## Summary", "## Recap"), /every lesson has a "## Summary" section/],
    ["no objectives", (t) => t.replace("## What you will learn", "## Intro"), /"## What you will learn" section/],
    ["no going further", (t) => t.replace("## Going further", "## Next"), /"## Going further" section/],
    ["an unknown role", (t) => t.replace("ts check 09-demo", "ts verify 09-demo"), /09-test\.md:36: "verify" is not a fence role/],
    ["a role without an id", (t) => t.replace("ts check 09-demo", "ts check"), /a check fence names one exercise id/],
    ["a solution away from its starter", (t) => t.replace(`${FENCE}ts solution`, `Prose in between.\n\n${FENCE}ts solution`), /the solution of 09-demo must come right after its starter/],
    ["no solution", (t) => t.replace(/```ts solution 09-demo\n.*\n```\n/, ""), /exercise 09-demo has no solution/],
    ["a starter that is the solution", (t) => t.replace("const answer = 0; // your answer", "const answer = 42;"), /the starter of 09-demo is its solution/],
    ["no check", (t) => t.replace(/```ts check 09-demo\n.*\n```\n/, ""), /exercise 09-demo needs exactly one check/],
    ["a check that checks another exercise", (t) => t.replace('check("09-demo"', 'check("09-other"'), /the check cell of 09-demo must call check\("09-demo"/],
    ["a check whose exercise is missing", (t) => t.replace("ts starter 09-demo", "ts starter 09-late").replace("ts solution 09-demo", "ts solution 09-late").replace("md hint 09-demo", "md hint 09-late"), /09-test\.md:36: this check belongs to exercise 09-demo, whose starter is missing/],
    ["a check before its exercise", (t) => t.replace(/(```ts starter[\s\S]*?)(```ts check 09-demo\n.*\n```\n)/, "$2\n$1"), /this check belongs to exercise 09-demo, whose starter comes after it/],
    ["an id of another lesson", (t) => t.replaceAll("09-demo", "08-demo"), /exercise ids of lesson 09 start with "09-"/],
    ["no exercise at all", (t) => t.replace(/```ts starter[\s\S]*?```ts check 09-demo\n.*\n```\n/, ""), /every lesson has at least one exercise/],
    ["a code role in a Markdown fence", (t) => t.replace("ts starter 09-demo", "md starter 09-demo"), /a starter is code/],
    ["an empty fence", (t) => t.replace("const a = 1;\n", ""), /this fence is empty/],
  ];
  for (const [what, change, error] of mistakes) {
    it(`refuses ${what}, saying where`, () => {
      assert.throws(() => parse(source(change)), error);
    });
  }

  it("refuses an exercise id that check() does not know", () => {
    assert.throws(() => parse(source(), ["01-predict"]), /09-test\.md:24: check\(\) knows no exercise 09-demo: define it in lib\/check\/exercises\//);
    assert.doesNotThrow(() => parse(source(), ["09-demo"]));
  });

  it("refuses a badly named source file", () => {
    assert.throws(() => parseLesson(source(), "lessons/src/Lesson9.md"), /a lesson source is named NN-words\.md/);
  });
});
