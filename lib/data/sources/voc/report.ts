/**
 * What importVocFolder read and left out, as data and as a display: like the
 * image-folder import's report, every skipped image with its reason.
 */
import { DISPLAY, type MimeBundle } from "../../../display";
import { escapeHtml, formatCount, htmlTable } from "../../../display/html";
import type { SplitName } from "../../dataset";
import { countByReason, skippedClause, splitSizesText, splitTotal } from "../report-text";

export type VocSkipReason =
  | "missing annotation"
  | "unreadable annotation"
  | "missing image"
  | "unreadable image"
  | "size mismatch"
  | "unknown class"
  | "box outside the image"
  | "bad box";

export interface VocSkip {
  /** The image id (file name without extension). */
  id: string;
  reason: VocSkipReason;
  detail: string;
}

export interface VocImportReportData {
  name: string;
  folder: string;
  width: number;
  height: number;
  imageType: "grayscale" | "color";
  classNames: string[];
  splitSizes: Record<SplitName, number>;
  objects: number;
  skipped: VocSkip[];
  notes: string[];
  seconds: number;
}

const SHOWN = 200;

export class VocImportReport implements VocImportReportData {
  name!: string;
  folder!: string;
  width!: number;
  height!: number;
  imageType!: "grayscale" | "color";
  classNames!: string[];
  splitSizes!: Record<SplitName, number>;
  objects!: number;
  skipped!: VocSkip[];
  notes!: string[];
  seconds!: number;

  constructor(data: VocImportReportData) {
    Object.assign(this, data);
  }

  get skippedByReason(): Partial<Record<VocSkipReason, number>> {
    return countByReason(this.skipped);
  }

  toJSON(): VocImportReportData {
    const { ...data } = this;
    return data;
  }

  private headline(): string {
    const s = this.splitSizes;
    return (
      `${this.name}: ${formatCount(splitTotal(s))} images with ${formatCount(this.objects)} objects in ${this.classNames.length} classes, ` +
      `${this.width}×${this.height} ${this.imageType}; ${splitSizesText(s)}${skippedClause(this.skipped, "image")}`
    );
  }

  toString(): string {
    const lines = [this.headline(), ...this.notes.map((n) => `note: ${n}`)];
    for (const s of this.skipped.slice(0, SHOWN)) lines.push(`skipped ${s.id}: ${s.reason}: ${s.detail}`);
    if (this.skipped.length > SHOWN) lines.push(`... and ${this.skipped.length - SHOWN} more (see report.skipped)`);
    return lines.join("\n");
  }

  [DISPLAY](): MimeBundle {
    const rows = this.skipped.slice(0, SHOWN).map((s) => [s.id, s.reason, s.detail]);
    return {
      "text/plain": this.toString(),
      "text/html":
        `<p><b>${escapeHtml(this.headline())}</b></p>` +
        (this.notes.length ? `<ul>${this.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>` : "") +
        (rows.length ? htmlTable(["image", "reason", "detail"], rows, "Skipped images") : ""),
    };
  }
}
