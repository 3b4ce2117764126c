/**
 * A notebook open in JupyterLab, driven as a learner drives it (menus,
 * keys) and read as the page shows it: the kernel messages the browser
 * received over its WebSocket, the notebook model, and each output's
 * rendering in the page.
 */
import type { ConsoleMessage, Page } from "playwright-core";
import type { JupyterServer } from "./jupyter-server";

export interface KernelMessage {
  channel: string;
  msgType: string;
  msgId: string;
  parentId: string;
  /** The kernel's timestamp. */
  date: string;
  content: Record<string, any>;
  /** When the browser received it (ms since the page opened the notebook). */
  receivedAt: number;
}

/** How one output is shown in the page. */
export interface RenderedOutput {
  /** The MIME type JupyterLab chose to render (its renderer's data-mime-type). */
  mime: string;
  /** The renderer's CSS classes, e.g. "jp-RenderedVegaCommon5" for Vega-Lite. */
  renderer: string;
  /** MIME types the output's bundle carries. */
  bundle: string[];
  /** A Vega view drew something (a canvas with pixels, or an SVG with marks). */
  vegaDrawn: boolean;
}

export interface NotebookJson {
  cells: { cell_type: string; source: string | string[]; outputs?: { output_type: string; data?: Record<string, unknown>; ename?: string; evalue?: string; text?: string | string[] }[] }[];
}

/** Decodes a kernel message frame (JupyterLab's v1 binary protocol, or JSON). */
export function decodeFrame(payload: string | Buffer, receivedAt: number): KernelMessage | null {
  let channel: string;
  let header: Record<string, any>;
  let parent: Record<string, any>;
  let content: Record<string, any>;
  try {
    if (typeof payload === "string") {
      const message = JSON.parse(payload);
      ({ channel, header, parent_header: parent, content } = message);
    } else {
      const count = Number(payload.readBigUInt64LE(0));
      const offsets = Array.from({ length: count }, (_, i) => Number(payload.readBigUInt64LE(8 * (i + 1))));
      const part = (i: number) => payload.subarray(offsets[i], i + 1 < count ? offsets[i + 1] : payload.length).toString("utf8");
      channel = part(0);
      header = JSON.parse(part(1));
      parent = JSON.parse(part(2));
      content = JSON.parse(part(4));
    }
  } catch {
    return null;
  }
  return { channel, msgType: header.msg_type, msgId: header.msg_id, parentId: parent?.msg_id ?? "", date: header.date, content, receivedAt };
}

export class LabNotebook {
  /** Kernel messages the browser received, and those it sent (requests). */
  readonly messages: KernelMessage[] = [];
  readonly sent: KernelMessage[] = [];
  /** When the page asked the server to interrupt the kernel (Date.now()). */
  readonly interruptsSent: number[] = [];
  private opened = 0;

  private constructor(
    readonly page: Page,
    readonly server: JupyterServer,
    readonly file: string,
    readonly console: ConsoleMessage[],
  ) {}

  /** Opens `file` (relative to the server's root) and waits until its kernel is idle. */
  static async open(page: Page, consoleMessages: ConsoleMessage[], server: JupyterServer, file: string): Promise<LabNotebook> {
    const notebook = new LabNotebook(page, server, file, consoleMessages);
    notebook.opened = Date.now();
    page.on("websocket", (socket) => {
      if (!socket.url().includes("/api/kernels/")) return;
      socket.on("framereceived", ({ payload }) => {
        const message = decodeFrame(payload, Date.now() - notebook.opened);
        if (message) notebook.messages.push(message);
      });
      socket.on("framesent", ({ payload }) => {
        const message = decodeFrame(payload, Date.now() - notebook.opened);
        if (message) notebook.sent.push(message);
      });
    });
    page.on("request", (request) => {
      if (request.method() === "POST" && /\/api\/kernels\/[^/]+\/interrupt/.test(request.url())) notebook.interruptsSent.push(Date.now());
    });
    await page.goto(server.url(`/lab/tree/${encodeURIComponent(file)}`), { timeout: 300_000 });
    await page.waitForFunction(
      (name) => {
        const widget = (globalThis as any).jupyterapp?.shell?.currentWidget;
        const ready = widget?.context?.path === name && widget.sessionContext?.session?.kernel?.status === "idle";
        // Kept, since other panels (the contextual help) become the current widget when opened.
        if (ready) (globalThis as any).convlabPanel = widget;
        return ready;
      },
      file,
      { timeout: 600_000, polling: 250 },
    );
    return notebook;
  }

