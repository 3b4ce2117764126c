/**
 * Rehearsing a class on this machine: logging learners in, starting their
 * servers, running a lesson for each through the hub, and probing that no
 * learner can reach another's files. The acceptance test and the
 * `lab-server` bench are built from these steps, and an instructor can use
 * them to try a machine before the class comes.
 */
import { spawnSync } from "node:child_process";
import { CHECK_MIME } from "../lib/check";
import { HubApi } from "./hub-api";
import { HubKernel, runNotebook, type NotebookRun, type Output } from "./hub-kernel";
import type { RunningLab } from "./lab";
import { removeLimits } from "./limits";
import { removeAccount } from "./users";

export const LESSON_1 = "lessons/01-training-and-inference.ipynb";

/** Logs every learner in through the hub's API with the password the lab server printed. */
export async function logInAll(lab: RunningLab, passwords: ReadonlyMap<string, string>): Promise<Map<string, HubApi>> {
  const clients = await Promise.all(lab.config.learners.map((name) => HubApi.login(lab.url, name, passwords.get(name) ?? "")));
  return new Map(lab.config.learners.map((name, i) => [name, clients[i]]));
}

/** Starts every learner's server at once and waits until all are ready. */
export async function startAll(clients: ReadonlyMap<string, HubApi>, timeoutMs: number): Promise<void> {
  await Promise.all([...clients].map(([name, api]) => api.startServer(name, timeoutMs)));
}

/** Runs the notebook for every learner at once; resolves with each learner's run. */
export async function runForAll(clients: ReadonlyMap<string, HubApi>, notebook: string, cellTimeoutMs: number): Promise<Map<string, NotebookRun>> {
  const runs = await Promise.all([...clients].map(([name, api]) => runNotebook(api, name, notebook, cellTimeoutMs)));
  return new Map([...clients.keys()].map((name, i) => [name, runs[i]]));
}

/** The check() results a notebook run showed, in order. */
export function checkResultsShown(outputs: readonly Output[]): { exercise: string; passed: boolean }[] {
  return outputs
    .map((o) => (o.content.data as Record<string, unknown> | undefined)?.[CHECK_MIME] as { exercise: string; passed: boolean } | undefined)
    .filter((r): r is { exercise: string; passed: boolean } => r !== undefined)
    .map(({ exercise, passed }) => ({ exercise, passed }));
}

export interface IsolationProbe {
  probes: number;
  /** What one learner could reach of another's; empty when isolation holds. */
  violations: string[];
}

/**
 * Each learner tries to reach the next learner's files: through the hub
 * (the other's server API, with their own token) and on disk (from their
 * own kernel, which runs as their Unix user).
 */
export async function probeIsolation(lab: RunningLab, clients: ReadonlyMap<string, HubApi>, timeoutMs: number): Promise<IsolationProbe> {
  const names = [...clients.keys()];
  const homes = new Map(lab.accounts.map((a) => [a.name, a.home]));
  const violations: string[] = [];
  let probes = 0;
  for (const [i, name] of names.entries()) {
    const other = names[(i + 1) % names.length];
    if (other === name) continue;
    const api = clients.get(name)!;
    probes++;
    const response = await api.fetch(api.userPath(other, "api/contents/lessons"), { redirect: "manual" });
    if (response.ok) violations.push(`${name} listed ${other}'s lessons through the hub (${response.status})`);
    probes++;
    const kernel = await HubKernel.open(api, name, "isolation-probe.ipynb");
    try {
      const target = JSON.stringify(`${homes.get(other)}/lessons`);
      const result = await kernel.execute(`require("node:fs").readdirSync(${target}).length`, timeoutMs);
      if (result.status === "ok") violations.push(`${name}'s kernel listed ${other}'s lessons on disk`);
    } finally {
      await kernel.close();
    }
  }
  return { probes, violations };
}

/** Ends a rehearsal class: stops the hub, ends what its accounts still run (by pid), removes accounts, homes and cgroups. */
export async function dismantle(lab: RunningLab): Promise<void> {
  await lab.stop();
  const names = [...lab.config.learners, lab.config.instructor];
  for (const name of names) {
    await endProcessesOf(name, 30_000);
    removeAccount(name, true);
  }
  removeLimits(lab.config.classId, names);
}

/** Waits up to `graceMs` for an account's processes to end, then kills those left, one pid at a time. */
export async function endProcessesOf(user: string, graceMs: number): Promise<void> {
  const pids = () => spawnSync("ps", ["-u", user, "-o", "pid="], { encoding: "utf8" }).stdout.split("\n").map(Number).filter((p) => p > 0);
  const deadline = Date.now() + graceMs;
  while (pids().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  for (const pid of pids()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Resident memory of all of an account's processes, in MiB. */
export function residentMb(user: string): number {
  const kb = spawnSync("ps", ["-u", user, "-o", "rss="], { encoding: "utf8" }).stdout.split("\n").map(Number).filter((k) => k > 0);
  return kb.reduce((sum, k) => sum + k, 0) / 1024;
}
