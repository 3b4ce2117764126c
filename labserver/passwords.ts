/**
 * Logins: a random password per learner, shown to the instructor once;
 * only bcrypt hashes are stored (passwords.json, mode 600, read by the hub's
 * authenticator). Hashing uses the hub's Python bcrypt (a JupyterHub
 * dependency), the same library that checks logins.
 */
import { execFileSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** Letters and digits that cannot be mistaken for one another when read aloud or off a projector. */
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** A password of three groups of four, e.g. "k7mq-x2hd-9trw" (about 74 bits). */
export function newPassword(): string {
  const group = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  return [group(), group(), group()].join("-");
}

/** bcrypt hashes of the passwords, computed by `python` (which must have the bcrypt module). */
export function hashPasswords(python: string, passwords: readonly string[]): string[] {
  if (passwords.length === 0) return [];
  const script = "import bcrypt, json, sys\nprint(json.dumps([bcrypt.hashpw(p.encode(), bcrypt.gensalt(10)).decode() for p in json.load(sys.stdin)]))";
  const out = execFileSync(python, ["-c", script], { input: JSON.stringify(passwords), encoding: "utf8" });
  return JSON.parse(out) as string[];
}

export function readHashes(file: string): Record<string, string> {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
}

/**
 * Gives every name without a stored hash a new password. Returns the new
 * passwords (to print once); the stored hashes of others are kept.
 */
export function ensurePasswords(file: string, names: readonly string[], python: string, reset: readonly string[] = []): Map<string, string> {
  const hashes = readHashes(file);
  const fresh = names.filter((n) => !hashes[n] || reset.includes(n));
  const passwords = fresh.map(() => newPassword());
  hashPasswords(python, passwords).forEach((hash, i) => (hashes[fresh[i]] = hash));
  writeFileSync(file, JSON.stringify(hashes, null, 2) + "\n", { mode: 0o600 });
  return new Map(fresh.map((name, i) => [name, passwords[i]]));
}
