/**
 * `convlab lab-server`: from a class list to a running JupyterHub.
 *
 * prepareLab() checks everything first (class list, accounts, port), then
 * creates what is missing: the learners' environment, Unix accounts with
 * private homes, passwords (only hashes kept), each learner's copy of the
 * lessons, per-learner cgroups, and the hub's config. startLab() then runs
 * the hub (which runs configurable-http-proxy and the instructor's view) and
 * waits until it answers. Running it again for the same class keeps every
 * account, password and file.
 */
import { ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../kernel/package-root";
import { readClassList } from "./class-list";
import { LabConfig, writeHubConfig } from "./hub-config";
import { ensureLearnerEnv, defaultLearnerVenv, hubPython } from "./learner-env";
import { copyLessons, type LessonCopyReport } from "./lessons";
import { applyLimits, type AppliedLimits } from "./limits";
import { ensurePasswords } from "./passwords";
import { assertPortFree, freePort } from "./ports";
import { accountProblems, ensureAccounts, type Account } from "./users";

export interface LabServerOptions {
  /** The class list file: one name per line, or a CSV with a "username" column. */
  classList: string;
  /** The hub's admin, who sees the instructor's view. Default "instructor". */
  instructor?: string;
  /** Address the hub listens on. Default 127.0.0.1 (this machine only; put TLS in front to open it). */
  bind?: string;
  /** Default 8000. */
  port?: number;
  /** Hub database, config, password hashes. Default /var/lib/convlab-lab/<class list name>. */
  stateDir?: string;
  /** Where the learners' homes go. Default /home. */
  homeRoot?: string;
  /** Per-learner memory (server + kernels), MiB. Default LAB_DEFAULTS.memoryMb. */
  memoryMb?: number;
  /** Per-learner CPU cap, cores. Default LAB_DEFAULTS.cpus. */
  cpus?: number;
  /** Stop kernels, then servers, idle this long (files are kept). Default 60 min. */
  idleMinutes?: number;
  /** Learners whose password is replaced (and printed) on this run. */
  resetPasswords?: string[];
  cgroupRoot?: string;
  venvDir?: string;
  lessonsDir?: string;
  /** The JupyterHub command. Default "jupyterhub" (Debian's, on the PATH). */
  hubCommand?: string;
  /** Progress lines. Default console.log. */
  log?: (line: string) => void;
  /** The hub's own log: to the terminal, or to <state>/jupyterhub.log only. Default "file". */
  hubOutput?: "inherit" | "file";
}

/**
 * Defaults sized for the machine the workshop runs on, 2 cores and 24 GB:
 * a learner running lesson 1 peaks well under 2 GiB (measured by the bench),
 * and one core per learner lets an endless loop take at most half the machine.
 */
export const LAB_DEFAULTS = { instructor: "instructor", bind: "127.0.0.1", port: 8000, homeRoot: "/home", memoryMb: 2048, cpus: 1, maxProcesses: 256, idleMinutes: 60, startTimeoutSeconds: 300 };

/** Memory kept for the system, the hub and the proxy when counting learners per machine. */
export const RESERVED_MEMORY_MB = 2048;

/** How many learners fit a machine at a per-learner memory limit (memory is the hard limit; CPU is shared fairly). */
export function learnersPerMachine(machineMemoryMb: number, memoryMb = LAB_DEFAULTS.memoryMb): number {
  return Math.max(0, Math.floor((machineMemoryMb - RESERVED_MEMORY_MB) / memoryMb));
}

export interface PreparedLab {
  stateDir: string;
  configFile: string;
  config: LabConfig;
  accounts: Account[];
  /** Passwords made on this run (new learners, resets): shown once, never stored. */
  newPasswords: Map<string, string>;
  limits: AppliedLimits;
  lessons: Map<string, LessonCopyReport>;
}

export async function prepareLab(options: LabServerOptions): Promise<PreparedLab> {
  const log = options.log ?? ((line: string) => console.log(line));
  const learners = readClassList(options.classList);
  const instructor = options.instructor ?? LAB_DEFAULTS.instructor;
  if (learners.includes(instructor)) throw new Error(`"${instructor}" is the instructor's name and also in the class list; rename one (--instructor NAME). Nothing was created.`);
  const names = [...learners, instructor];
  const homeRoot = path.resolve(options.homeRoot ?? LAB_DEFAULTS.homeRoot);
  const problems = accountProblems(names, homeRoot);
  if (problems.length > 0) throw new Error(`The class cannot be set up; nothing was created:\n  ${problems.join("\n  ")}`);
  const bind = options.bind ?? LAB_DEFAULTS.bind;
  const port = options.port ?? LAB_DEFAULTS.port;
  await assertPortFree(bind, port);
  const hubCommand = options.hubCommand ?? "jupyterhub";
  const python = hubPython(hubCommand);

  const className = path.basename(options.classList).replace(/\.[^.]*$/, "").replace(/[^a-z0-9-]+/gi, "-").toLowerCase() || "class";
  const stateDir = path.resolve(options.stateDir ?? path.join("/var/lib/convlab-lab", className));
  const classId = `${className}-${createHash("sha256").update(stateDir).digest("hex").slice(0, 6)}`;
  mkdirSync(stateDir, { recursive: true });
  chmodSync(stateDir, 0o700);

  const env = await ensureLearnerEnv(options.venvDir ?? defaultLearnerVenv(), python, log);
  const accounts = ensureAccounts(names, homeRoot, classId);
  const newPasswords = ensurePasswords(path.join(stateDir, "passwords.json"), names, python, options.resetPasswords ?? []);
  const lessonsDir = options.lessonsDir ?? path.join(packageRoot(), "lessons");
  const lessons = new Map(accounts.map((a) => [a.name, copyLessons(lessonsDir, a)]));
  const memoryMb = options.memoryMb ?? LAB_DEFAULTS.memoryMb;
  const limits = applyLimits(classId, names, { memoryMb, cpus: options.cpus ?? LAB_DEFAULTS.cpus, maxProcesses: LAB_DEFAULTS.maxProcesses }, options.cgroupRoot);
  if (limits.warning) log(`\n${"!".repeat(78)}\n${limits.warning}\n${"!".repeat(78)}\n`);

  const config: LabConfig = {
    classId,
    instructor,
    learners,
    bind,
    port,
    hubPort: await freePort(),
    proxyApiPort: await freePort(),
    progressPort: await freePort(),
    proxyCommand: path.join(packageRoot(), "node_modules", ".bin", "configurable-http-proxy"),
    python: env.python,
    progressCommand: [process.execPath, path.join(packageRoot(), "dist", "labserver", "progress-service.js"), stateDir],
    idleSeconds: Math.round((options.idleMinutes ?? LAB_DEFAULTS.idleMinutes) * 60),
    startTimeoutSeconds: LAB_DEFAULTS.startTimeoutSeconds,
    limits: { mode: limits.mode, procs: limits.procs, rlimitDataBytes: limits.rlimitDataBytes, environment: limits.environment },
    memoryMb,
  };
  const configFile = writeHubConfig(stateDir, config);
  return { stateDir, configFile, config, accounts, newPasswords, limits, lessons };
}

export interface RunningLab extends PreparedLab {
  /** The hub's URL, e.g. http://127.0.0.1:8000/ */
  url: string;
  hub: ChildProcess;
  /** Stops the hub, its proxy, the instructor's view and every learner's server (files stay). */
  stop(): Promise<void>;
}

export async function startLab(options: LabServerOptions): Promise<RunningLab> {
  const prepared = await prepareLab(options);
  const { stateDir, config } = prepared;
  const logFile = path.join(stateDir, "jupyterhub.log");
  const out = options.hubOutput === "inherit" ? "inherit" : openSync(logFile, "a");
  const hub = spawn(options.hubCommand ?? "jupyterhub", ["-f", prepared.configFile], { cwd: stateDir, stdio: ["ignore", out, out] });
  if (typeof out === "number") closeSync(out);
  const exited = new Promise<number | null>((resolve) => hub.on("exit", (code) => resolve(code)));
  const host = config.bind === "0.0.0.0" || config.bind === "::" ? "127.0.0.1" : config.bind;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${config.port}/`;
  const stop = async (): Promise<void> => {
    if (hub.exitCode !== null || hub.signalCode !== null) return;
    hub.kill("SIGTERM");
    const timer = setTimeout(() => hub.kill("SIGKILL"), 60_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForHub(url, exited, config.startTimeoutSeconds * 1000, logFile);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...prepared, url, hub, stop };
}

/** Waits until the hub answers through the proxy (its API root), or fails with the end of its log. */
async function waitForHub(url: string, exited: Promise<number | null>, timeoutMs: number, logFile: string): Promise<void> {
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (code !== undefined) throw new Error(`JupyterHub exited (code ${code}) while starting. The end of ${logFile}:\n${logTail(logFile)}`);
    try {
      const response = await fetch(new URL("hub/api/", url), { signal: AbortSignal.timeout(5000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`JupyterHub did not answer at ${url} within ${Math.round(timeoutMs / 1000)} s. The end of ${logFile}:\n${logTail(logFile)}`);
}

export function logTail(file: string, lines = 30): string {
  return existsSync(file) ? readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n") : "(no log)";
}
