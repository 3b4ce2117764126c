/**
 * Input history, kept across kernel restarts in a small JSON-lines file, and
 * queried the three ways Jupyter asks: tail, range and search.
 *
 * Each kernel start is a new session, numbered one past the newest session in
 * the file. Lines are the cells' execution counts.
 *
 * Bounded, like IPython's history: each cell's code (up to MAX_INPUT
 * characters) and the start of its text result (MAX_OUTPUT characters); the
 * newest KEEP cells, in at most MAX_FILE_BYTES. A start reads only the end
 * of a larger file, and rewrites it within the limits.
 */
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export interface HistoryEntry {
  session: number;
  line: number;
  input: string;
  output: string | null;
}

/** [session, line, input] or, with output, [session, line, [input, output]]. */
export type HistoryRow = [number, number, string | [string, string | null]];

export const HISTORY_LIMITS = {
  /** Cells kept. */
  KEEP: 10_000,
  /** Characters of a cell's code kept. */
  MAX_INPUT: 100_000,
  /** Characters of a cell's text result kept. */
  MAX_OUTPUT: 1_000,
  /** Size of the file at most (twice this before it is rewritten). */
  MAX_FILE_BYTES: 4 * 2 ** 20,
};

const TRUNCATED = " …[truncated]";

function clip(text: string, limit: number): string {
  return text.length > limit ? text.slice(0, limit) + TRUNCATED : text;
}

function line(e: HistoryEntry): string {
  return JSON.stringify({ s: e.session, l: e.line, i: e.input, o: e.output }) + "\n";
}

export function defaultHistoryFile(): string {
  if (process.env.CONVLAB_HISTORY_FILE) return process.env.CONVLAB_HISTORY_FILE;
  const dataHome = process.env.XDG_DATA_HOME || path.join(homedir(), ".local", "share");
  return path.join(dataHome, "convlab", "history.jsonl");
}

export class HistoryStore {
  private entries: HistoryEntry[] = [];
  readonly session: number;
  private writable = true;
  /** Bytes the entries take in the file. */
  private bytes = 0;

  constructor(private readonly file: string = defaultHistoryFile()) {
    const { entries, rewrite } = this.load();
    this.entries = entries;
    this.bytes = entries.reduce((sum, e) => sum + Buffer.byteLength(line(e)), 0);
    this.session = this.entries.reduce((max, e) => Math.max(max, e.session), 0) + 1;
    if (rewrite || this.overLimits()) this.compact();
  }

  add(lineNumber: number, input: string, output: string | null = null): void {
    const entry: HistoryEntry = {
      session: this.session,
      line: lineNumber,
      input: clip(input, HISTORY_LIMITS.MAX_INPUT),
      output: output === null ? null : clip(output, HISTORY_LIMITS.MAX_OUTPUT),
    };
    this.entries.push(entry);
    const text = line(entry);
    this.bytes += Buffer.byteLength(text);
    if (this.overLimits()) return this.compact();
    if (!this.writable) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      appendFileSync(this.file, text);
    } catch {
      this.writable = false; // read-only home: keep history in memory only
    }
  }

  private overLimits(): boolean {
    return this.entries.length > 2 * HISTORY_LIMITS.KEEP || this.bytes > 2 * HISTORY_LIMITS.MAX_FILE_BYTES;
  }

  /** The last `n` entries, oldest first. */
  tail(n: number, output: boolean): HistoryRow[] {
    return this.rows(this.entries.slice(-Math.max(0, n)), output);
  }

  /**
   * Lines [start, stop) of a session. Session 0 or less counts back from the
   * current one (0 = this session, -1 = the previous), as IPython does.
   */
  range(session: number, start: number, stop: number | undefined, output: boolean): HistoryRow[] {
    const wanted = session > 0 ? session : this.session + session;
    const picked = this.entries.filter(
      (e) => e.session === wanted && e.line >= start && (stop === undefined || stop <= 0 || e.line < stop),
    );
    return this.rows(picked, output);
  }

  /** Entries whose input matches a glob (`*`, `?`, `[...]`); the last `n`, or all; `unique` drops repeats. */
  search(pattern: string, n: number | undefined, unique: boolean, output: boolean): HistoryRow[] {
    const regex = globToRegExp(pattern);
    let picked = this.entries.filter((e) => regex.test(e.input));
    if (unique) {
      const seen = new Set<string>();
      picked = picked.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input)).reverse();
    }
    if (n !== undefined && n > 0) picked = picked.slice(-n);
    return this.rows(picked, output);
  }

  private rows(entries: HistoryEntry[], output: boolean): HistoryRow[] {
    return entries.map((e) => [e.session, e.line, output ? [e.input, e.output] : e.input]);
  }

  /** The file's entries; of a file over the limit, only those in its last MAX_FILE_BYTES. */
  private load(): { entries: HistoryEntry[]; rewrite: boolean } {
    let text: string;
    let skippedStart: boolean;
    try {
      const fd = openSync(this.file, "r");
      try {
        const size = fstatSync(fd).size;
        const length = Math.min(size, HISTORY_LIMITS.MAX_FILE_BYTES);
        const buffer = Buffer.alloc(length);
        readSync(fd, buffer, 0, length, size - length);
        text = buffer.toString("utf8");
        skippedStart = length < size;
      } finally {
        closeSync(fd);
      }
    } catch {
      return { entries: [], rewrite: false };
    }
    const lines = text.split("\n");
    // Reading from the middle of a file starts inside a line.
    if (skippedStart) lines.shift();
    const entries: HistoryEntry[] = [];
    let clipped = false;
    for (const raw of lines) {
      if (!raw.trim()) continue;
      try {
        const e = JSON.parse(raw) as { s: number; l: number; i: string; o?: string | null };
        if (typeof e.s === "number" && typeof e.l === "number" && typeof e.i === "string") {
          const input = clip(e.i, HISTORY_LIMITS.MAX_INPUT);
          const output = typeof e.o === "string" ? clip(e.o, HISTORY_LIMITS.MAX_OUTPUT) : null;
          clipped ||= input !== e.i || output !== (e.o ?? null);
          entries.push({ session: e.s, line: e.l, input, output });
        }
      } catch {
        // A torn line (two kernels writing at once, a crash) is skipped, not fatal.
      }
    }
    return { entries, rewrite: skippedStart || clipped };
  }

  /** Keeps the newest entries within the limits, and rewrites the file with them. */
  private compact(): void {
    const newest = this.entries.slice(-HISTORY_LIMITS.KEEP);
    let bytes = newest.reduce((sum, e) => sum + Buffer.byteLength(line(e)), 0);
    let first = 0;
    while (bytes > HISTORY_LIMITS.MAX_FILE_BYTES && first < newest.length - 1) bytes -= Buffer.byteLength(line(newest[first++]));
    const kept = newest.slice(first);
    this.entries = kept;
    this.bytes = bytes;
    if (!this.writable) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileSync(this.file, kept.map(line).join(""));
    } catch {
      this.writable = false;
    }
  }
}

/** Shell-style glob, matched against the whole input (as IPython's history search does). */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") source += "[\\s\\S]*";
    else if (c === "?") source += "[\\s\\S]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) source += "\\[";
      else {
        let set = glob.slice(i + 1, end).replace(/\\/g, "\\\\");
        if (set.startsWith("!")) set = "^" + set.slice(1);
        source += `[${set}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
