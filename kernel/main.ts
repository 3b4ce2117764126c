/**
 * Starts a kernel for one Jupyter connection file: the wire thread for the
 * sockets, and on this thread the TypeScript engine and the request loop.
 */
import { readConnectionFile } from "./wire/connection";
import { SharedState, ExecState } from "./wire/shared-state";
import { WireClient } from "./wire/wire-client";
import { TypeScriptEngine } from "./engine/engine";
import { CompilerClient } from "./engine/compiler-client";
import { Kernel } from "./session/kernel";
import { HistoryStore } from "./session/history";
import { KernelNotebookHost } from "./session/notebook-host";
import { captureOutput, kernelLog } from "./session/output-capture";
import { reportBackgroundErrors } from "./session/background-errors";
import { guardProcessExit } from "./session/exit-guard";
import { kernelInfo } from "./kernel-info";
import { packageRoot } from "./package-root";

export interface StartOptions {
  connectionFile: string;
  /** Modules whose typings the compiler thread loads at start, and whose code loads in quiet moments. Default: convlab and tfjs. */
  preload?: string[];
  debug?: boolean;
  /** Milliseconds a cell gets to stop by itself after an interrupt before it is forced. */
  interruptGraceMs?: number;
  /**
   * Milliseconds a cell whose code reads the interrupt signal (train() does,
   * between batches) gets to stop by itself and keep its state. Interrupting
   * it again breaks it off at once. Default 30 s.
   */
  politeInterruptMs?: number;
  bannerLines?: string[];
}

export function startKernel(options: StartOptions): Kernel {
  // First, so the compiler thread warms up while everything else starts.
  const root = packageRoot();
  const preload = options.preload ?? ["convlab", "@tensorflow/tfjs"];
  const resolution = { notebookDir: process.cwd(), root, packages: { convlab: root } };
  const compiler = CompilerClient.start({ ...resolution, preload, debug: options.debug });

  const connection = readConnectionFile(options.connectionFile);
  const shared = new SharedState();
  const info = kernelInfo(options.bannerLines ?? []);
  const politeInterruptMs = options.politeInterruptMs ?? 30_000;
  const wire = new WireClient({
    connection,
    shared: shared.buffer,
    kernelInfo: info,
    interruptGraceMs: options.interruptGraceMs ?? 1000,
    politeInterruptMs,
    debug: Boolean(options.debug),
  });
  const host = new KernelNotebookHost(wire, shared);
  host.install();
  captureOutput((name, text) => wire.stream(name, text, host.parent));

  const kernel = new Kernel({
    wire,
    shared,
    host,
    history: new HistoryStore(),
    politeInterruptMs,
    kernelInfo: info,
    connectionPorts: {
      shell_port: connection.shell_port,
      iopub_port: connection.iopub_port,
      stdin_port: connection.stdin_port,
      hb_port: connection.hb_port,
      control_port: connection.control_port,
    },
    createEngine: () => new TypeScriptEngine({ ...resolution, compiler, interrupted: () => host.currentSignal.aborted }),
    idleTasks: preload.map((name) => () => void require(name)),
  });

  // Jupyter may interrupt with SIGINT (and the wire thread uses it to break
  // a cell's synchronous part); never let it kill the kernel.
  process.on("SIGINT", () => kernel.interruptFromSignal());
  guardProcessExit();
  reportBackgroundErrors({
    format: (error) => kernel.engine.formatError(error),
    show: (text) => wire.stream("stderr", text, host.parent),
    log: (text) => kernelLog(text),
  });

  wire.once("event", (event) => {
    if (event.kind === "ready") shared.state = ExecState.Idle;
    kernel.warmUp();
  });
  if (options.debug) kernelLog("started with", options.connectionFile);
  return kernel;
}
