/**
 * Acceptance: a lab server for 3 learners on 127.0.0.1, each logged in
 * through the hub's API, each running lesson 1 through the hub's proxied
 * kernel websocket at the same time; isolation between learners (hub and
 * disk); a runaway kernel stopped at its learner's memory limit and an
 * endless loop held to its CPU cap while the others keep working; the
 * instructor's view agreeing with the check() results the learners saw; and
 * a restart that keeps every learner's notebooks. Waits are for states,
 * each bounded; lesson 1 takes 20-30 s alone on a quiet machine and several
 * times that when 3 run at once on 2 shared cores.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  checkResultsShown,
  dismantle,
  freePort,
  HubApi,
  HubKernel,
  LESSON_1,
  logInAll,
  learnerCgroups,
  memoryReport,
  probeIsolation,
  runForAll,
  startAll,
  startLab,
  type ClassProgress,
  type LabServerOptions,
  type NotebookRun,
  type RunningLab,
} from "../../labserver";

const MINUTE = 60_000;
/** The idle time after the restart: short, so that culling can be seen within the test. */
const IDLE_MINUTES = 0.5;

describe("lab server: 3 learners through the hub on loopback", function () {
  this.timeout(10 * MINUTE);
  const prefix = `c${randomBytes(3).toString("hex")}`;
  const learners = ["ada", "bo", "cy"].map((n) => `${prefix}-${n}`);
  const [ada, bo, cy] = learners;
  const instructor = `${prefix}-teach`;
  let dir: string;
  let options: LabServerOptions;
  let lab: RunningLab | undefined;
  let passwords: Map<string, string>;
  let clients: Map<string, HubApi>;
  let runs: Map<string, NotebookRun>;

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), "convlab-lab-"));
    chmodSync(dir, 0o711);
    writeFileSync(path.join(dir, "class.txt"), learners.join("\n") + "\n");
    options = { classList: path.join(dir, "class.txt"), instructor, stateDir: path.join(dir, "state"), homeRoot: path.join(dir, "homes"), port: await freePort(), log: () => undefined };
    lab = await startLab(options);
    passwords = new Map(lab.newPasswords);
    clients = await logInAll(lab, passwords);
    await startAll(clients, 5 * MINUTE);
  });

  after(async function () {
    this.timeout(3 * MINUTE);
    if (lab) await dismantle(lab);
    rmSync(dir, { recursive: true, force: true });
  });

  it("binds to 127.0.0.1, prints each password once and stores only bcrypt hashes", () => {
    assert.equal(lab!.config.bind, "127.0.0.1");
    assert.equal(passwords.size, 4);
    const stored = readFileSync(path.join(options.stateDir!, "passwords.json"), "utf8");
    for (const [name, password] of passwords) {
      assert.ok(!stored.includes(password), `${name}'s password is not stored`);
      assert.match(JSON.parse(stored)[name], /^\$2[aby]\$10\$/);
    }
  });

  it("runs lesson 1 for every learner at once, through the hub, with no error", async function () {
    this.timeout(25 * MINUTE);
    runs = await runForAll(clients, LESSON_1, 10 * MINUTE);
    for (const [name, run] of runs) {
      assert.equal(run.failure, undefined, `${name}: cell ${run.failure?.cell} failed: ${run.failure?.error}`);
      assert.ok(run.cells > 10, `${name} ran ${run.cells} cells`);
      assert.ok(checkResultsShown(run.outputs).length >= 2, `${name}'s lesson showed its check() results`);
    }
  });

  it("keeps learners apart: private homes, and no way into another's server or files", async () => {
    for (const account of lab!.accounts) {
      const mode = spawnSync("stat", ["-c", "%a %U", account.home], { encoding: "utf8" }).stdout.trim();
      assert.equal(mode, `700 ${account.name}`);
    }
    const probe = await probeIsolation(lab!, clients, 2 * MINUTE);
    assert.equal(probe.probes, 6);
    assert.deepEqual(probe.violations, []);
  });

  it("stops a kernel that allocates without bound at its learner's limit, while the others keep working", async () => {
    const neighbour = await HubKernel.open(clients.get(ada)!, ada, "neighbour.ipynb");
    const runaway = await HubKernel.open(clients.get(cy)!, cy, "runaway.ipynb");
    try {
      assert.equal((await neighbour.execute("let counter = 41; counter", MINUTE)).status, "ok");
      const oomBefore = memoryReport(lab!.config.classId, cy).oomKills;
      const [blown, meanwhile] = await Promise.all([
        runaway.execute("const hoard: Buffer[] = []; for (;;) hoard.push(Buffer.alloc(64 * 1024 * 1024, 1));", 5 * MINUTE),
        neighbour.execute("++counter", 5 * MINUTE),
      ]);
      assert.equal(blown.status, "died", `the runaway kernel ended with ${blown.status}: ${blown.error}`);
      // With cgroups, the OOM killer acted inside the runaway learner's cgroup (without, its data limit stopped it).
      if (lab!.limits.mode !== "rlimit") assert.ok(memoryReport(lab!.config.classId, cy).oomKills > oomBefore, "the OOM killer acted in the learner's cgroup");
      assert.equal(meanwhile.status, "ok");
      const after = await neighbour.execute("++counter", MINUTE);
      assert.equal(after.status, "ok");
      assert.equal((after.outputs.find((o) => o.type === "execute_result")?.content.data as Record<string, string>)["text/plain"], "43", "the neighbour's kernel kept its state");
      assert.equal((await clients.get(bo)!.user(bo)).servers?.[""]?.ready, true);
    } finally {
      await runaway.close();
      await neighbour.close();
    }
  });

  it("holds an endless loop to its learner's CPU cap while the others keep working", async () => {
    const spinner = await HubKernel.open(clients.get(cy)!, cy, "spin.ipynb");
    const neighbour = await HubKernel.open(clients.get(bo)!, bo, "neighbour.ipynb");
    try {
      void spinner.execute("for (;;) {}", 5 * MINUTE).catch(() => undefined);
      assert.equal((await neighbour.execute("[1, 2, 3].map((x) => x * 2).join()", 2 * MINUTE)).status, "ok");
      if (lab!.limits.mode === "rlimit") return; // the fallback has no CPU cap (and says so when it starts)
      // The spinning kernel is in the learner's cgroup, whose CPU quota is one core. (Whether the quota
      // throttles it depends on how busy the machine is, so the test checks where the kernel runs.)
      const cpuGroup = learnerCgroups(lab!.config.classId, cy).find((d) => existsSync(path.join(d, "cpu.cfs_quota_us")) || existsSync(path.join(d, "cpu.max")))!;
      const quota = existsSync(path.join(cpuGroup, "cpu.max")) ? readFileSync(path.join(cpuGroup, "cpu.max"), "utf8").trim() : readFileSync(path.join(cpuGroup, "cpu.cfs_quota_us"), "utf8").trim();
      assert.match(quota, /^100000( 100000)?$/);
      const kernels = readFileSync(path.join(cpuGroup, "cgroup.procs"), "utf8").split("\n").filter((pid) => pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("main.js\0kernel"));
      assert.ok(kernels.length >= 1, "the learner's kernels run inside the learner's CPU cgroup");
      assert.equal((await clients.get(ada)!.user(ada)).servers?.[""]?.ready, true);
    } finally {
      await spinner.close();
      await neighbour.close();
    }
  });

  it("shows the instructor each learner's latest check() results, and only the instructor", async () => {
    const teacher = await HubApi.login(lab!.url, instructor, passwords.get(instructor)!);
    const progress = await teacher.json<ClassProgress>("services/class-progress/api/progress");
    assert.deepEqual(progress.learners.map((l) => l.name), learners);
    for (const learner of progress.learners) {
      const shown = checkResultsShown(runs.get(learner.name)!.outputs);
      for (const exercise of new Set(shown.map((s) => s.exercise))) {
        const mine = shown.filter((s) => s.exercise === exercise);
        assert.equal(learner.exercises[exercise]?.passed, mine.at(-1)!.passed, `${learner.name} ${exercise}`);
        assert.equal(learner.exercises[exercise]?.tries, mine.length, `${learner.name} ${exercise} tries`);
      }
      assert.equal(learner.server, "running");
    }
    const page = await (await teacher.fetch("services/class-progress/")).text();
    assert.match(page, /<svg/);
    assert.match(page, /<table/);
    for (const name of learners) assert.ok(page.includes(name));
    const denied = await clients.get(ada)!.fetch("services/class-progress/api/progress");
    assert.equal(denied.status, 403);
  });

  it("keeps every learner's notebooks, edits included, across a restart of the lab server", async function () {
    this.timeout(15 * MINUTE);
    const api = clients.get(ada)!;
    const lessonPath = api.userPath(ada, `api/contents/${LESSON_1}`);
    const notebook = await api.json<{ content: Record<string, unknown> }>(lessonPath);
    const edited = { ...notebook.content, metadata: { ...(notebook.content.metadata as object), edited_by: ada } };
    await api.json(lessonPath, { method: "PUT", body: JSON.stringify({ type: "notebook", content: edited }) });
    const before = fingerprints(lab!);
    await lab!.stop();
    // Restarted with a short idle time, for the next test.
    lab = await startLab({ ...options, idleMinutes: IDLE_MINUTES });
    assert.equal(lab.newPasswords.size, 0, "no learner got a new password");
    assert.deepEqual(fingerprints(lab), before);
    const again = await HubApi.login(lab.url, ada, passwords.get(ada)!);
    await again.startServer(ada, 5 * MINUTE);
    const reread = await again.json<{ content: { metadata: Record<string, unknown> } }>(lessonPath);
    assert.equal(reread.content.metadata.edited_by, ada);
  });

  it("stops a server left idle for the idle time, keeping its files", async function () {
    this.timeout(10 * MINUTE);
    const before = fingerprints(lab!);
    const teacher = await HubApi.login(lab!.url, instructor, passwords.get(instructor)!);
    // jupyter_server checks for inactivity once a minute and the hub polls its servers every 30 s: wait for the state.
    const deadline = Date.now() + 8 * MINUTE;
    while ((await teacher.user(ada)).servers?.[""] !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2000));
    assert.equal((await teacher.user(ada)).servers?.[""], undefined, `${ada}'s idle server was stopped`);
    assert.deepEqual(fingerprints(lab!), before);
  });
});

/** sha256 of every file in every learner's lessons folder. */
function fingerprints(lab: RunningLab): Record<string, string> {
  const result: Record<string, string> = {};
  for (const account of lab.accounts) {
    const lessons = path.join(account.home, "lessons");
    for (const file of readdirSync(lessons, { recursive: true }) as string[]) {
      if (statSync(path.join(lessons, file)).isFile()) result[`${account.name}/${file}`] = createHash("sha256").update(readFileSync(path.join(lessons, file))).digest("hex");
    }
  }
  return result;
}
