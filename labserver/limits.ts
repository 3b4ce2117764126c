/**
 * Per-learner limits. Each learner's single-user server (and so every kernel
 * it starts) runs in its own cgroup, with a memory limit and a CPU cap, so a
 * runaway kernel is stopped by the kernel's OOM killer inside that cgroup or
 * throttled to its CPU share, and the hub and the other learners go on.
 *
 * cgroup v1 (a hierarchy per controller under /sys/fs/cgroup/<controller>)
 * and v2 (one unified hierarchy with cgroup.controllers) are both supported.
 * Where neither is writable (an unprivileged container, say), each process
 * gets an RLIMIT_DATA and the kernel a V8 heap cap instead: weaker (per
 * process, not per learner; no CPU cap), and the lab server says so loudly.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface LearnerLimits {
  /** Memory for one learner's server and kernels together, in MiB. */
  memoryMb: number;
  /** CPU cap per learner, in cores (1 = one full core). */
  cpus: number;
  /** Processes per learner (stops fork bombs); cgroups only. */
  maxProcesses: number;
}

export type LimitMode = "cgroup-v1" | "cgroup-v2" | "rlimit";

export interface AppliedLimits {
  mode: LimitMode;
  /** Per learner: the files the spawner writes the server's pid into (cgroup.procs), before dropping root. */
  procs: Record<string, string[]>;
  /** In rlimit mode: RLIMIT_DATA per process, in bytes. */
  rlimitDataBytes?: number;
  /** Extra environment for the learner's server (in rlimit mode: NODE_OPTIONS with a heap cap). */
  environment: Record<string, string>;
  /** Why limits are weaker than asked, for the instructor; empty when cgroups are in force. */
  warning?: string;
}

const V1_CONTROLLERS = ["memory", "cpu", "pids"] as const;
const CPU_PERIOD_US = 100_000;

/** Which cgroup hierarchy the machine has, if any, from its files (root is /sys/fs/cgroup unless testing). */
export function cgroupVersion(root = "/sys/fs/cgroup"): "v1" | "v2" | null {
  if (existsSync(path.join(root, "cgroup.controllers"))) return "v2";
  if (existsSync(path.join(root, "memory", "memory.limit_in_bytes"))) return "v1";
  return null;
}

/**
 * Creates (or updates) one cgroup per learner under <root>/…/convlab-lab/<classId>/
 * with the limits; falls back to rlimits when cgroups cannot be written.
 */
