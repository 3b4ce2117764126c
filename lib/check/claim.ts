/**
 * claim(): a lesson author's guarantee that the text says what the run shows.
 *
 *     claim("the largest rate diverges", rates.trials.at(-1)!.stopReason === "nan")
 *
 * A claim lives in a ```ts claim fence of a lesson source, right after the
 * cells whose outputs the prose describes. The learner's notebook leaves it
 * out; `npm run lessons` and `npm test` execute it and fail, naming the lesson
 * and the statement, when it does not hold. It shows itself as one line (✓ or
 * ✗ and the statement) and as JSON (CLAIM_MIME) for the tools that read
 * executed notebooks.
 */
import { displayBundle } from "../display";

/** The MIME type of a claim's JSON form in a notebook output. */
export const CLAIM_MIME = "application/vnd.convlab.claim+json";

/** The JSON form of a claim. */
export interface ClaimRecord {
  statement: string;
  holds: boolean;
  /** Why the claim could not be judged (its condition was not true or false). */
  problem?: string;
}

/**
 * Records that `statement`, which the lesson's text makes, holds in this run
 * (`holds` is the author's test of it, computed from the run's values).
 * Anything but `true` or `false` as `holds` counts as a claim that does not
 * hold, with the reason: a condition that cannot be judged guards nothing.
 */
export function claim(statement: string, holds: boolean): void {
  const record = claimRecord(statement, holds);
  const mark = record.holds ? "✓" : "✗";
  const text = `${mark} claim: ${record.statement}${record.problem ? ` (${record.problem})` : ""}`;
  displayBundle({ "text/plain": text, [CLAIM_MIME]: record });
}

export function claimRecord(statement: unknown, holds: unknown): ClaimRecord {
  if (typeof statement !== "string" || statement.trim() === "") {
    return { statement: String(statement), holds: false, problem: "a claim's first argument is the statement the text makes, as a sentence" };
  }
  if (typeof holds !== "boolean") {
    return { statement, holds: false, problem: `its condition gave ${describe(holds)}, not true or false` };
  }
  return { statement, holds };
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === "string") return `the string "${value}"`;
  if (typeof value === "number") return `the number ${value}`;
  return `a value of type ${typeof value}`;
}
