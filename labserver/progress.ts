/**
 * The instructor's view: per learner and exercise, the latest check() result
 * (pass / not yet, when, how many tries), the lesson each learner is on and
 * whether their kernel is busy. Everything is read through the hub with the
 * view's admin-scoped token: the hub API for servers, and each running
 * server's own API for its sessions and the learner's ~/.convlab/checks.jsonl
 * (check() writes it in the learner's own folder). A stopped server cannot
 * be read, so the last reading is kept and shown as such.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../kernel/package-root";
import { classBarChart } from "../lib/charts";
import { CHECKS_FILE, exerciseIds, getExercise, parseCheckEntries, type CheckEntry } from "../lib/check";
import { escapeHtml, htmlTable } from "../lib/display/html";
import type { HubApi } from "./hub-api";

export interface ExerciseStatus {
  passed: boolean;
  /** ISO time of the latest check. */
  at: string;
  tries: number;
}

export interface LearnerProgress {
  name: string;
  server: "running" | "starting" | "stopped";
  /** The lesson whose notebook was used last ("01-training-and-inference"), else the lesson of the latest check. */
  lesson: string | null;
  /** A kernel of this learner's is executing now. */
  busy: boolean;
  exercises: Record<string, ExerciseStatus>;
  /** When the results were read (for a stopped server: the last time it could be). */
  readAt: string | null;
}

export interface ClassProgress {
  at: string;
  learners: LearnerProgress[];
  /** The exercises of every lesson some learner has reached, in order. */
  exercises: { id: string; title: string }[];
}

/** Folds check entries into the latest result and the number of tries per exercise. */
export function summarizeChecks(entries: readonly CheckEntry[]): Record<string, ExerciseStatus> {
  const result: Record<string, ExerciseStatus> = {};
  for (const entry of entries) {
    const previous = result[entry.exercise];
    result[entry.exercise] = { passed: entry.passed, at: entry.at, tries: (previous?.tries ?? 0) + 1 };
  }
  return result;
}

/** Reads one learner through the hub; `previous` is the last reading, kept when the server is not running. */
export async function readLearner(hub: HubApi, name: string, previous?: LearnerProgress): Promise<LearnerProgress> {
  const server = (await hub.user(name)).servers?.[""];
  if (!server?.ready) {
    return { ...(previous ?? { name, lesson: null, exercises: {}, readAt: null }), name, server: server ? "starting" : "stopped", busy: false };
  }
  const [sessions, checks] = await Promise.all([hub.sessions(name), hub.readText(name, `.convlab/${CHECKS_FILE}`)]);
  const entries = parseCheckEntries(checks ?? "");
  const latestSession = [...sessions].sort((a, b) => b.kernel.last_activity.localeCompare(a.kernel.last_activity))[0];
  const lessonOfSession = latestSession ? /(\d\d-[a-z0-9-]+?)(?:\.update-[0-9a-f]+)?\.ipynb$/.exec(latestSession.path)?.[1] : undefined;
  const latestCheck = entries.at(-1)?.exercise;
  return {
    name,
    server: "running",
    lesson: lessonOfSession ?? (latestCheck ? lessonNamed(latestCheck.slice(0, 2)) : null),
    busy: sessions.some((s) => s.kernel.execution_state === "busy"),
    exercises: summarizeChecks(entries),
    readAt: new Date().toISOString(),
  };
}

export async function readClass(hub: HubApi, learners: readonly string[], previous: Map<string, LearnerProgress> = new Map()): Promise<ClassProgress> {
  const read = await Promise.all(learners.map((name) => readLearner(hub, name, previous.get(name)).catch((): LearnerProgress => ({ ...(previous.get(name) ?? { name, lesson: null, exercises: {}, readAt: null }), server: "stopped", busy: false }))));
  return { at: new Date().toISOString(), learners: read, exercises: exercisesReached(read) };
}

/** "01" → "01-training-and-inference", from the shipped lesson notebooks. */
function lessonNamed(number: string): string {
  const file = readdirSync(path.join(packageRoot(), "lessons")).find((f) => f.startsWith(`${number}-`) && f.endsWith(".ipynb"));
  return file ? file.replace(/\.ipynb$/, "") : number;
}

