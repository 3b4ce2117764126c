/**
 * A parsed lesson as a Jupyter notebook (nbformat 4.5), in two variants:
 *
 * - "learner": each exercise cell holds its starter; the solution is not in
 *   the file at all. These are the committed lessons/NN-name.ipynb.
 * - "instructor": each exercise cell holds its solution, after a note.
 *
 * Claim cells (```ts claim) are left out of the learner's notebook and shown
 * in the instructor's: an instructor running the lesson on a lab server (a
 * GPU, other timings) sees at once, before the class, whether each statement
 * the text makes still holds on that machine, and which sentences are backed
 * by the run at all. The executed builds (npm run lessons, npm test) include
 * them in both variants (see execute.ts).
 *
 * The output is deterministic (sorted keys, Jupyter's one-space indent, cell
 * ids from the content) so that a test can compare a committed notebook with
 * a fresh build byte for byte, and Jupyter re-saving an unexecuted notebook
 * changes nothing.
 */
import { createHash } from "node:crypto";
import type { Lesson, Segment } from "./lesson-source";

export type Variant = "learner" | "instructor";
export const VARIANTS: readonly Variant[] = ["learner", "instructor"];

export type CellRole = "starter" | "solution" | "check" | "hint" | "solution-note";

export interface CellMetadata {
  convlab?: { exercise: string; role: CellRole } | { role: "claim" };
  tags?: string[];
}

export interface NotebookCell {
  cell_type: "markdown" | "code";
  id: string;
  metadata: CellMetadata;
  source: string[];
  outputs?: unknown[];
  execution_count?: number | null;
}

export interface Notebook {
  cells: NotebookCell[];
  metadata: {
    kernelspec: { display_name: string; language: string; name: string };
    language_info: Record<string, unknown>;
    convlab: { lesson: string; title: string; source: string; variant: Variant; budgetSeconds: number; minutes: number };
  };
  nbformat: 4;
  nbformat_minor: 5;
}

/** The kernel every lesson runs on (see kernel/kernelspec.ts). */
export const KERNELSPEC = { display_name: "TypeScript (convlab)", language: "typescript", name: "convlab" };

export interface NotebookOptions {
  /** Whether claim cells are in the notebook. Default: in the instructor variant only. */
  claims?: boolean;
}

/** The line that starts every claim cell: claim() needs no import in a claim fence. */
export const CLAIM_PREAMBLE = 'import { claim } from "convlab"; // a claim: what the text above says, checked against this run (not in the learner\'s notebook)';

export function lessonNotebook(lesson: Lesson, variant: Variant, options: NotebookOptions = {}): Notebook {
  const withClaims = options.claims ?? variant === "instructor";
  const cells: Omit<NotebookCell, "id">[] = [];
  const markdown = (text: string, metadata: CellMetadata = {}): void => {
    cells.push({ cell_type: "markdown", metadata, source: sourceLines(text) });
  };
  const code = (text: string, metadata: CellMetadata = {}): void => {
    cells.push({ cell_type: "code", metadata, source: sourceLines(text), outputs: [], execution_count: null });
  };
  // Without its claim cells, a notebook reads as if the claims had never been written:
  // prose that a claim split in two (not at a heading) is one cell again.
  const segments = withClaims ? lesson.segments : joinProseAcrossClaims(lesson.segments);
  for (const segment of segments) {
    switch (segment.kind) {
      case "markdown":
        markdown(segment.text);
        break;
      case "code":
        code(segment.code);
        break;
      case "exercise":
        if (variant === "learner") {
          code(segment.starter, { convlab: { exercise: segment.id, role: "starter" }, tags: ["exercise"] });
        } else {
          markdown(`> **Instructor build.** The solution of exercise \`${segment.id}\`; learners start from a starter here.`, {
            convlab: { exercise: segment.id, role: "solution-note" },
          });
          code(segment.solution, { convlab: { exercise: segment.id, role: "solution" }, tags: ["solution"] });
        }
        break;
      case "check":
        code(segment.code, { convlab: { exercise: segment.id, role: "check" }, tags: ["check"] });
        break;
      case "claim":
        if (withClaims) code(claimCell(segment.code), { convlab: { role: "claim" }, tags: ["claim"] });
        break;
      case "hint":
        // The classic Notebook's stylesheet makes <summary> a block, which hides its ▸ marker; list-item brings it back.
        markdown(`<details><summary style="display: list-item"><strong>Hint</strong> (open it when you are stuck)</summary>\n\n${segment.text}\n\n</details>`, {
          convlab: { exercise: segment.id, role: "hint" },
        });
        break;
    }
  }
  return {
    cells: withIds(cells),
    metadata: {
      kernelspec: { ...KERNELSPEC },
      language_info: {
        codemirror_mode: { name: "javascript", typescript: true },
        file_extension: ".ts",
        mimetype: "text/typescript",
        name: "typescript",
        pygments_lexer: "typescript",
      },
      convlab: {
        lesson: lesson.number,
        title: lesson.title,
        source: `src/${lesson.name}.md`,
        variant,
        budgetSeconds: lesson.meta.budget,
        minutes: lesson.meta.minutes,
      },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

function joinProseAcrossClaims(segments: readonly Segment[]): Segment[] {
  const joined: Segment[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.kind === "claim") continue;
    const previous = joined[joined.length - 1];
    if (segment.kind === "markdown" && previous?.kind === "markdown" && segments[i - 1]?.kind === "claim" && !/^#{1,2}\s/.test(segment.text)) {
      joined[joined.length - 1] = { ...previous, text: `${previous.text}\n\n${segment.text}` };
    } else {
      joined.push(segment);
    }
  }
  return joined;
}

/**
 * A claim fence as a cell: claim() imported, and the author's code in a block
 * of its own, so that nothing it declares reaches later cells (which must run
 * the same without it, in the learner's notebook).
 */
export function claimCell(code: string): string {
  const body = code
    .split("\n")
    .map((line) => (line.trim() === "" ? "" : `  ${line}`))
    .join("\n");
  return `${CLAIM_PREAMBLE}\n{\n${body}\n}`;
}

/** The notebook as Jupyter writes it: keys sorted, one-space indent, final newline. */
export function serializeNotebook(notebook: unknown): string {
  return JSON.stringify(sortKeys(notebook), null, 1) + "\n";
}

/** Jupyter keeps a cell's source as lines, each but the last ending in "\n". */
export function sourceLines(text: string): string[] {
  const lines = text.split("\n");
  return lines.map((line, i) => (i < lines.length - 1 ? line + "\n" : line)).filter((line) => line !== "");
}

/** Ids from the content, so that editing one cell leaves the others' ids alone. */
function withIds(cells: Omit<NotebookCell, "id">[]): NotebookCell[] {
  const used = new Set<string>();
  return cells.map((cell) => {
    const base = createHash("sha256").update(`${cell.cell_type}\n${cell.source.join("")}`).digest("hex").slice(0, 8);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return { ...cell, id };
  });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
