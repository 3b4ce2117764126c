/**
 * Ends the kernel when the process that started it is gone, as ipykernel
 * does: Jupyter names itself in JPY_PARENT_PID. If the kernel's parent is
 * that process, a change of parent means it died (the kernel was handed to
 * another reaper); if the kernel was started through a wrapper, only being
 * handed to init (pid 1) says so. Runs on the wire thread, so it works even
 * while a cell spins in a loop.
 */
export interface ParentWatch {
  stop(): void;
}

export function watchParent(onGone: (parentPid: number) => void, env: NodeJS.ProcessEnv = process.env, intervalMs = 1000): ParentWatch | null {
  const named = Number(env.JPY_PARENT_PID);
  // No parent named, or init itself (which never goes away): nothing to watch.
  if (!Number.isInteger(named) || named <= 1) return null;
  const direct = process.ppid === named;
  const timer = setInterval(() => {
    const now = process.ppid;
    if (direct ? now !== named : now === 1) {
      clearInterval(timer);
      onGone(named);
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
