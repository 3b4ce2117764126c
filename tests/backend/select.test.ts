/**
 * Backend selection on a machine like CI's: no tfjs-node, no GPU. Covers the
 * fallback path, the reasons shown, clear errors, and start-up details
 * (working directory, threads, process handlers) in child processes.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackendUnavailableError, backendInfo, describePlan, planBackend, useBackend } from "../../lib/backend";
import { parseBackendChoice, parseThreads } from "../../lib/backend/plan";
import { loadOptional } from "../../lib/backend/select";
import { cpuShare } from "../../lib/backend/cpu-share";
import { DISPLAY } from "../../lib/display";

const child = join(__dirname, "start-backend-child.js");

function runChild(request: object, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Record<string, any> {
  const run = spawnSync(process.execPath, [child, JSON.stringify(request)], {
    encoding: "utf8",
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    timeout: 120_000,
  });
  assert.equal(run.signal, null, `child was killed (${run.signal}): did it hang? stderr: ${run.stderr}`);
  const last = run.stdout.trim().split("\n").pop() ?? "";
  assert.ok(last.startsWith("{"), `child printed no JSON. stdout: ${run.stdout} stderr: ${run.stderr}`);
  return JSON.parse(last);
}

function isInstalled(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

describe("backend selection", function () {
  this.timeout(180_000);

  describe("planBackend (no tfjs)", () => {
    it("auto on a machine with neither tfjs-node nor a GPU plans wasm and says why not the others", () => {
      const plan = planBackend({
        env: {},
        isInstalled: (pkg) => !pkg.includes("tfjs-node"),
        hasNvidiaDriver: () => false,
      });
      assert.equal(plan.requested, "auto");
      assert.equal(plan.backend, "wasm");
      assert.deepEqual(plan.skipped.map((s) => s.backend), ["gpu", "node"]);
      assert.match(plan.skipped[0].reason, /@tensorflow\/tfjs-node-gpu is not installed.*npm run setup:gpu/);
      assert.match(plan.skipped[1].reason, /@tensorflow\/tfjs-node is not installed.*npm run setup:native/);
      assert.match(describePlan(plan), /^backend: wasm(, \d+ threads)? \(auto: .*not gpu: .*not node: /);
    });

    it("auto prefers tfjs-node-gpu with a driver, then tfjs-node, and falls back to cpu last", () => {
      const everything = { env: {}, isInstalled: () => true, hasNativeBinding: () => true, hasNvidiaDriver: () => true };
      assert.equal(planBackend(everything).backend, "gpu");
      const noDriver = planBackend({ ...everything, hasNvidiaDriver: () => false });
      assert.equal(noDriver.backend, "node");
      assert.match(noDriver.skipped[0].reason, /no NVIDIA driver/);
      const unbuilt = planBackend({ ...everything, hasNativeBinding: () => false });
      assert.equal(unbuilt.backend, "wasm");
      assert.match(unbuilt.skipped[1].reason, /tfjs-node is installed but its native binding is missing.*npm run setup:native/);
      const nothing = planBackend({ env: {}, isInstalled: (pkg) => pkg.endsWith("tfjs-backend-cpu"), hasNvidiaDriver: () => false });
      assert.equal(nothing.backend, "cpu");
      assert.deepEqual(nothing.skipped.map((s) => s.backend), ["gpu", "node", "wasm"]);
    });

    it("honours CONVLAB_BACKEND and CONVLAB_THREADS, and rejects bad values clearly", () => {
      const plan = planBackend({ env: { CONVLAB_BACKEND: " CPU ", CONVLAB_THREADS: "2" }, isInstalled: () => true, hasNativeBinding: () => true });
      assert.equal(plan.backend, "cpu");
      assert.equal(plan.threads, 2);
      const missing = planBackend({ env: { CONVLAB_BACKEND: "node" }, isInstalled: () => false });
      assert.equal(missing.backend, "node");
      assert.match(missing.reason, /asked for, but @tensorflow\/tfjs-node is not installed: run `npm run setup:native`/);
      assert.throws(() => parseBackendChoice("tpu"), /CONVLAB_BACKEND="tpu" is not a backend convlab knows\. Use one of: auto, gpu, node, wasm, cpu/);
      assert.throws(() => parseThreads("0", 2), /CONVLAB_THREADS="0" must be a whole number from 1 to 8/);
      assert.equal(parseThreads("auto", 2), 2);
      assert.equal(parseThreads(undefined, 2), undefined);
      assert.equal(parseThreads("auto", 12), 8);
    });

    it("counts the cores this process may use (what CONVLAB_THREADS=auto takes): CPUs, cgroup v2 cpu.max, cgroup v1 CFS quota, CPU_LIMIT", () => {
      const files = (entries: Record<string, string>) => (path: string) => entries[path];
      const v2 = { "/proc/self/cgroup": "0::/lab/alice\n" };
      assert.deepEqual(cpuShare({ cores: 8, readFile: files(v2), env: {} }), { threads: 8, source: "8 CPUs" });
      assert.deepEqual(
        cpuShare({ cores: 8, readFile: files({ ...v2, "/sys/fs/cgroup/lab/alice/cpu.max": "max 100000\n", "/sys/fs/cgroup/lab/cpu.max": "250000 100000\n" }), env: {} }),
        { threads: 2, source: "/sys/fs/cgroup/lab/cpu.max 250000/100000" },
      );
      const v1 = { "/proc/self/cgroup": "4:memory:/x\n2:cpu,cpuacct:/docker/abc\n" };
      assert.deepEqual(
        cpuShare({ cores: 4, readFile: files({ ...v1, "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "150000", "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000" }), env: {} }),
        { threads: 1, source: "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us 150000/100000" },
      );
      assert.equal(cpuShare({ cores: 4, readFile: files({ ...v1, "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000" }), env: {} }).threads, 4);
      assert.deepEqual(cpuShare({ cores: 4, readFile: () => undefined, env: { CPU_LIMIT: "2.0" } }), { threads: 2, source: "CPU_LIMIT=2.0" });
      assert.equal(cpuShare({ cores: 4, readFile: () => undefined, env: { CPU_LIMIT: "0.5" } }).threads, 1);
      assert.equal(cpuShare({ cores: 4, readFile: () => undefined, env: { CPU_LIMIT: "" } }).threads, 4);
    });
  });

  describe("useBackend and backendInfo", () => {
    it("auto starts the fastest backend that works here and records why faster ones were skipped", async () => {
      const info = await useBackend("auto");
      const gpu = isInstalled("@tensorflow/tfjs-node-gpu");
      const node = isInstalled("@tensorflow/tfjs-node");
      if (!gpu && !node) {
        assert.equal(info.backend, "wasm");
        assert.equal(info.tfjsBackend, "wasm");
        assert.deepEqual(info.skipped.map((s) => s.backend), ["gpu", "node"]);
        assert.match(info.skipped[1].reason, /not installed: run `npm run setup:native`/);
        assert.equal(info.simd, true);
        assert.ok((info.threads ?? 0) >= 1);
        assert.ok(info.trainingKernels.includes("Conv2DBackpropFilter"));
      } else {
        assert.ok(info.backend === "gpu" || info.backend === "node", `got ${info.backend}`);
      }
    });

    it("asking for an unavailable backend says how to get it", async () => {
      for (const [name, pkg, how] of [
        ["node", "@tensorflow/tfjs-node", /npm run setup:native/],
        ["gpu", "@tensorflow/tfjs-node-gpu", /npm run setup:gpu/],
      ] as const) {
        if (isInstalled(pkg)) continue; // available here: nothing to refuse
        await assert.rejects(useBackend(name), (error: unknown) => {
          assert.ok(error instanceof BackendUnavailableError);
          assert.equal(error.backend, name);
          assert.match(error.message, new RegExp(`The ${name} backend is not available: ${pkg.replace("/", "\\/")} is not installed`));
          assert.match(error.message, how);
          return true;
        });
      }
      await assert.rejects(useBackend("tpu" as never), /useBackend\(\)="tpu" is not a backend convlab knows/);
      await assert.rejects(useBackend("wasm", { threads: 0 }), /threads must be a whole number from 1 to 8/);
    });

    it("switches between wasm and cpu, and backendInfo shows itself as a table and as text", async () => {
      const cpu = await useBackend("cpu");
      assert.equal(cpu.backend, "cpu");
      assert.equal(cpu.threads, null);
      const wasm = await useBackend("wasm");
      assert.equal(wasm.backend, "wasm");
      const info = backendInfo();
      const bundle = info[DISPLAY]();
      assert.match(String(bundle["text/html"]), /^<table class="convlab-backend-info"[^>]*>.*<th[^>]*>backend<\/th><td[^>]*>wasm \(tfjs &quot;wasm&quot;\)<\/td>/);
      assert.match(String(bundle["text/html"]), /<th[^>]*>SIMD<\/th><td[^>]*>yes<\/td>/);
      assert.match(String(bundle["text/plain"]), /^backend +wasm/m);
      assert.match(String(bundle["text/plain"]), /^versions +tfjs 4\.22\.\d+, tfjs-backend-wasm 4\.22\.\d+/m);
    });
  });

  describe("loading optional backends", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "convlab-backend-"));
      // A tfjs-node whose native library is missing, as on a machine where its install script could not download it.
      const pkg = join(dir, "node_modules", "@tensorflow", "tfjs-node");
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "@tensorflow/tfjs-node", main: "index.js" }));
      writeFileSync(
        join(pkg, "index.js"),
        'throw new Error("libtensorflow.so.2: cannot open shared object file: No such file or directory\\n    at Module._extensions");',
      );
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("reports a module that fails to load with its reason, and a missing one as not installed", () => {
      const load = (pkg: string) => require(join(dir, "node_modules", pkg));
      assert.deepEqual(loadOptional("@tensorflow/tfjs-node", load), {
        reason: "@tensorflow/tfjs-node failed to load: libtensorflow.so.2: cannot open shared object file: No such file or directory",
      });
      assert.deepEqual(loadOptional("@tensorflow/definitely-missing-package"), {
        reason: "@tensorflow/definitely-missing-package is not installed",
      });
    });

    it("auto falls back past a tfjs-node that fails to load, showing why", () => {
      if (isInstalled("@tensorflow/tfjs-node")) return; // the real one would be found first
      const result = runChild({ backend: "auto" }, { env: { NODE_PATH: join(dir, "node_modules") } });
      assert.equal(result.error, undefined);
      assert.equal(result.info.backend, "wasm");
      const node = result.info.skipped.find((s: { backend: string }) => s.backend === "node");
      assert.match(node.reason, /^@tensorflow\/tfjs-node failed to load: libtensorflow\.so\.2: cannot open shared object file/);
    });
  });

  describe("starting wasm in a fresh process", () => {
    let singleThread: number[];

    it("finds its .wasm files from any working directory and removes emscripten's process handlers", () => {
      const result = runChild({ backend: "wasm", threads: 1 }, { cwd: tmpdir() });
      assert.equal(result.error, undefined);
      assert.equal(result.cwd, tmpdir());
      assert.equal(result.info.backend, "wasm");
      assert.equal(result.info.threads, 1);
      assert.equal(result.handlersAdded, 0, "uncaughtException/unhandledRejection handlers left behind");
      singleThread = result.conv;
      assert.equal(singleThread.length, 2 * 6 * 6 * 4);
    });

    it("uses one thread by default, and with CONVLAB_THREADS=auto one per core this process may use (here JupyterHub's CPU_LIMIT=1)", () => {
      const byDefault = runChild({ backend: "wasm" }, { cwd: tmpdir(), env: { CONVLAB_THREADS: "" } });
      assert.equal(byDefault.error, undefined);
      assert.equal(byDefault.info.threads, 1);
      assert.match(byDefault.info.threadsReason, /the default/);
      const auto = runChild({ backend: "wasm" }, { cwd: tmpdir(), env: { CONVLAB_THREADS: "auto", CPU_LIMIT: "1" } });
      assert.equal(auto.error, undefined);
      assert.equal(auto.info.threads, 1);
      assert.match(auto.info.threadsReason, /CONVLAB_THREADS=auto: one per core this process may use, CPU_LIMIT=1/);
    });

    it("runs the threaded build with 2 threads, gives the same results, and lets Node exit", () => {
      const result = runChild({ backend: "wasm", threads: 2 }, { cwd: tmpdir() });
      assert.equal(result.error, undefined);
      assert.equal(result.info.threads, 2);
      assert.equal(result.handlersAdded, 0);
      const worst = Math.max(...result.conv.map((v: number, i: number) => Math.abs(v - singleThread[i])));
      assert.ok(worst < 1e-4, `threaded result differs by ${worst}`);
    });
  });
});
