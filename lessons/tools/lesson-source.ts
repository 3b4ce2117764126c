/**
 * Reading a lesson source (lessons/src/NN-name.md) into its parts: front
 * matter, prose, code, and exercises (a starter the learner edits, a hidden
 * solution, a check). markdown-it finds the blocks; the prose is kept as the
 * author wrote it, line for line.
 *
 * Fences carry the roles in their info string:
 *
 *     ```ts                          a code cell
 *     ```ts starter 03-small-cnn     what the learner starts from
 *     ```ts solution 03-small-cnn    hidden from learners; the instructor build shows it
 *     ```ts check 03-small-cnn       runs check("03-small-cnn", …)
 *     ```md hint 03-small-cnn        a collapsed hint
 *     ```ts claim                    claim("what the text says", condition): left out of the
 *                                    learner's notebook, executed in CI after the cells above it
 *
 * A top-level HTML comment is a note for authors and never reaches a notebook.
 */
import MarkdownIt from "markdown-it";
import { basename } from "node:path";

export interface LessonMeta {
  /** Most seconds the lesson may take to execute on a 2-core machine (at most 180). */
  budget: number;
  /** Minutes a learner spends on it (10 to 30). */
  minutes: number;
}

export type Segment =
  | { kind: "markdown"; text: string; line: number }
  | { kind: "code"; code: string; line: number }
  | { kind: "exercise"; id: string; starter: string; solution: string; line: number }
  | { kind: "check"; id: string; code: string; line: number }
  | { kind: "hint"; id: string; text: string; line: number }
  | { kind: "claim"; code: string; line: number };

export interface Lesson {
  /** "01" */
  number: string;
  /** "01-training-and-inference": the notebook's file name without .ipynb. */
  name: string;
  title: string;
  meta: LessonMeta;
  segments: Segment[];
  /** Path of the source, for messages. */
  path: string;
}

export interface ParseOptions {
  /** Exercise ids that check() knows; a source naming another one is an error. Default: not checked. */
  knownExercises?: readonly string[];
}

/** A mistake in a lesson source, with the file and line. */
export class LessonSourceError extends Error {
  constructor(path: string, line: number | null, message: string) {
    super(`${path}${line !== null ? `:${line}` : ""}: ${message}`);
    this.name = "LessonSourceError";
  }
}

