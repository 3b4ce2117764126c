/**
 * Learners as Unix users: each gets a real account with a home folder of
 * mode 700, so other learners cannot read it (on disk or through their own
 * servers, which run as themselves). Accounts carry a marker in their
 * comment field, so the lab server never adopts or removes an account it did
 * not create.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";

/** The comment (GECOS) field of accounts the lab server created. */
export const ACCOUNT_MARKER = "convlab lab learner";

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The account of `name` from the user database, or null. */
export function lookupAccount(name: string): (Account & { comment: string }) | null {
  const result = spawnSync("getent", ["passwd", name], { encoding: "utf8" });
  if (result.status !== 0) return null;
  const [, , uid, gid, comment, home] = result.stdout.trim().split(":");
  return { name, uid: Number(uid), gid: Number(gid), comment, home };
}

/**
 * Checks every name before anything is created: an account of that name
 * must not exist, unless the lab server made it with this home folder.
 * Returns the problems (empty when all is well).
 */
export function accountProblems(names: readonly string[], homeRoot: string): string[] {
  const problems: string[] = [];
  const closed = closedAncestor(homeRoot);
  if (closed) problems.push(`learners could not reach their homes under ${homeRoot}: ${closed} is not searchable by others (chmod o+x ${closed}, or choose --homes elsewhere)`);
  for (const name of names) {
    const account = lookupAccount(name);
    if (!account) continue;
    if (!account.comment.startsWith(ACCOUNT_MARKER)) {
      problems.push(`"${name}" is already an account on this machine that the lab server did not create; rename the learner in the class list (e.g. "${name}-1")`);
    } else if (path.resolve(account.home) !== path.join(path.resolve(homeRoot), name)) {
      problems.push(`"${name}" is a lab account with its home in ${account.home}, not under ${homeRoot}; use --homes ${path.dirname(account.home)} or remove that class first`);
    }
  }
  return problems;
}

/** The first existing folder above `dir` (or itself) that other users cannot pass through, if any. */
function closedAncestor(dir: string): string | null {
  const chain: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    chain.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of chain) {
    if (!existsSync(d)) return null;
    if ((statSync(d).mode & 0o001) === 0) return d;
  }
  return null;
}

/**
 * Creates the missing accounts (existing lab accounts are kept as they are,
 * files included). If one fails, the accounts created by this call are
 * removed again, so nothing is half-created.
 */
export function ensureAccounts(names: readonly string[], homeRoot: string, classId: string): Account[] {
  mkdirSync(homeRoot, { recursive: true });
  // Learners must be able to reach their own home, but not list the others' names.
  chmodSync(homeRoot, 0o711);
  const created: string[] = [];
  try {
    return names.map((name) => {
      let account = lookupAccount(name);
      if (!account) {
        const home = path.join(homeRoot, name);
        execFileSync("useradd", ["--create-home", "--home-dir", home, "--shell", "/bin/bash", "--user-group", "--comment", `${ACCOUNT_MARKER} (${classId})`, name], { stdio: "pipe" });
        created.push(name);
        account = lookupAccount(name);
        if (!account) throw new Error(`useradd made "${name}" but the account cannot be found`);
      }
      if (!existsSync(account.home)) mkdirSync(account.home, { recursive: true });
      chownSync(account.home, account.uid, account.gid);
      chmodSync(account.home, 0o700);
      return { name, uid: account.uid, gid: account.gid, home: account.home };
    });
  } catch (error) {
    for (const name of created) removeAccount(name, true);
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    throw new Error(`Creating the learners' accounts failed (${detail}); the ${created.length} created in this run were removed again.`, { cause: error });
  }
}

/** Removes a lab account (only one the lab server created); its home is kept unless deleteHome. */
export function removeAccount(name: string, deleteHome = false): boolean {
  const account = lookupAccount(name);
  if (!account || !account.comment.startsWith(ACCOUNT_MARKER)) return false;
  spawnSync("userdel", deleteHome ? ["--remove", name] : [name], { stdio: "pipe" });
  return lookupAccount(name) === null;
}