  /** Milliseconds since the notebook was opened. */
  now(): number {
    return Date.now() - this.opened;
  }

  async kernelStatus(): Promise<string> {
    return this.page.evaluate(() => (globalThis as any).convlabPanel.sessionContext.session?.kernel?.status ?? "none");
  }

  /** Clicks a menu item, as a learner does: the menu bar's `menu`, then the item for `command`. */
  async menu(menu: string, command: string): Promise<void> {
    await this.page.locator(".lm-MenuBar-item", { hasText: menu }).first().click();
    await this.page.locator(`.lm-Menu-item[data-command="${command}"]`).first().click();
  }

  /**
   * Back to a known state, whatever an earlier step left: the kernel idle
   * (interrupted if it still runs something), no completer or menu open, the
   * notebook active in command mode.
   */
  async settle(): Promise<void> {
    if ((await this.kernelStatus()) !== "idle") {
      await this.page.evaluate(() => (globalThis as any).jupyterapp.commands.execute("kernelmenu:interrupt"));
      await this.page.waitForFunction(() => (globalThis as any).convlabPanel.sessionContext.session?.kernel?.status === "idle", null, { polling: 100, timeout: 300_000 });
    }
    await this.page.keyboard.press("Escape");
    await this.page.evaluate(async () => {
      const app = (globalThis as any).jupyterapp;
      const panel = (globalThis as any).convlabPanel;
      app.shell.activateById(panel.id);
      await app.commands.execute("notebook:enter-command-mode");
    });
  }

  /** Run ▸ Run All Cells; resolves when every cell has run (or one failed) and the kernel is idle. Returns the wall time in ms. */
  async runAll(timeoutMs: number): Promise<number> {
    const started = Date.now();
    await this.menu("Run", "runmenu:run-all");
    await this.waitForRunToEnd(timeoutMs);
    return Date.now() - started;
  }

  /** Waits until no cell is queued or running and the kernel is idle. */
  async waitForRunToEnd(timeoutMs: number): Promise<void> {
    await this.page.waitForFunction(
      () => {
        const panel = (globalThis as any).convlabPanel;
        const cells: any[] = panel.content.widgets.filter((c: any) => c.model.type === "code");
        const failed = cells.some((c) => c.model.outputs.toJSON().some((o: any) => o.output_type === "error"));
        const pending = cells.some((c) => (c.promptNode?.textContent ?? "").includes("*"));
        const unrun = cells.some((c) => c.model.executionCount === null);
        return panel.sessionContext.session?.kernel?.status === "idle" && !pending && (failed || !unrun);
      },
      null,
      { timeout: timeoutMs, polling: 500 },
    );
  }

  /** The notebook as nbformat JSON, from JupyterLab's model. */
  async json(): Promise<NotebookJson> {
    return this.page.evaluate(() => (globalThis as any).convlabPanel.context.model.toJSON());
  }

