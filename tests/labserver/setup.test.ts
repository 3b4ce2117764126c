/**
 * The lab server's parts that need no hub: the class list, limits (cgroup v1
 * and v2 written to a stand-in folder, the loud fallback), lesson copies,
 * ports, the record check() keeps, the instructor's summary, arguments.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyLimits, accountProblems, assertPortFree, classCounts, copyLessons, learnersPerMachine, parseClassList, prepareLab, summarizeChecks, type ClassProgress } from "../../labserver";
import { megabytes, parseLabServerArgs } from "../../labserver/cli";
import { CHECKS_FILE, check, parseCheckEntries } from "../../lib/check";

describe("lab server setup", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "convlab-labsetup-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe("class list", () => {
    it("reads names from a text file or a CSV with a username column, skipping comments and blanks", () => {
      assert.deepEqual(parseClassList("# room 2\nada\n\ngrace\n"), ["ada", "grace"]);
      assert.deepEqual(parseClassList('full name,username\n"Lovelace, Ada",ada\nGrace Hopper,grace\n'), ["ada", "grace"]);
    });

    it("names every bad line: duplicates, invalid and reserved names", () => {
      assert.throws(
        () => parseClassList("ada\nAda Lovelace\nroot\nada\n", "class.txt"),
        (error: Error) =>
          /class\.txt has 3 problems; nothing was created/.test(error.message) &&
          /line 2: "Ada Lovelace" is not a valid user name/.test(error.message) &&
          /line 3: "root" is reserved/.test(error.message) &&
          /line 4: "ada" is listed twice \(first on line 1\)/.test(error.message),
      );
      assert.throws(() => parseClassList("BOB\n"), /try "bob"/);
      assert.throws(() => parseClassList("\n# nobody\n"), /has no names/);
      assert.throws(() => parseClassList("name,email\nada\n"), /line 2: 1 fields where the header has 2/);
      assert.throws(() => parseClassList("first,last\nada,l\n"), /no "username" column/);
    });

    it("leaves nothing behind when the class list is bad", async () => {
      const list = path.join(dir, "class.txt");
      writeFileSync(list, "ada\nada\n");
      const state = path.join(dir, "state");
      await assert.rejects(prepareLab({ classList: list, stateDir: state, homeRoot: path.join(dir, "homes"), port: 1 }), /listed twice/);
      assert.equal(existsSync(state), false);
      assert.equal(existsSync(path.join(dir, "homes")), false);
    });

    it("refuses an account the lab server did not create, and homes learners cannot reach", () => {
      assert.match(accountProblems(["daemon"], "/home").join("\n"), /"daemon" is already an account on this machine that the lab server did not create/);
      const closed = path.join(dir, "closed");
      mkdirSync(closed, { mode: 0o700 });
      assert.match(accountProblems([], path.join(closed, "homes")).join("\n"), /is not searchable by others/);
    });
  });

  describe("limits", () => {
    const limits = { memoryMb: 1024, cpus: 0.5, maxProcesses: 64 };

    it("cgroup v1: a cgroup per learner and controller with memory (and memory+swap), CPU quota and pids", () => {
      for (const c of ["memory", "cpu", "pids"]) mkdirSync(path.join(dir, c));
      writeFileSync(path.join(dir, "memory", "memory.limit_in_bytes"), "9223372036854771712");
      // The stand-in has no kernel to create a cgroup's files: give the learner's memory cgroup its starting limit.
      mkdirSync(path.join(dir, "memory", "convlab-lab", "c1", "ada"), { recursive: true });
      writeFileSync(path.join(dir, "memory", "convlab-lab", "c1", "ada", "memory.limit_in_bytes"), "9223372036854771712");
      writeFileSync(path.join(dir, "memory", "convlab-lab", "c1", "ada", "memory.memsw.limit_in_bytes"), "9223372036854771712");
      const applied = applyLimits("c1", ["ada"], limits, dir);
      assert.equal(applied.mode, "cgroup-v1");
      assert.equal(applied.warning, undefined);
      const read = (...p: string[]) => readFileSync(path.join(dir, ...p), "utf8");
      assert.equal(read("memory", "convlab-lab", "c1", "ada", "memory.limit_in_bytes"), String(1024 * 2 ** 20));
      assert.equal(read("memory", "convlab-lab", "c1", "ada", "memory.memsw.limit_in_bytes"), String(1024 * 2 ** 20));
      assert.equal(read("cpu", "convlab-lab", "c1", "ada", "cpu.cfs_quota_us"), "50000");
      assert.equal(read("pids", "convlab-lab", "c1", "ada", "pids.max"), "64");
      assert.deepEqual(applied.procs.ada, ["memory", "cpu", "pids"].map((c) => path.join(dir, c, "convlab-lab", "c1", "ada", "cgroup.procs")));
    });

    it("cgroup v2: controllers delegated down, memory.max, swap off, cpu.max, pids.max", () => {
      writeFileSync(path.join(dir, "cgroup.controllers"), "cpuset cpu io memory pids\n");
      const applied = applyLimits("c2", ["ada", "bo"], limits, dir);
      assert.equal(applied.mode, "cgroup-v2");
      const leaf = path.join(dir, "convlab-lab", "c2", "bo");
      assert.equal(readFileSync(path.join(dir, "convlab-lab", "c2", "cgroup.subtree_control"), "utf8"), "+memory +cpu +pids");
      assert.equal(readFileSync(path.join(leaf, "memory.max"), "utf8"), String(1024 * 2 ** 20));
      assert.equal(readFileSync(path.join(leaf, "cpu.max"), "utf8"), "50000 100000");
      assert.equal(readFileSync(path.join(leaf, "pids.max"), "utf8"), "64");
      assert.deepEqual(applied.procs.bo, [path.join(leaf, "cgroup.procs")]);
    });

    it("without writable cgroups, falls back to rlimits and a heap cap, and says loudly what is lost", () => {
      const applied = applyLimits("c3", ["ada"], limits, path.join(dir, "no-cgroups"));
      assert.equal(applied.mode, "rlimit");
      assert.equal(applied.rlimitDataBytes, 1024 * 2 ** 20);
      assert.equal(applied.environment.NODE_OPTIONS, "--max-old-space-size=768");
      assert.match(applied.warning ?? "", /WARNING: per-learner limits are WEAKER than asked: no cgroup hierarchy was found.*NO CPU cap/s);
    });

    it("counts learners per machine from the memory limit, keeping room for the system and the hub", () => {
      assert.equal(learnersPerMachine(24 * 1024, 2048), 11);
      assert.equal(learnersPerMachine(24 * 1024, 1024), 22);
    });
  });

  describe("lessons", () => {
    it("copies the lessons once, never overwrites the learner's copy, and offers a changed lesson as a new file", () => {
      const shipped = path.join(dir, "shipped");
      mkdirSync(shipped);
      writeFileSync(path.join(shipped, "01-a.ipynb"), "v1");
      const account = { name: process.env.USER ?? "root", uid: process.getuid!(), gid: process.getgid!(), home: path.join(dir, "home") };
      mkdirSync(account.home);
      assert.deepEqual(copyLessons(shipped, account).copied, ["01-a.ipynb"]);
      writeFileSync(path.join(account.home, "lessons", "01-a.ipynb"), "my work");
      assert.deepEqual(copyLessons(shipped, account).kept, ["01-a.ipynb"]);
      writeFileSync(path.join(shipped, "01-a.ipynb"), "v2");
      const report = copyLessons(shipped, account);
      assert.equal(report.offered.length, 1);
      assert.match(report.offered[0], /^01-a\.update-[0-9a-f]{12}\.ipynb$/);
      assert.equal(readFileSync(path.join(account.home, "lessons", "01-a.ipynb"), "utf8"), "my work");
      assert.equal(readFileSync(path.join(account.home, "lessons", report.offered[0]), "utf8"), "v2");
      // The same update is offered once.
      assert.deepEqual(copyLessons(shipped, account).kept, ["01-a.ipynb"]);
      assert.equal(readdirSync(path.join(account.home, "lessons")).length, 2);
    });
  });

  describe("ports", () => {
    let server: Server;
    afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("says clearly when the port is taken", async () => {
      server = createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as { port: number };
      await assert.rejects(assertPortFree("127.0.0.1", port), new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use.*--port`));
    });
  });

  describe("check() results in the learner's folder", () => {
    const saved = process.env.CONVLAB_PROGRESS_DIR;
    afterEach(() => (saved === undefined ? delete process.env.CONVLAB_PROGRESS_DIR : (process.env.CONVLAB_PROGRESS_DIR = saved)));

    it("appends one line per check to $CONVLAB_PROGRESS_DIR/checks.jsonl, and nothing when it is unset", async () => {
      delete process.env.CONVLAB_PROGRESS_DIR;
      await check("01-predict", { predictions: [] });
      process.env.CONVLAB_PROGRESS_DIR = path.join(dir, ".convlab");
      await check("01-predict", { predictions: [] });
      await check("01-predict", { predictions: [1] });
      const entries = parseCheckEntries(readFileSync(path.join(dir, ".convlab", CHECKS_FILE), "utf8"));
      assert.equal(entries.length, 2);
      assert.deepEqual(entries.map((e) => [e.exercise, e.passed]), [["01-predict", false], ["01-predict", false]]);
      const summary = summarizeChecks(entries);
      assert.equal(summary["01-predict"].tries, 2);
      assert.equal(summary["01-predict"].at, entries[1].at);
    });

    it("counts the class per exercise: passed, not yet, not tried", () => {
      const at = "2026-01-01T00:00:00.000Z";
      const progress: ClassProgress = {
        at,
        exercises: [{ id: "01-predict", title: "" }],
        learners: [
          { name: "a", server: "running", lesson: "01", busy: false, readAt: at, exercises: { "01-predict": { passed: true, at, tries: 3 } } },
          { name: "b", server: "running", lesson: "01", busy: true, readAt: at, exercises: { "01-predict": { passed: false, at, tries: 1 } } },
          { name: "c", server: "stopped", lesson: null, busy: false, readAt: null, exercises: {} },
        ],
      };
      assert.deepEqual(classCounts(progress), [{ exercise: "01-predict", passed: 1, notYet: 1, notTried: 1 }]);
    });
  });

  describe("arguments", () => {
    it("parses sizes and options, and names a bad one", () => {
      assert.equal(megabytes("2G"), 2048);
      assert.equal(megabytes("1500M"), 1500);
      assert.throws(() => megabytes("lots"), /--memory takes a size such as 2G/);
      const parsed = parseLabServerArgs(["--class", "c.txt", "--memory=3G", "--cpus", "0.5", "--port", "9000", "--reset-password", "ada"]);
      assert.equal(parsed.options.memoryMb, 3072);
      assert.equal(parsed.options.cpus, 0.5);
      assert.deepEqual(parsed.options.resetPasswords, ["ada"]);
      assert.throws(() => parseLabServerArgs(["--port", "0x"]), /--port takes a whole number/);
      assert.throws(() => parseLabServerArgs([]), /--class FILE is required/);
    });
  });
});
