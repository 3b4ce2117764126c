/**
 * What check() returns: pass or "not yet", with one line per expectation.
 * It shows itself as a coloured box in the notebook, as text elsewhere, and
 * as JSON (CHECK_MIME) so that tools reading executed notebooks can tell a
 * pass from a failure.
 */
import { DISPLAY, MimeBundle } from "../display";
import { escapeHtml, textWithCode } from "../display/html";
import type { Exercise, Finding } from "./exercise";

/** The MIME type of a check's JSON form in a notebook output. */
export const CHECK_MIME = "application/vnd.convlab.check+json";

/** The JSON form of a check result. */
export interface CheckRecord {
  exercise: string;
  title: string;
  passed: boolean;
  findings: Finding[];
  /** Expectations not checked because an earlier, more basic one failed. */
  unchecked: number;
}

export class CheckResult {
  constructor(
    readonly exercise: Exercise,
    readonly findings: readonly Finding[],
    /** Expectations left unchecked after a failed gate. */
    readonly unchecked: number,
  ) {}

  /** True when every expectation holds. */
  get passed(): boolean {
    return this.unchecked === 0 && this.findings.length > 0 && this.findings.every((f) => f.passed);
  }

  /** The messages of the failed expectations. */
  get problems(): string[] {
    return this.findings.filter((f) => !f.passed).map((f) => f.message);
  }

  toJSON(): CheckRecord {
    return {
      exercise: this.exercise.id,
      title: this.exercise.title,
      passed: this.passed,
      findings: this.findings.map((f) => ({ ...f })),
      unchecked: this.unchecked,
    };
  }

  toString(): string {
    const head = this.passed ? `✓ Passed: ${this.exercise.title} (${this.exercise.id})` : `✗ Not yet: ${this.exercise.title} (${this.exercise.id})`;
    const lines = this.findings.map((f) => `  ${f.passed ? "✓" : "✗"} ${f.message}`);
    if (this.unchecked > 0) lines.push(`  … ${this.unchecked} more to check once this is fixed.`);
    if (this.passed && this.exercise.success) lines.push(`  ${this.exercise.success}`);
    return [head, ...lines].join("\n");
  }

  [DISPLAY](): MimeBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString(), [CHECK_MIME]: this.toJSON() };
  }

  private toHtml(): string {
    // Translucent colours read on light and dark notebook themes alike.
    const color = this.passed ? "#2e7d32" : "#c62828";
    const background = this.passed ? "rgba(46, 125, 50, 0.10)" : "rgba(198, 40, 40, 0.08)";
    const head = this.passed ? "✓ Passed" : "✗ Not yet";
    const items = this.findings
      .map((f) => `<li style="list-style:none;margin:2px 0"><span style="color:${f.passed ? "#2e7d32" : "#c62828"};font-weight:bold">${f.passed ? "✓" : "✗"}</span> ${textWithCode(f.message)}</li>`)
      .join("");
    const more = this.unchecked > 0 ? `<li style="list-style:none;margin:2px 0;opacity:0.75">… ${this.unchecked} more to check once this is fixed.</li>` : "";
    const success = this.passed && this.exercise.success ? `<div style="margin-top:4px">${textWithCode(this.exercise.success)}</div>` : "";
    return (
      `<div class="convlab-check" data-passed="${this.passed}" style="border-left:4px solid ${color};background:${background};padding:6px 12px;margin:4px 0;border-radius:3px">` +
      `<div><strong style="color:${color}">${head}</strong> — ${escapeHtml(this.exercise.title)} <span style="opacity:0.6">(${escapeHtml(this.exercise.id)})</span></div>` +
      `<ul style="margin:4px 0 0 0;padding-left:4px">${items}${more}</ul>${success}</div>`
    );
  }
}

