/**
 * Input history, kept across kernel restarts in a small JSON-lines file, and
 * queried the three ways Jupyter asks: tail, range and search.
 *
 * Each kernel start is a new session, numbered one past the newest session in
 * the file. Lines are the cells' execution counts.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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

const KEEP = 10_000;

export function defaultHistoryFile(): string {
  if (process.env.CONVLAB_HISTORY_FILE) return process.env.CONVLAB_HISTORY_FILE;
  const dataHome = process.env.XDG_DATA_HOME || path.join(homedir(), ".local", "share");
  return path.join(dataHome, "convlab", "history.jsonl");
}

export class HistoryStore {
  private entries: HistoryEntry[] = [];
  readonly session: number;
  private writable = true;

  constructor(private readonly file: string = defaultHistoryFile()) {
    this.entries = this.load();
    this.session = this.entries.reduce((max, e) => Math.max(max, e.session), 0) + 1;
    if (this.entries.length > 2 * KEEP) this.compact();
  }

  add(line: number, input: string, output: string | null = null): void {
    const entry: HistoryEntry = { session: this.session, line, input, output };
    this.entries.push(entry);
    if (!this.writable) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      appendFileSync(this.file, JSON.stringify({ s: entry.session, l: line, i: input, o: output }) + "\n");
    } catch {
      this.writable = false; // read-only home: keep history in memory only
    }
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

  private load(): HistoryEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return [];
    }
    const entries: HistoryEntry[] = [];
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        const raw = JSON.parse(line) as { s: number; l: number; i: string; o?: string | null };
        if (typeof raw.s === "number" && typeof raw.l === "number" && typeof raw.i === "string") {
          entries.push({ session: raw.s, line: raw.l, input: raw.i, output: raw.o ?? null });
        }
      } catch {
        // A torn line (two kernels writing at once, a crash) is skipped, not fatal.
      }
    }
    return entries;
  }

  private compact(): void {
    this.entries = this.entries.slice(-KEEP);
    try {
      const text = this.entries.map((e) => JSON.stringify({ s: e.session, l: e.line, i: e.input, o: e.output })).join("\n");
      writeFileSync(this.file, text + "\n");
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