/** The exercises of the lessons some learner is on or has checked, in lesson order. */
function exercisesReached(learners: readonly LearnerProgress[]): { id: string; title: string }[] {
  const lessons = new Set<string>();
  for (const learner of learners) {
    if (learner.lesson) lessons.add(learner.lesson.slice(0, 2));
    for (const id of Object.keys(learner.exercises)) lessons.add(id.slice(0, 2));
  }
  const known = exerciseIds();
  const ids = known.filter((id) => lessons.has(id.slice(0, 2)));
  // Exercises a learner checked that this convlab does not know (a newer lesson version) still show.
  for (const learner of learners) for (const id of Object.keys(learner.exercises)) if (!ids.includes(id)) ids.push(id);
  return ids.sort().map((id) => ({ id, title: known.includes(id) ? getExercise(id).title : id }));
}

/** Per exercise: how many learners passed, are trying (not yet), have not checked it. */
export function classCounts(progress: ClassProgress): { exercise: string; passed: number; notYet: number; notTried: number }[] {
  return progress.exercises.map(({ id }) => {
    const statuses = progress.learners.map((l) => l.exercises[id]);
    const passed = statuses.filter((s) => s?.passed).length;
    const notYet = statuses.filter((s) => s && !s.passed).length;
    return { exercise: id, passed, notYet, notTried: progress.learners.length - passed - notYet };
  });
}

/** The page: a class-progress chart and a table with one row per learner. */
export function renderProgressPage(progress: ClassProgress, refreshSeconds = 15): string {
  const counts = classCounts(progress);
  const chart =
    counts.length > 0
      ? classBarChart(
          counts.map((c) => c.exercise),
          // Shares of the class, so the axis reads in percent whatever the class's size.
          { passed: share(counts, "passed"), "not yet": share(counts, "notYet"), "not tried": share(counts, "notTried") },
          { title: `Share of the class (${progress.learners.length} learners) per exercise`, valueLabels: false },
        ).toSVG()
      : "<p>No learner has opened a lesson or run a check yet.</p>";
  const headers = ["Learner", "Server", "Lesson", "Kernel", ...progress.exercises.map((e) => e.id)];
  const rows = progress.learners.map((l) => [
    l.name,
    l.server === "running" ? "running" : `${l.server}${l.readAt ? ` (as of ${time(l.readAt)})` : ""}`,
    l.lesson ?? "—",
    { html: l.busy ? "<strong>busy</strong>" : "idle" },
    ...progress.exercises.map((e) => ({ html: cell(l.exercises[e.id]) })),
  ]);
  const legend = progress.exercises.map((e) => `<li><code>${escapeHtml(e.id)}</code>: ${escapeHtml(e.title)}</li>`).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="${refreshSeconds}"><title>Class progress</title>
<style>body{font-family:system-ui,sans-serif;margin:24px}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}.pass{color:#2e7d32}.notyet{color:#c62828}</style></head>
<body><h1>Class progress</h1><p>Read through the hub at ${escapeHtml(time(progress.at))}; refreshes every ${refreshSeconds} s.</p>
${chart}
${htmlTable(headers, rows)}
<ul>${legend}</ul></body></html>`;
}

function share(counts: ReturnType<typeof classCounts>, key: "passed" | "notYet" | "notTried"): number[] {
  return counts.map((c) => c[key] / Math.max(1, c.passed + c.notYet + c.notTried));
}

function cell(status: ExerciseStatus | undefined): string {
  if (!status) return "—";
  const tries = `${status.tries} ${status.tries === 1 ? "try" : "tries"}`;
  return status.passed
    ? `<span class="pass">✓ passed</span> ${time(status.at)}, ${tries}`
    : `<span class="notyet">✗ not yet</span> ${time(status.at)}, ${tries}`;
}

function time(iso: string): string {
  return new Date(iso).toISOString().slice(11, 19) + " UTC";
}