export const MAX_BUDGET_SECONDS = 180;
export const SOURCE_NAME = /^(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*\.md$/;
/** Sections every lesson has (second-level headings, matched at the start). */
export const REQUIRED_SECTIONS = ["What you will learn", "Summary", "Going further"];

const CODE_LANGUAGES = new Set(["ts", "typescript"]);
const MARKDOWN_LANGUAGES = new Set(["md", "markdown"]);
const ROLES = new Set(["starter", "solution", "check", "hint", "claim"]);
/** A claim fence calls claim(statement, holds) at least once. */
export const CLAIM_CALL = /\bclaim\(/g;

export function parseLesson(text: string, path: string, options: ParseOptions = {}): Lesson {
  const file = basename(path);
  const named = SOURCE_NAME.exec(file);
  if (!named) throw new LessonSourceError(path, null, `a lesson source is named NN-words.md (two digits, lowercase words joined by -), not "${file}".`);
  const { meta, body } = readFrontMatter(text, path);
  const lines = body.split("\n");
  const tokens = new MarkdownIt({ html: true }).parse(body, {});

  const segments: Segment[] = [];
  let prose: { text: string; line: number } | null = null;
  const flushProse = (): void => {
    if (prose) segments.push({ kind: "markdown", text: prose.text, line: prose.line });
    prose = null;
  };
  let title: string | null = null;
  const sections: string[] = [];

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.level !== 0 || !token.map) continue;
    const [start, end] = token.map;
    const line = start + 1;
    if (token.type === "heading_open") {
      const heading = tokens[i + 1]?.content ?? "";
      if (token.tag === "h1") {
        if (title !== null) throw new LessonSourceError(path, line, `a lesson has one title (# heading); found a second one, "${heading}".`);
        if (segments.length > 0 || prose) throw new LessonSourceError(path, line, "the title (# heading) comes first.");
        title = heading;
      }
      if (token.tag === "h2") sections.push(heading);
      // A new section starts a new markdown cell, which keeps cells short.
      if (token.tag === "h1" || token.tag === "h2") flushProse();
    }
    if (token.type === "html_block" && /^\s*<!--[\s\S]*-->\s*$/.test(token.content)) continue;
    if (token.type === "fence") {
      const [language = "", role, id, ...rest] = token.info.trim().split(/\s+/);
      const isCode = CODE_LANGUAGES.has(language);
      const isMarkdown = MARKDOWN_LANGUAGES.has(language);
      if (role !== undefined && (isCode || isMarkdown)) {
        if (!ROLES.has(role)) {
          throw new LessonSourceError(path, line, `"${role}" is not a fence role; use starter, solution, check, hint or claim (e.g. \`\`\`ts starter ${named[1]}-name).`);
        }
        if (role === "claim") {
          if (!isCode) throw new LessonSourceError(path, line, "a claim is code: ```ts claim.");
          if (id !== undefined) throw new LessonSourceError(path, line, `a claim fence takes no name (\`\`\`ts claim); the statement is claim()'s first argument, not "${[id, ...rest].join(" ")}".`);
        } else if (!id || rest.length > 0) throw new LessonSourceError(path, line, `a ${role} fence names one exercise id: \`\`\`${language} ${role} ${named[1]}-name.`);
        if ((role === "hint") !== isMarkdown) {
          throw new LessonSourceError(path, line, role === "hint" ? "a hint is Markdown: ```md hint <id>." : `a ${role} is code: \`\`\`ts ${role} <id>.`);
        }
      }
      if (isCode || (isMarkdown && role === "hint")) {
        flushProse();
        const content = token.content.replace(/\n$/, "");
        if (content.trim() === "") throw new LessonSourceError(path, line, "this fence is empty.");
        const swallowed = content.split("\n").findIndex((codeLine) => codeLine.trimStart().startsWith("```"));
        if (swallowed >= 0) {
          throw new LessonSourceError(path, line + 1 + swallowed, "this line starts with ``` inside a code fence: a closing ``` stands alone on its line, or the fence swallows the text after it.");
        }
        addFence(segments, { role, id, content, line }, path);
        continue;
      }
    }
    const raw = trimBlank(lines.slice(start, end)).join("\n");
    if (prose) prose.text += "\n\n" + raw;
    else prose = { text: raw, line };
  }
  flushProse();

  if (title === null) throw new LessonSourceError(path, 1, "a lesson starts with its title, a # heading.");
  const lesson: Lesson = { number: named[1], name: file.replace(/\.md$/, ""), title, meta, segments, path };
  validate(lesson, sections, options);
  return lesson;
}

function addFence(segments: Segment[], fence: { role?: string; id?: string; content: string; line: number }, path: string): void {
  const { role, id, content, line } = fence;
  if (role === "claim") {
    if (!new RegExp(CLAIM_CALL.source).test(content)) {
      throw new LessonSourceError(path, line, 'a claim fence calls claim("what the text says", condition), e.g. claim("the loss falls", last < first).');
    }
    if (!segments.some((s) => s.kind === "code" || s.kind === "exercise")) {
      throw new LessonSourceError(path, line, "a claim checks the run of the cells above it; this one has no code cell before it.");
    }
    segments.push({ kind: "claim", code: content, line });
    return;
  }
  if (role === undefined || id === undefined) {
    segments.push({ kind: "code", code: content, line });
    return;
  }
  switch (role) {
    case "starter":
      segments.push({ kind: "exercise", id, starter: content, solution: "", line });
      return;
    case "solution": {
      const previous = segments[segments.length - 1];
      if (previous?.kind !== "exercise" || previous.id !== id || previous.solution !== "") {
        throw new LessonSourceError(path, line, `the solution of ${id} must come right after its starter (\`\`\`ts starter ${id}).`);
      }
      previous.solution = content;
      return;
    }
    case "check":
      if (!new RegExp(`\\bcheck\\(\\s*["']${escapeRegExp(id)}["']`).test(content)) {
        throw new LessonSourceError(path, line, `the check cell of ${id} must call check("${id}", { … }).`);
      }
      segments.push({ kind: "check", id, code: content, line });
      return;
    case "hint":
      segments.push({ kind: "hint", id, text: content, line });
      return;
  }
}