  /** How each code cell's outputs are rendered, by cell index. */
  async rendered(): Promise<RenderedOutput[][]> {
    return this.page.evaluate(() => {
      const panel = (globalThis as any).convlabPanel;
      return panel.content.widgets.map((cell: any) => {
        if (cell.model.type !== "code") return [];
        const models: any[] = cell.model.outputs.toJSON();
        const nodes: any[] = Array.from(cell.outputArea.node.querySelectorAll(".jp-OutputArea-output"));
        return nodes.map((node, i) => {
          const canvas = node.querySelector(".vega-embed canvas");
          const svgMarks = node.querySelector(".vega-embed svg .mark-line, .vega-embed svg .mark-symbol, .vega-embed svg .mark-rect, .vega-embed svg .mark-image");
          let painted = false;
          if (canvas && canvas.width > 0 && canvas.height > 0) {
            const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let p = 3; p < pixels.length; p += 4 * 97) if (pixels[p] !== 0) { painted = true; break; }
          }
          const bundle = Object.keys(models[i]?.data ?? {});
          const rendered = node.matches("[data-mime-type]") ? node : node.querySelector("[data-mime-type]");
          return { mime: rendered?.getAttribute("data-mime-type") ?? "", renderer: String(node.className), bundle, vegaDrawn: painted || Boolean(svgMarks) };
        });
      });
    });
  }

  /**
   * Runs the active cell, as Shift+Enter without moving on. Returns once the
   * request is on its way: JupyterLab's command resolves only when the cell
   * has finished, which a test of a running cell cannot wait for.
   */
  async runActiveCell(): Promise<void> {
    await this.page.evaluate(() => {
      void (globalThis as any).jupyterapp.commands.execute("notebook:run-cell");
    });
  }

  /** Adds a code cell at the end with `source`, runs it, and resolves when it has run and the kernel is idle again. */
  async appendAndRun(source: string, timeoutMs: number): Promise<void> {
    await this.appendCell(source);
    await this.runActiveCell();
    await this.page.waitForFunction(
      () => {
        const panel = (globalThis as any).convlabPanel;
        const cell = panel.content.widgets.at(-1);
        return panel.sessionContext.session?.kernel?.status === "idle" && cell.model.executionCount !== null && !(cell.promptNode?.textContent ?? "").includes("*");
      },
      null,
      { timeout: timeoutMs, polling: 250 },
    );
  }

  /** Puts the cursor at the end of the active cell's editor (edit mode), as a click into it would. */
  async editActiveCell(): Promise<void> {
    await this.page.evaluate(async () => {
      const app = (globalThis as any).jupyterapp;
      const panel = (globalThis as any).convlabPanel;
      app.shell.activateById(panel.id);
      // JupyterLab draws only the cells in view (a long notebook is windowed): bring the cell into view and wait for its editor.
      await panel.content.scrollToItem(panel.content.activeCellIndex, "center");
      await panel.content.activeCell.ready;
      await app.commands.execute("notebook:enter-edit-mode");
      const editor = panel.content.activeCell.editor;
      editor.focus();
      const lines = editor.model.sharedModel.getSource().split("\n");
      editor.setCursorPosition({ line: lines.length - 1, column: lines[lines.length - 1].length });
    });
  }

  /** Adds a code cell at the end with `source` and selects it (in command mode). */
  async appendCell(source: string): Promise<void> {
    await this.page.evaluate(async (text) => {
      const app = (globalThis as any).jupyterapp;
      const notebook = (globalThis as any).convlabPanel.content;
      notebook.activeCellIndex = notebook.widgets.length - 1;
      await app.commands.execute("notebook:insert-cell-below");
      notebook.activeCell.model.sharedModel.setSource(text);
    }, source);
  }

  /** The last code cell's outputs, as nbformat JSON. */
  async lastOutputs(): Promise<NonNullable<NotebookJson["cells"][number]["outputs"]>> {
    const json = await this.json();
    return json.cells.filter((c) => c.cell_type === "code").at(-1)!.outputs ?? [];
  }

  /** Scrolls cell `index` to the top of the notebook (the file browser closed) and saves a screenshot of the page. */
  async screenshot(index: number, file: string): Promise<void> {
    await this.page.evaluate(async (i) => {
      const app = (globalThis as any).jupyterapp;
      const panel = (globalThis as any).convlabPanel;
      // The notebook alone, full width: other lessons' tabs and panels (the contextual help) closed.
      for (const widget of Array.from(app.shell.widgets("main")) as any[]) if (widget !== panel) widget.close();
      app.shell.activateById(panel.id);
      if (!app.shell.leftCollapsed) await app.commands.execute("application:toggle-left-area");
      const notebook = panel.content;
      notebook.activeCellIndex = i;
      await notebook.scrollToItem(i, "start");
    }, index);
    await this.page.waitForTimeout(1000); // let the scroll and the charts settle before the picture is taken
    await this.page.screenshot({ path: file });
  }

  /** Shuts the notebook's kernel down (so the next lesson starts on a quiet machine). */
  async shutdownKernel(): Promise<void> {
    const sessions = await this.server.api<{ id: string; path: string }[]>("/api/sessions");
    for (const session of sessions.filter((s) => s.path === this.file)) await this.server.api(`/api/sessions/${session.id}`, { method: "DELETE" });
  }
}
