/**
 * Each learner's own copy of the lessons, in ~/lessons. A copy is never
 * overwritten: when a newer version of a lesson ships, it is put beside the
 * learner's as `<lesson>.update-<version>.ipynb`, once. What each learner
 * was given is remembered in ~/.convlab/lessons.json.
 */
import { createHash } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Account } from "./users";

interface Given {
  /** Per lesson file: the hashes of every version given (the first is the original copy). */
  [file: string]: string[];
}

export interface LessonCopyReport {
  copied: string[];
  /** Update files written beside lessons the learner already has. */
  offered: string[];
  /** Lessons left alone (the learner's copy, whatever its state). */
  kept: string[];
}

/** Copies the lesson notebooks into the learner's ~/lessons without touching an existing file. */
export function copyLessons(lessonsDir: string, account: Account): LessonCopyReport {
  const target = path.join(account.home, "lessons");
  const manifestFile = path.join(account.home, ".convlab", "lessons.json");
  ensureOwnedDir(path.dirname(manifestFile), account);
  ensureOwnedDir(target, account);
  const given: Given = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, "utf8")) : {};
  const report: LessonCopyReport = { copied: [], offered: [], kept: [] };
  for (const file of readdirSync(lessonsDir).filter((f) => f.endsWith(".ipynb")).sort()) {
    const content = readFileSync(path.join(lessonsDir, file));
    const hash = createHash("sha256").update(content).digest("hex").slice(0, 12);
    const destination = path.join(target, file);
    const versions = (given[file] ??= []);
    if (!existsSync(destination) && versions.length === 0) {
      writeOwned(destination, content, account);
      versions.push(hash);
      report.copied.push(file);
    } else if (versions.includes(hash)) {
      report.kept.push(file);
    } else {
      const update = path.join(target, file.replace(/\.ipynb$/, `.update-${hash}.ipynb`));
      if (!existsSync(update)) writeOwned(update, content, account);
      versions.push(hash);
      report.offered.push(path.basename(update));
    }
  }
  writeOwned(manifestFile, JSON.stringify(given, null, 2) + "\n", account);
  return report;
}

function ensureOwnedDir(dir: string, account: Account): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownSync(dir, account.uid, account.gid);
}

function writeOwned(file: string, content: string | Buffer, account: Account): void {
  writeFileSync(file, content, { mode: 0o600 });
  chownSync(file, account.uid, account.gid);
}