export function applyLimits(classId: string, learners: readonly string[], limits: LearnerLimits, root = "/sys/fs/cgroup"): AppliedLimits {
  const version = cgroupVersion(root);
  let failure = version === null ? `no cgroup hierarchy was found under ${root}` : "";
  if (version !== null) {
    try {
      return version === "v1" ? applyV1(root, classId, learners, limits) : applyV2(root, classId, learners, limits);
    } catch (error) {
      failure = `cgroup ${version} under ${root} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    }
  }
  return rlimitFallback(limits, failure);
}

function applyV1(root: string, classId: string, learners: readonly string[], limits: LearnerLimits): AppliedLimits {
  const procs: Record<string, string[]> = {};
  const bytes = limits.memoryMb * 1024 * 1024;
  for (const learner of learners) {
    procs[learner] = [];
    for (const controller of V1_CONTROLLERS) {
      if (!existsSync(path.join(root, controller))) continue;
      const dir = path.join(root, controller, "convlab-lab", classId, learner);
      mkdirSync(dir, { recursive: true });
      if (controller === "memory") {
        // memsw (memory + swap) must stay >= the memory limit: when raising, raise it first.
        const memsw = path.join(dir, "memory.memsw.limit_in_bytes");
        const current = Number(readFileSync(path.join(dir, "memory.limit_in_bytes"), "utf8"));
        if (existsSync(memsw) && bytes > current) writeFileSync(memsw, String(bytes));
        writeFileSync(path.join(dir, "memory.limit_in_bytes"), String(bytes));
        // Memory + swap capped at the same figure: a runaway kernel is stopped, not swapped out slowly.
        if (existsSync(memsw)) writeFileSync(memsw, String(bytes));
      } else if (controller === "cpu") {
        writeFileSync(path.join(dir, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
        writeFileSync(path.join(dir, "cpu.cfs_quota_us"), String(Math.round(limits.cpus * CPU_PERIOD_US)));
        writeFileSync(path.join(dir, "cpu.shares"), "1024");
      } else {
        writeFileSync(path.join(dir, "pids.max"), String(limits.maxProcesses));
      }
      procs[learner].push(path.join(dir, "cgroup.procs"));
    }
  }
  return { mode: "cgroup-v1", procs, environment: {} };
}

function applyV2(root: string, classId: string, learners: readonly string[], limits: LearnerLimits): AppliedLimits {
  const wanted = ["memory", "cpu", "pids"].filter((c) => readFileSync(path.join(root, "cgroup.controllers"), "utf8").split(/\s+/).includes(c));
  const parents = [root, path.join(root, "convlab-lab"), path.join(root, "convlab-lab", classId)];
  for (const [i, dir] of parents.entries()) {
    if (i > 0) mkdirSync(dir, { recursive: true });
    // Delegate the controllers down to the learners' cgroups (only leaves hold processes).
    writeFileSync(path.join(dir, "cgroup.subtree_control"), wanted.map((c) => `+${c}`).join(" "));
  }
  const procs: Record<string, string[]> = {};
  for (const learner of learners) {
    const dir = path.join(parents[2], learner);
    mkdirSync(dir, { recursive: true });
    if (wanted.includes("memory")) {
      writeFileSync(path.join(dir, "memory.max"), String(limits.memoryMb * 1024 * 1024));
      if (existsSync(path.join(dir, "memory.swap.max"))) writeFileSync(path.join(dir, "memory.swap.max"), "0");
    }
    if (wanted.includes("cpu")) {
      writeFileSync(path.join(dir, "cpu.max"), `${Math.round(limits.cpus * CPU_PERIOD_US)} ${CPU_PERIOD_US}`);
      writeFileSync(path.join(dir, "cpu.weight"), "100");
    }
    if (wanted.includes("pids")) writeFileSync(path.join(dir, "pids.max"), String(limits.maxProcesses));
    procs[learner] = [path.join(dir, "cgroup.procs")];
  }
  return { mode: "cgroup-v2", procs, environment: {} };
}

function rlimitFallback(limits: LearnerLimits, failure: string): AppliedLimits {
  const bytes = limits.memoryMb * 1024 * 1024;
  // The kernel's JavaScript heap gets 3/4 of the budget; tensors live outside it, in RLIMIT_DATA.
  const heapMb = Math.max(256, Math.floor(limits.memoryMb * 0.75));
  return {
    mode: "rlimit",
    procs: {},
    rlimitDataBytes: bytes,
    environment: { NODE_OPTIONS: `--max-old-space-size=${heapMb}` },
    warning:
      `WARNING: per-learner limits are WEAKER than asked: ${failure}. ` +
      `Each process gets a ${limits.memoryMb} MiB data limit (RLIMIT_DATA) and each kernel a ${heapMb} MiB heap, ` +
      `but a learner with several kernels can use more in total, and there is NO CPU cap: one learner's endless loop slows everyone. ` +
      `Run the lab server where /sys/fs/cgroup is writable (as root on the host, or a container with --cgroupns=host / a delegated cgroup) to get real limits.`,
  };
}

/** The cgroup folders of a class (all controllers), for status and removal. */
export function learnerCgroups(classId: string, learner: string, root = "/sys/fs/cgroup"): string[] {
  const version = cgroupVersion(root);
  if (version === "v2") return [path.join(root, "convlab-lab", classId, learner)];
  if (version === "v1") return V1_CONTROLLERS.map((c) => path.join(root, c, "convlab-lab", classId, learner)).filter((d) => existsSync(d));
  return [];
}

/** Peak and OOM figures of a learner's memory cgroup (v1: max_usage/failcnt/oom_kill; v2: memory.peak/memory.events). */
export function memoryReport(classId: string, learner: string, root = "/sys/fs/cgroup"): { peakBytes: number | null; oomKills: number } {
  const version = cgroupVersion(root);
  const read = (file: string): string | null => (existsSync(file) ? readFileSync(file, "utf8") : null);
  if (version === "v1") {
    const dir = path.join(root, "memory", "convlab-lab", classId, learner);
    const oom = /oom_kill (\d+)/.exec(read(path.join(dir, "memory.oom_control")) ?? "");
    return { peakBytes: Number(read(path.join(dir, "memory.max_usage_in_bytes")) ?? NaN) || null, oomKills: oom ? Number(oom[1]) : 0 };
  }
  if (version === "v2") {
    const dir = path.join(root, "convlab-lab", classId, learner);
    const oom = /oom_kill (\d+)/.exec(read(path.join(dir, "memory.events")) ?? "");
    return { peakBytes: Number(read(path.join(dir, "memory.peak")) ?? NaN) || null, oomKills: oom ? Number(oom[1]) : 0 };
  }
  return { peakBytes: null, oomKills: 0 };
}

/** Removes a class's (empty) cgroups; a cgroup that still holds processes is left and named. */
export function removeLimits(classId: string, learners: readonly string[], root = "/sys/fs/cgroup"): string[] {
  const left: string[] = [];
  for (const learner of learners) {
    for (const dir of learnerCgroups(classId, learner, root)) {
      try {
        rmdirSync(dir);
      } catch {
        left.push(dir);
      }
    }
  }
  const parents = cgroupVersion(root) === "v2" ? [path.join(root, "convlab-lab", classId)] : V1_CONTROLLERS.map((c) => path.join(root, c, "convlab-lab", classId));
  for (const dir of parents) {
    try {
      if (existsSync(dir)) rmdirSync(dir);
    } catch {
      // still holds a learner's cgroup, named above
    }
  }
  return left;
}
