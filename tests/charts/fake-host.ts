/** A NotebookHost that records what the library sends, for tests. */
import { HOST, type DisplayOptions, type MimeBundle, type NotebookHost } from "../../lib/display";

export interface SentOutput {
  bundle: MimeBundle;
  options: DisplayOptions;
  /** Clock reading when it was sent. */
  at: number;
}

export class FakeNotebookHost implements NotebookHost {
  readonly sent: SentOutput[] = [];
  readonly controller = new AbortController();
  clears = 0;

  constructor(
    readonly headless = false,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  display(bundle: MimeBundle, options: DisplayOptions = {}): void {
    this.sent.push({ bundle, options, at: this.clock() });
  }

  clearOutput(): void {
    this.clears++;
  }

  input(): Promise<string> {
    return Promise.resolve("");
  }

  /** The outputs a notebook would keep: updates replace the output with the same display id. */
  keptOutputs(): MimeBundle[] {
    const kept: { id?: string; bundle: MimeBundle }[] = [];
    for (const { bundle, options } of this.sent) {
      const existing = options.displayId ? kept.find((k) => k.id === options.displayId) : undefined;
      if (options.update) {
        if (existing) existing.bundle = bundle;
      } else {
        kept.push({ id: options.displayId, bundle });
      }
    }
    return kept.map((k) => k.bundle);
  }

  install(): this {
    (globalThis as Record<symbol, unknown>)[HOST] = this;
    return this;
  }

  static uninstall(): void {
    delete (globalThis as Record<symbol, unknown>)[HOST];
  }
}

/** A clock the test moves by hand. */
export class FakeClock {
  time = 0;
  readonly now = () => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}
