/**
 * `process.exit()` in a cell would end the kernel mid-message (the wire
 * thread's sockets abort the process) and lose every variable. While the
 * kernel runs, it refuses with an explanation instead; the kernel itself
 * exits through `exitKernel`.
 */
const realExit = process.exit.bind(process);
const realAbort = process.abort.bind(process);

export class ExitRefused extends Error {
  constructor(call: string) {
    super(
      `${call} was not run: it would end the kernel and lose every variable. ` +
        "To start afresh, restart the kernel (Kernel → Restart Kernel); to stop a cell early, throw an Error.",
    );
    this.name = "ExitRefused";
  }
}

export function guardProcessExit(): void {
  process.exit = ((code?: number | string | null) => {
    throw new ExitRefused(`process.exit(${code ?? ""})`);
  }) as typeof process.exit;
  process.abort = (() => {
    throw new ExitRefused("process.abort()");
  }) as typeof process.abort;
}

/** How the kernel ends itself (after closing its sockets). */
export function exitKernel(code: number): never {
  return realExit(code);
}

/** For a kernel that cannot go on (its wire thread failed). */
export function abortKernel(): never {
  return realAbort();
}