function validate(lesson: Lesson, sections: string[], options: ParseOptions): void {
  const { path } = lesson;
  for (const required of REQUIRED_SECTIONS) {
    if (!sections.some((s) => s.toLowerCase().startsWith(required.toLowerCase()))) {
      throw new LessonSourceError(path, null, `every lesson has a "## ${required}" section; this one does not.`);
    }
  }
  const exercises = lesson.segments.filter((s): s is Extract<Segment, { kind: "exercise" }> => s.kind === "exercise");
  if (exercises.length === 0) throw new LessonSourceError(path, null, "every lesson has at least one exercise (```ts starter / solution / check).");
  const seen = new Set<string>();
  for (const exercise of exercises) {
    if (seen.has(exercise.id)) throw new LessonSourceError(path, exercise.line, `exercise ${exercise.id} appears twice.`);
    seen.add(exercise.id);
    if (!exercise.id.startsWith(`${lesson.number}-`)) {
      throw new LessonSourceError(path, exercise.line, `exercise ids of lesson ${lesson.number} start with "${lesson.number}-" (got ${exercise.id}).`);
    }
    if (exercise.solution === "") throw new LessonSourceError(path, exercise.line, `exercise ${exercise.id} has no solution (\`\`\`ts solution ${exercise.id} right after the starter).`);
    if (exercise.solution.trim() === exercise.starter.trim()) throw new LessonSourceError(path, exercise.line, `the starter of ${exercise.id} is its solution.`);
    if (options.knownExercises && !options.knownExercises.includes(exercise.id)) {
      throw new LessonSourceError(path, exercise.line, `check() knows no exercise ${exercise.id}: define it in lib/check/exercises/.`);
    }
  }
  const checks = new Map<string, number>();
  for (const [position, segment] of lesson.segments.entries()) {
    if (segment.kind === "check" || segment.kind === "hint") {
      const at = lesson.segments.findIndex((s) => s.kind === "exercise" && s.id === segment.id);
      if (at < 0 || (segment.kind === "check" && at > position)) {
        throw new LessonSourceError(path, segment.line, `this ${segment.kind} belongs to exercise ${segment.id}, whose starter ${at < 0 ? "is missing" : "comes after it"}.`);
      }
    }
    if (segment.kind === "check") checks.set(segment.id, (checks.get(segment.id) ?? 0) + 1);
  }
  for (const exercise of exercises) {
    if (checks.get(exercise.id) !== 1) {
      throw new LessonSourceError(path, exercise.line, `exercise ${exercise.id} needs exactly one check (\`\`\`ts check ${exercise.id}); it has ${checks.get(exercise.id) ?? 0}.`);
    }
  }
}

/** Front matter: `---`, lines of `key: number`, `---`. Replaced by blank lines so that line numbers stay right. */
function readFrontMatter(text: string, path: string): { meta: LessonMeta; body: string } {
  const normalized = text.replace(/\r\n/g, "\n");
  const match = /^---\n([\s\S]*?)\n---\n/.exec(normalized);
  if (!match) throw new LessonSourceError(path, 1, "a lesson starts with front matter:\n---\nbudget: 120   # seconds to execute, at most 180\nminutes: 20   # for a learner\n---");
  const values: Record<string, number> = {};
  match[1].split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    const pair = /^([a-z]+):\s*(\d+(?:\.\d+)?)$/.exec(line);
    if (!pair || !["budget", "minutes"].includes(pair[1])) {
      throw new LessonSourceError(path, i + 2, `front matter holds "budget: <seconds>" and "minutes: <minutes>"; cannot read "${raw}".`);
    }
    values[pair[1]] = Number(pair[2]);
  });
  const { budget, minutes } = values;
  if (!(budget > 0 && budget <= MAX_BUDGET_SECONDS)) {
    throw new LessonSourceError(path, 1, `budget (seconds to execute) must be from 1 to ${MAX_BUDGET_SECONDS} (got ${budget ?? "none"}).`);
  }
  if (!(minutes >= 10 && minutes <= 30)) throw new LessonSourceError(path, 1, `minutes (a learner's time) must be from 10 to 30 (got ${minutes ?? "none"}).`);
  const blank = "\n".repeat(match[0].split("\n").length - 1);
  return { meta: { budget, minutes }, body: blank + normalized.slice(match[0].length) };
}

function trimBlank(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start].trim() === "") start++;
  while (end > start && lines[end - 1].trim() === "") end--;
  return lines.slice(start, end);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
