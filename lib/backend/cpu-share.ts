/**
 * How many cores this process may really use: the default thread count.
 *
 * On a lab server each learner's kernel gets a share of the machine, and
 * os.availableParallelism() (the CPUs the process may be scheduled on) does
 * not see that share when it is a CPU quota: a container's or a JupyterHub
 * spawner's limit (cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us` over
 * `cpu.cfs_period_us`), or the CPU_LIMIT JupyterHub passes to the server
 * and its kernels. Threads beyond the share only queue for it. Like the
 * thread counts of Java, Go and .NET in containers, the smallest of these
 * wins (a quota of 1.5 cores gives 1 thread).
 *
 * No tfjs here: the kernel's banner (./plan) uses it too.
 */
import { readFileSync } from "node:fs";
import { posix } from "node:path";

/** Where the numbers come from; tests pass fakes. */
export interface CpuShareInputs {
  /** CPUs the process may run on (default: os.availableParallelism()). */
  cores?: number;
  /** Reads a file, or returns undefined when it cannot (default: fs.readFileSync). */
  readFile?: (path: string) => string | undefined;
  /** Environment variables (default: process.env): CPU_LIMIT. */
  env?: Record<string, string | undefined>;
}

/** The limit found and where it came from, for backendInfo() and the banner. */
export interface CpuShare {
  /** Whole cores this process may use (at least 1). */
  threads: number;
  /** What set it, e.g. "cgroup v2 cpu.max 150000/100000" or "2 CPUs". */
  source: string;
}

function defaultReadFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function defaultCores(): number {
  const os = require("node:os") as { availableParallelism?: () => number; cpus: () => unknown[] };
  return os.availableParallelism?.() ?? os.cpus().length;
}

/** The process's cgroup folders, from its own down to the root (quotas of parents apply too). */
function ancestry(path: string): string[] {
  const folders: string[] = [];
  for (let p = posix.normalize(path || "/"); ; p = posix.dirname(p)) {
    folders.push(p);
    if (p === "/" || p === ".") return folders;
  }
}

/** CPU quotas (in cores) of the process's cgroups, v2 and v1, with their files. */
function cgroupQuotas(read: (path: string) => string | undefined): { cores: number; source: string }[] {
  const quotas: { cores: number; source: string }[] = [];
  const membership = read("/proc/self/cgroup") ?? "";
  for (const line of membership.split("\n")) {
    const [id, controllers, path] = line.split(":");
    if (path === undefined) continue;
    if (id === "0" && controllers === "") {
      // cgroup v2: "max 100000" (none) or "<quota> <period>".
      for (const folder of ancestry(path)) {
        const file = posix.join("/sys/fs/cgroup", folder, "cpu.max");
        const [quota, period] = (read(file) ?? "").trim().split(/\s+/);
        if (quota && quota !== "max" && Number(period) > 0) quotas.push({ cores: Number(quota) / Number(period), source: `${file} ${quota}/${period}` });
      }
    } else if (controllers.split(",").includes("cpu")) {
      // cgroup v1: cpu.cfs_quota_us is -1 when there is no quota.
      for (const mount of new Set([controllers, "cpu", "cpu,cpuacct"])) {
        for (const folder of ancestry(path)) {
          const dir = posix.join("/sys/fs/cgroup", mount, folder);
          const quota = Number((read(`${dir}/cpu.cfs_quota_us`) ?? "").trim());
          const period = Number((read(`${dir}/cpu.cfs_period_us`) ?? "").trim());
          if (quota > 0 && period > 0) quotas.push({ cores: quota / period, source: `${dir}/cpu.cfs_quota_us ${quota}/${period}` });
        }
      }
    }
  }
  return quotas;
}

/** The cores this process may use: the smallest of its CPUs, its cgroups' quotas and CPU_LIMIT. */
export function cpuShare(inputs: CpuShareInputs = {}): CpuShare {
  const cores = inputs.cores ?? defaultCores();
  const env = inputs.env ?? process.env;
  const limits = [{ cores, source: `${cores} CPU${cores === 1 ? "" : "s"}` }, ...cgroupQuotas(inputs.readFile ?? defaultReadFile)];
  const hubLimit = Number(env.CPU_LIMIT);
  if (env.CPU_LIMIT && hubLimit > 0) limits.push({ cores: hubLimit, source: `CPU_LIMIT=${env.CPU_LIMIT}` });
  const smallest = limits.reduce((a, b) => (b.cores < a.cores ? b : a));
  return { threads: Math.max(1, Math.floor(smallest.cores + 1e-9)), source: smallest.source };
}
