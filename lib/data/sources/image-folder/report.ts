/**
 * What an import did, as data and as a rich display: every skipped file and
 * why, counts per class and split, class imbalance, classes left out, and
 * identical images that ended up in two splits (leakage: the model would be
 * tested on pictures it trained on).
 */
import { DISPLAY, MimeBundle } from "../../../display";
import { ClassCounts } from "../../class-counts";
import { escapeHtml, formatBytes, formatCount, htmlTable } from "../../../display/html";
import type { SplitName } from "../../dataset";
import type { SkipReason } from "./decode";
import type { ResolvedImportOptions } from "./options";
import { countByReason, skippedClause, splitSizesText, splitTotal } from "../report-text";

export interface SkippedFile {
  /** Path relative to the folder it was found in, e.g. "cats/broken.jpg". */
  path: string;
  /** Which folder: "folder", "validation folder" or "test folder". */
  folder: string;
  reason: SkipReason;
  detail: string;
}

/** A folder the import did not look into (hidden, a link loop, a link to nothing), and why. */
export interface IgnoredFolder {
  /** Path relative to the folder it was found in, e.g. ".ipynb_checkpoints". */
  path: string;
  /** Which folder: "folder", "validation folder" or "test folder". */
  folder: string;
  reason: string;
}

export interface ClassReport {
  label: string;
  folder: string;
  /** Files found under the class folder(s), usable or not. */
  files: number;
  /** Images decoded and kept. */
  usable: number;
  skipped: number;
  /** Usable images left out by maxPerClass. */
  overMax: number;
  train: number;
  validation: number;
  test: number;
}

export interface DroppedClass {
  label: string;
  folder: string;
  usable: number;
  reason: string;
}

export interface DuplicateGroup {
  sha256: string;
  files: { path: string; split: SplitName; className: string }[];
}

export interface ImportReportData {
  name: string;
  folder: string;
  validationFolder: string | null;
  testFolder: string | null;
  options: ResolvedImportOptions;
  /** Classes kept, in label order. */
  classes: ClassReport[];
  droppedClasses: DroppedClass[];
  splitSizes: Record<SplitName, number>;
  skipped: SkippedFile[];
  /** Folders not scanned (hidden folders such as .ipynb_checkpoints, symbolic-link loops). */
  ignored: IgnoredFolder[];
  /** Largest class / smallest class (in images used). */
  imbalanceRatio: number;
  /** Identical files (same bytes) in more than one split. */
  leakage: DuplicateGroup[];
  /** Identical files filed under different classes. */
  labelConflicts: DuplicateGroup[];
  /** Files read and decoded by the import that made the cache. */
  imagesDecoded: number;
  /** Seconds the import that made the cache took. */
  seconds: number;
  cache: { dir: string | null; key: string; hit: boolean; pixelBytes: number };
  /** The mean image of the training split as a PNG (base64), as DIGITS shows it. */
  meanImagePng: string | null;
}

const SHOWN_ROWS = 200;

export class ImportReport implements ImportReportData {
  name!: string;
  folder!: string;
  validationFolder!: string | null;
  testFolder!: string | null;
  options!: ResolvedImportOptions;
  classes!: ClassReport[];
  droppedClasses!: DroppedClass[];
  splitSizes!: Record<SplitName, number>;
  skipped!: SkippedFile[];
  ignored: IgnoredFolder[] = [];
  imbalanceRatio!: number;
  leakage!: DuplicateGroup[];
  labelConflicts!: DuplicateGroup[];
  imagesDecoded!: number;
  seconds!: number;
  cache!: ImportReportData["cache"];
  meanImagePng!: string | null;

  constructor(data: ImportReportData) {
    Object.assign(this, data);
    // Caches written before the import listed ignored folders have none.
    this.ignored ??= [];
  }

  /** Skipped files counted by reason. */
  get skippedByReason(): Partial<Record<SkipReason, number>> {
    return countByReason(this.skipped);
  }

  get totalImages(): number {
    return splitTotal(this.splitSizes);
  }

  /** Plain data, e.g. for JSON.stringify or a test. */
  toJSON(): ImportReportData {
    const { ...data } = this;
    return data;
  }

  private headline(): string {
    const o = this.options;
    return (
      `${this.name}: ${formatCount(this.totalImages)} images in ${this.classes.length} classes, ` +
      `${o.width}×${o.height} ${o.imageType} (${o.resizeMode}); ${splitSizesText(this.splitSizes)}${skippedClause(this.skipped, "file")}` +
      (this.cache.hit ? "; read from the cache, no image decoded" : `; decoded ${formatCount(this.imagesDecoded)} files in ${this.seconds.toFixed(1)} s`)
    );
  }

