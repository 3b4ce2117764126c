#!/usr/bin/env node
/**
 * `convlab` command line:
 *   convlab kernel -f <connection file>        run a kernel (Jupyter does this)
 *   convlab install [--user | --sys-prefix | --prefix DIR]
 *   convlab uninstall [--user | --sys-prefix | --prefix DIR]
 *   convlab start [--classic] [jupyter args]     JupyterLab 4 (installed into .venv/ if missing), kernel registered, on lessons/
 *   convlab setup [--classic]                    the same without opening Jupyter
 *   convlab lab-server --class FILE [options]    a JupyterHub for a class (labserver/)
 */
import { installKernelSpec, SpecLocation, uninstallKernelSpec } from "../kernel/kernelspec";

const USAGE = `usage:
  convlab install [--user | --sys-prefix | --prefix DIR]   register the kernel with Jupyter (default --user)
  convlab uninstall [--user | --sys-prefix | --prefix DIR] remove it again
  convlab start [--classic] [jupyter options]              open JupyterLab 4 on lessons/ (installing it into .venv/ the
                                                           first time) with the kernel registered; --classic: the Notebook
  convlab setup [--classic]                                install and register as start does, without opening Jupyter
  convlab lab-server --class FILE [options]                a JupyterHub for a class (see convlab lab-server --help)
  convlab kernel -f CONNECTION_FILE                        run a kernel (Jupyter calls this)`;

function location(args: string[]): SpecLocation {
  const prefix = args.indexOf("--prefix");
  if (prefix >= 0) {
    const dir = args[prefix + 1];
    if (!dir || dir.startsWith("--")) fail("--prefix needs a directory, e.g. --prefix /opt/jupyter");
    return { kind: "prefix", dir };
  }
  const inline = args.find((a) => a.startsWith("--prefix="));
  if (inline) return { kind: "prefix", dir: inline.slice("--prefix=".length) };
  if (args.includes("--sys-prefix")) return { kind: "sys-prefix" };
  return { kind: "user" };
}

/**
 * The compute backend the library expects to use, for the banner. Read
 * without loading tfjs (the library decides for real when it loads).
 */
function computeBannerLines(): string[] {
  try {
    const { planBackend } = require("../lib/backend/plan") as typeof import("../lib/backend/plan");
    const plan = planBackend();
    const threads = plan.threads && plan.threads > 1 ? `, ${plan.threads} threads` : "";
    return [
      `Compute backend: ${plan.backend}${threads}, ${plan.reason}.`,
      ...plan.skipped.map((s) => `  Not ${s.backend}: ${s.reason}.`),
    ];
  } catch (err) {
    return [`Compute backend: unknown (${(err as Error).message})`];
  }
}

function fail(message: string): never {
  process.stderr.write(`convlab: ${message}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case "kernel": {
      const f = args.indexOf("-f");
      const file = f >= 0 ? args[f + 1] : args.find((a) => a.startsWith("--connection-file="))?.split("=")[1];
      if (!file) fail("kernel needs the connection file: convlab kernel -f FILE");
      const { startKernel } = await import("../kernel/main");
      startKernel({
        connectionFile: file,
        debug: args.includes("--debug") || Boolean(process.env.CONVLAB_DEBUG),
        bannerLines: computeBannerLines(),
      });
      return;
    }
    case "install": {
      const dir = await installKernelSpec(location(args));
      console.log(`Installed the "TypeScript (convlab)" kernel in ${dir}`);
      return;
    }
    case "uninstall": {
      const dir = uninstallKernelSpec(location(args));
      console.log(dir ? `Removed ${dir}` : "The convlab kernel was not installed there; nothing to remove.");
      return;
    }
    case "start":
    case "setup": {
      const { launchJupyter, parseStartArgs } = await import("./start");
      process.exitCode = await launchJupyter(parseStartArgs(args, command === "setup"));
      return;
    }
    case "lab-server": {
      const { runLabServer, LAB_SERVER_USAGE, UsageError } = await import("../labserver/cli");
      if (args.includes("--help") || args.includes("-h")) return void console.log(LAB_SERVER_USAGE);
      try {
        process.exitCode = await runLabServer(args);
      } catch (error) {
        if (error instanceof UsageError) fail(`${error.message}\n${LAB_SERVER_USAGE}`);
        throw error;
      }
      return;
    }
    case undefined:
    case "-h":
    case "--help":
    case "help":
      console.log(USAGE);
      return;
    default:
      fail(`unknown command "${command}".\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`convlab: ${(err as Error).message}\n`);
  process.exit(1);
});
