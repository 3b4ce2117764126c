/**
 * A learner's check() results, kept in their own folder so that an
 * instructor's lab server can show the class's progress: each check()
 * appends one line to $CONVLAB_PROGRESS_DIR/checks.jsonl. The lab server sets
 * that variable for each learner's server (~/.convlab); elsewhere it is unset
 * and nothing is written.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { CheckRecord } from "./result";

/** The file, in the progress folder, that check() appends to. */
export const CHECKS_FILE = "checks.jsonl";

/** One line of checks.jsonl. */
export interface CheckEntry {
  exercise: string;
  title: string;
  passed: boolean;
  /** ISO time of the check. */
  at: string;
}

export function recordCheck(record: CheckRecord, dir = process.env.CONVLAB_PROGRESS_DIR): void {
  if (!dir) return;
  const entry: CheckEntry = { exercise: record.exercise, title: record.title, passed: record.passed, at: new Date().toISOString() };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    appendFileSync(path.join(dir, CHECKS_FILE), JSON.stringify(entry) + "\n");
  } catch {
    // The record is for the instructor; a full disk or a read-only folder must not break the learner's check.
  }
}

/** The entries of a checks.jsonl text; lines that are not entries (a torn last line) are skipped. */
export function parseCheckEntries(text: string): CheckEntry[] {
  const entries: CheckEntry[] = [];
  for (const line of text.split("\n")) {
    try {
      const entry = JSON.parse(line) as CheckEntry;
      if (typeof entry.exercise === "string" && typeof entry.passed === "boolean" && typeof entry.at === "string") entries.push(entry);
    } catch {
      // blank or torn line
    }
  }
  return entries;
}