  private warnings(): string[] {
    const out: string[] = [];
    if (this.imbalanceRatio >= 2) {
      out.push(`Classes are imbalanced: the largest has ${this.imbalanceRatio.toFixed(1)}× as many images as the smallest. Watch per-class accuracy, or cap classes with maxPerClass.`);
    }
    for (const d of this.droppedClasses) out.push(`Class "${d.label}" (${d.folder}) was left out: ${d.reason}.`);
    if (this.leakage.length) {
      out.push(`${this.leakage.length} identical image(s) appear in more than one split: the model would be evaluated on images it trained on. Remove the copies.`);
    }
    if (this.labelConflicts.length) {
      out.push(`${this.labelConflicts.length} identical image(s) are filed under different classes. Decide which class each belongs to.`);
    }
    return out;
  }

  toString(): string {
    const lines = [this.headline(), ...this.warnings().map((w) => `warning: ${w}`)];
    for (const s of this.skipped.slice(0, SHOWN_ROWS)) lines.push(`skipped ${s.path} (${s.folder}): ${s.reason}: ${s.detail}`);
    if (this.skipped.length > SHOWN_ROWS) lines.push(`... and ${this.skipped.length - SHOWN_ROWS} more skipped files (see report.skipped)`);
    for (const i of this.ignored.slice(0, SHOWN_ROWS)) lines.push(`ignored ${i.path}/ (${i.folder}): ${i.reason}`);
    for (const g of this.leakage) lines.push(`leakage: ${g.files.map((f) => `${f.path} (${f.split})`).join(" = ")}`);
    return lines.join("\n");
  }

  toHtml(): string {
    const counts = new ClassCounts(
      this.classes.map((c) => c.label),
      {
        train: this.classes.map((c) => c.train),
        validation: this.classes.map((c) => c.validation),
        test: this.classes.map((c) => c.test),
      },
      "Images per class and split",
    );
    const classRows = this.classes.map((c) => [c.label, c.folder, c.files, c.usable, c.skipped, c.overMax, c.train, c.validation, c.test]);
    const warnings = this.warnings();
    const parts = [
      `<div style="font-family:sans-serif;font-size:13px">`,
      `<div style="font-weight:bold;font-size:14px;margin-bottom:4px">${escapeHtml(this.headline())}</div>`,
      warnings.length ? `<ul style="color:#a04000;margin:4px 0">${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>` : "",
      `<div style="display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start">`,
      htmlTable(["class", "folder", "files", "used", "skipped", "over max", "train", "validation", "test"], classRows, "Classes"),
      this.meanImagePng
        ? `<figure style="margin:0"><img src="data:image/png;base64,${this.meanImagePng}" style="width:128px;image-rendering:pixelated"/><figcaption>mean training image</figcaption></figure>`
        : "",
      `</div>`,
      counts.toHtml(),
    ];
    if (this.skipped.length) {
      const rows = this.skipped.slice(0, SHOWN_ROWS).map((s) => [s.path, s.folder, s.reason, s.detail]);
      parts.push(htmlTable(["file", "in", "reason", "detail"], rows, `Skipped files (${formatCount(this.skipped.length)})`));
      if (this.skipped.length > SHOWN_ROWS) parts.push(`<div>… and ${formatCount(this.skipped.length - SHOWN_ROWS)} more: see report.skipped.</div>`);
    }
    if (this.ignored.length) {
      const rows = this.ignored.slice(0, SHOWN_ROWS).map((i) => [`${i.path}/`, i.folder, i.reason]);
      parts.push(htmlTable(["folder", "in", "why it was ignored"], rows, `Ignored folders (${formatCount(this.ignored.length)})`));
    }
    for (const [title, groups] of [["Identical images in more than one split (leakage)", this.leakage], ["Identical images under different classes", this.labelConflicts]] as const) {
      if (!groups.length) continue;
      const rows = groups.slice(0, SHOWN_ROWS).map((g) => [g.files.map((f) => `${f.path} (${f.split}, ${f.className})`).join("  =  ")]);
      parts.push(htmlTable(["files with the same bytes"], rows, `${title} (${formatCount(groups.length)})`));
    }
    parts.push(
      `<div style="color:#555;font-size:12px;margin-top:4px">Cache: ${escapeHtml(this.cache.dir ?? "off")} ` +
        `(${formatBytes(this.cache.pixelBytes)} of pixels)${this.cache.hit ? ", reused" : ""}.</div></div>`,
    );
    return parts.join("");
  }

  [DISPLAY](): MimeBundle {
    return { "text/html": this.toHtml(), "text/plain": this.toString() };
  }
}
