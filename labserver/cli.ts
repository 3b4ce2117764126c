/**
 * `convlab lab-server --class FILE [options]`: set up and run the class's
 * hub in the foreground (Ctrl-C stops it; every learner's files stay).
 * `convlab lab-server remove --class FILE`: remove the class's accounts and
 * cgroups (homes are kept unless --delete-homes).
 */
import path from "node:path";
import { readClassList } from "./class-list";
import { LAB_DEFAULTS, learnersPerMachine, startLab, type LabServerOptions } from "./lab";
import { removeLimits } from "./limits";
import { removeAccount } from "./users";
import { readFileSync } from "node:fs";
import { homedir, totalmem, userInfo } from "node:os";
import { packageRoot } from "../kernel/package-root";
import { copyLessons } from "./lessons";
import type { LabConfig } from "./hub-config";

export const LAB_SERVER_USAGE = `usage:
  convlab lab-server --class FILE [options]     set up and run a JupyterHub for the class (foreground; Ctrl-C stops it)
  convlab lab-server remove --class FILE [--state DIR] [--delete-homes]
  convlab lab-server copy-lessons               copy the lessons into ~/lessons (never overwriting; for container images)
options:
  --class FILE          class list: one learner name per line, or a CSV with a "username" column
  --instructor NAME     the hub's admin, who sees /services/class-progress/ (default ${LAB_DEFAULTS.instructor})
  --bind ADDRESS        default ${LAB_DEFAULTS.bind} (this machine only; see the README for TLS)
  --port N              default ${LAB_DEFAULTS.port}
  --memory SIZE         per learner, e.g. 2G or 1500M (default ${LAB_DEFAULTS.memoryMb}M)
  --cpus N              CPU cap per learner in cores (default ${LAB_DEFAULTS.cpus})
  --idle MINUTES        stop idle kernels, then idle servers, after this long (default ${LAB_DEFAULTS.idleMinutes}); files are kept
  --homes DIR           where learners' homes are made (default ${LAB_DEFAULTS.homeRoot})
  --state DIR           hub database, config, password hashes (default /var/lib/convlab-lab/<class list name>)
  --reset-password NAME give NAME a new password (printed once); repeatable`;

export class UsageError extends Error {}

export function parseLabServerArgs(args: string[]): { remove: boolean; deleteHomes: boolean; options: LabServerOptions } {
  const remove = args[0] === "remove";
  const rest = remove ? args.slice(1) : args;
  const options: Partial<LabServerOptions> & { resetPasswords: string[] } = { resetPasswords: [] };
  let deleteHomes = false;
  for (let i = 0; i < rest.length; i++) {
    const [flag, inline] = rest[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? rest[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case "--class": options.classList = value(); break;
      case "--instructor": options.instructor = value(); break;
      case "--bind": options.bind = value(); break;
      case "--port": options.port = integer(flag, value(), 1, 65535); break;
      case "--memory": options.memoryMb = megabytes(value()); break;
      case "--cpus": options.cpus = positive(flag, value()); break;
      case "--idle": options.idleMinutes = positive(flag, value()); break;
      case "--homes": options.homeRoot = value(); break;
      case "--state": options.stateDir = value(); break;
      case "--reset-password": options.resetPasswords.push(value()); break;
      case "--delete-homes": deleteHomes = true; break;
      default: throw new UsageError(`unknown option "${rest[i]}".`);
    }
  }
  if (!options.classList) throw new UsageError("--class FILE is required (the class list).");
  return { remove, deleteHomes, options: options as LabServerOptions };
}

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} takes a whole number from ${min} to ${max} (got "${text}").`);
  return n;
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${flag} takes a positive number (got "${text}").`);
  return n;
}

/** "2G", "1500M", "2048" (MiB) → MiB. */
export function megabytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([mg]i?b?)?$/i.exec(text.trim());
  if (!match) throw new UsageError(`--memory takes a size such as 2G or 1500M (got "${text}").`);
  const mb = Number(match[1]) * (match[2]?.[0].toLowerCase() === "g" ? 1024 : 1);
  if (mb < 256) throw new UsageError(`--memory ${text} is too small: JupyterLab and a kernel need at least 256M, lessons about 2G.`);
  return Math.round(mb);
}

export async function runLabServer(args: string[]): Promise<number> {
  if (args[0] === "copy-lessons") return copyOwnLessons();
  const { remove, deleteHomes, options } = parseLabServerArgs(args);
  if (remove) return removeClass(options, deleteHomes);
  const lab = await startLab({ ...options, hubOutput: "file" });
  const memoryMb = lab.config.memoryMb;
  console.log(`\nThe lab server is running at ${lab.url} (hub log: ${path.join(lab.stateDir, "jupyterhub.log")}).`);
  console.log(`Instructor's view: ${lab.url}services/class-progress/ (log in as ${lab.config.instructor}).`);
  console.log(`Limits per learner: ${memoryMb} MiB, ${options.cpus ?? LAB_DEFAULTS.cpus} core(s) (${lab.limits.mode}); this machine (${Math.round(totalmem() / 2 ** 30)} GiB) holds ${learnersPerMachine(totalmem() / 2 ** 20, memoryMb)} learners at that limit.`);
  if (lab.newPasswords.size > 0) {
    console.log(`\nPasswords (shown ONLY NOW; only their hashes are stored; --reset-password NAME makes a new one):`);
    for (const [name, password] of lab.newPasswords) console.log(`  ${name.padEnd(24)} ${password}`);
  } else {
    console.log("\nEvery learner already has a password (from an earlier run); --reset-password NAME makes a new one.");
  }
  console.log("\nCtrl-C stops the hub and the learners' servers; their files stay.");
  const stop = (): void => void lab.stop();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return new Promise((resolve) => lab.hub.on("exit", (code) => resolve(code ?? 0)));
}

/** The lessons into the current user's ~/lessons, as the lab server does for each learner (a container's start command). */
function copyOwnLessons(): number {
  const report = copyLessons(path.join(packageRoot(), "lessons"), { name: userInfo().username, uid: process.getuid!(), gid: process.getgid!(), home: homedir() });
  console.log(`Lessons in ${path.join(homedir(), "lessons")}: ${report.copied.length} copied, ${report.offered.length} updates offered as new files, ${report.kept.length} kept.`);
  return 0;
}

function removeClass(options: LabServerOptions, deleteHomes: boolean): number {
  const learners = readClassList(options.classList);
  const stateDir = path.resolve(options.stateDir ?? path.join("/var/lib/convlab-lab", path.basename(options.classList).replace(/\.[^.]*$/, "")));
  const lab = JSON.parse(readFileSync(path.join(stateDir, "lab.json"), "utf8")) as LabConfig;
  const names = [...learners, lab.instructor];
  const removed = names.filter((name) => removeAccount(name, deleteHomes));
  const left = removeLimits(lab.classId, names, options.cgroupRoot);
  console.log(`Removed ${removed.length} accounts${deleteHomes ? " and their homes" : " (homes kept)"}.${left.length ? ` Cgroups still in use: ${left.join(", ")}` : ""}`);
  return 0;
}
