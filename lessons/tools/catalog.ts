/**
 * Where the lessons live and how they are built: sources in lessons/src,
 * learner notebooks beside them in lessons/, the instructor build in
 * build/lessons-instructor/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exerciseIds } from "../../lib/check";
import { packageRoot } from "../../kernel/package-root";
import { Lesson, SOURCE_NAME, parseLesson } from "./lesson-source";
import { Variant, lessonNotebook, serializeNotebook } from "./notebook";

export const ROOT = packageRoot();
export const LESSONS_DIR = join(ROOT, "lessons");
export const SOURCES_DIR = join(LESSONS_DIR, "src");
export const INSTRUCTOR_DIR = join(ROOT, "build", "lessons-instructor");
/** A built notebook's name: what the learner sees in lessons/. */
export const NOTEBOOK_NAME = /^\d\d-[a-z0-9-]+\.ipynb$/;

/** Every lesson source, parsed and checked, in lesson order. */
export function loadLessons(): Lesson[] {
  const known = exerciseIds();
  return readdirSync(SOURCES_DIR)
    .filter((file) => file.endsWith(".md"))
    .sort()
    .map((file) => {
      if (!SOURCE_NAME.test(file)) throw new Error(`lessons/src/${file}: lesson sources are named NN-words.md.`);
      return parseLesson(readFileSync(join(SOURCES_DIR, file), "utf8"), `lessons/src/${file}`, { knownExercises: known });
    })
    .map((lesson, i, all) => {
      const twin = all.find((other, j) => j !== i && other.number === lesson.number);
      if (twin) throw new Error(`${lesson.path} and ${twin.path} have the same lesson number.`);
      return lesson;
    });
}

/** Keeps the lessons whose numbers are asked for ("4", "04" or "04-name"); all of them when none is. */
export function selectLessons(lessons: Lesson[], wanted: readonly string[]): Lesson[] {
  if (wanted.length === 0) return lessons;
  return wanted.map((want) => {
    const number = /^\d+/.exec(want)?.[0]?.padStart(2, "0");
    const found = lessons.find((lesson) => lesson.number === number);
    if (!found) throw new Error(`There is no lesson "${want}". The lessons are: ${lessons.map((l) => l.name).join(", ")}.`);
    return found;
  });
}

export function notebookText(lesson: Lesson, variant: Variant): string {
  return serializeNotebook(lessonNotebook(lesson, variant));
}

export interface BuildReport {
  written: string[];
  unchanged: string[];
  removed: string[];
}

/**
 * Writes the learner notebooks into lessons/ (or the instructor notebooks into
 * build/lessons-instructor/) and removes built notebooks whose source is gone.
 */
export function buildNotebooks(variant: Variant, lessons: Lesson[] = loadLessons()): BuildReport {
  const dir = variant === "learner" ? LESSONS_DIR : INSTRUCTOR_DIR;
  mkdirSync(dir, { recursive: true });
  const report: BuildReport = { written: [], unchanged: [], removed: [] };
  const names = new Set(lessons.map((lesson) => `${lesson.name}.ipynb`));
  for (const lesson of lessons) {
    const path = join(dir, `${lesson.name}.ipynb`);
    const text = notebookText(lesson, variant);
    if (existsSync(path) && readFileSync(path, "utf8") === text) {
      report.unchanged.push(path);
    } else {
      writeFileSync(path, text);
      report.written.push(path);
    }
  }
  for (const file of readdirSync(dir)) {
    if (NOTEBOOK_NAME.test(file) && !names.has(file)) {
      rmSync(join(dir, file));
      report.removed.push(join(dir, file));
    }
  }
  return report;
}
