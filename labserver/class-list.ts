/**
 * The class list: who may log in. A text file with one name per line, or a
 * CSV whose header has a `username` (or `name`) column. Blank lines and
 * lines starting with # are ignored. Each name becomes a hub login and a
 * Unix user, so it must be a valid, portable Unix user name.
 */
import { readFileSync } from "node:fs";

/** POSIX-portable user names as useradd accepts them by default, at most 32 characters. */
const USERNAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** Names that exist on nearly every system or mean something to JupyterHub. */
const RESERVED = new Set(["root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy", "www-data", "backup", "list", "irc", "nobody", "admin", "hub", "services", "user"]);

export class ClassListError extends Error {}

/** The learners' names from a class list file, in file order. Throws ClassListError naming every problem found. */
export function readClassList(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ClassListError(`The class list ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Give a text file with one learner name per line, or a CSV with a "username" column.`);
  }
  return parseClassList(text, file);
}

export function parseClassList(text: string, source = "the class list"): string[] {
  const lines = text.split(/\r?\n/).map((line, i) => ({ line: line.trim(), number: i + 1 })).filter((l) => l.line !== "" && !l.line.startsWith("#"));
  if (lines.length === 0) throw new ClassListError(`${source} has no names. Give one learner name per line (e.g. "ada"), or a CSV with a "username" column.`);
  const entries = lines[0].line.includes(",") ? csvNames(lines, source) : lines.map((l) => ({ name: l.line, number: l.number }));
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const { name, number } of entries) {
    if (!USERNAME.test(name)) {
      problems.push(`line ${number}: "${name}" is not a valid user name (lower-case letters, digits, "_" and "-", starting with a letter or "_", at most 32 characters${/[A-Z]/.test(name) ? `; try "${name.toLowerCase()}"` : ""})`);
    } else if (RESERVED.has(name)) {
      problems.push(`line ${number}: "${name}" is reserved (a system or hub name); choose another`);
    } else if (seen.has(name)) {
      problems.push(`line ${number}: "${name}" is listed twice (first on line ${seen.get(name)})`);
    } else {
      seen.set(name, number);
    }
  }
  if (problems.length > 0) throw new ClassListError(`${source} has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}; nothing was created:\n  ${problems.join("\n  ")}`);
  return [...seen.keys()];
}

function csvNames(lines: { line: string; number: number }[], source: string): { name: string; number: number }[] {
  const header = splitCsv(lines[0].line).map((h) => h.toLowerCase());
  const column = ["username", "user", "name", "login"].map((h) => header.indexOf(h)).find((i) => i >= 0);
  if (column === undefined) {
    throw new ClassListError(`${source} looks like a CSV (its first line has commas) but its header has no "username" column (found: ${header.join(", ")}). Add a header line such as "username,full name".`);
  }
  return lines.slice(1).map((l) => {
    const cells = splitCsv(l.line);
    if (cells.length !== header.length) {
      throw new ClassListError(`${source}, line ${l.number}: ${cells.length} fields where the header has ${header.length}; nothing was created. Quote fields that contain commas.`);
    }
    return { name: cells[column], number: l.number };
  });
}

/** One CSV line: commas separate fields; double quotes protect commas and "" is a quote. */
function splitCsv(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (ch === "," && !quoted) {
      cells.push(cell.trim());
      cell = "";
    } else {
      cell += ch;
    }
  }
  cells.push(cell.trim());
  return cells;
}
