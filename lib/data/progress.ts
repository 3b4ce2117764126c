/**
 * A progress line for long work (importing thousands of images), shown
 * through the display protocol and replaced in place at most a few times a
 * second, so the notebook stays responsive. Outside a notebook it shows nothing.
 */
import { DisplayHandle, displayBundle, inNotebook, MimeBundle } from "../display";
import { escapeHtml, formatCount } from "../display/html";

export interface ProgressOptions {
  /** Show it even outside a notebook (on stdout). Default: only in a notebook. */
  force?: boolean;
  /** Shortest time between two updates, in milliseconds. Default 250. */
  intervalMs?: number;
}

export class ProgressLine {
  private handle: DisplayHandle | undefined;
  private lastShown = 0;
  private readonly started = Date.now();
  private readonly visible: boolean;
  private readonly intervalMs: number;

  constructor(
    private readonly title: string,
    private total: number,
    options: ProgressOptions = {},
  ) {
    this.visible = options.force ?? inNotebook();
    this.intervalMs = options.intervalMs ?? 250;
  }

  /** Reports `done` of `total` units; shown only if the last update is old enough. */
  update(done: number, note = ""): void {
    if (!this.visible) return;
    const now = Date.now();
    if (this.handle && now - this.lastShown < this.intervalMs && done < this.total) return;
    this.lastShown = now;
    this.show(this.bundle(done, note));
  }

  /** Replaces the progress line with a final display (a report), or removes the bar's motion. */
  finish(bundle?: MimeBundle): void {
    if (!this.visible) return;
    if (bundle) this.show(bundle);
  }

  /** Seconds since the line was created. */
  get elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  private show(bundle: MimeBundle): void {
    if (this.handle) this.handle.updateBundle(bundle);
    else this.handle = displayBundle(bundle);
  }

  private bundle(done: number, note: string): MimeBundle {
    const seconds = this.elapsedSeconds;
    const rate = seconds > 0 ? done / seconds : 0;
    const percent = this.total > 0 ? Math.floor((100 * done) / this.total) : 100;
    const remaining = rate > 0 && done < this.total ? ` about ${Math.ceil((this.total - done) / rate)} s left` : "";
    const text =
      `${this.title}: ${formatCount(done)} / ${formatCount(this.total)} (${percent}%), ` +
      `${rate.toFixed(0)}/s${remaining ? "," + remaining : ""}${note ? `, ${note}` : ""}`;
    return {
      "text/plain": text,
      "text/html":
        `<div style="font-family:sans-serif;font-size:13px"><progress value="${done}" max="${this.total}" style="width:240px;vertical-align:middle"></progress> ` +
        `${escapeHtml(text)}</div>`,
    };
  }
}
