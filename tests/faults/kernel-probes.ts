/** Probes of the kernel: protocol abuse, interrupts, exits, memory, a dead parent, stray errors. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import * as zmq from "zeromq";
import { decode, encode } from "../../kernel/wire/message";
import type { KernelClient } from "../../kernel/client/kernel-client";
import { CLI } from "../kernel/start";
import type { Probe } from "./probe";
import { executeContent, interrupt, processGone, resultText, waitForStream, waitForText } from "./kernel-helpers";

async function alive(kernel: KernelClient): Promise<void> {
  assert.ok(await kernel.ping(10_000), "the heartbeat answers");
  const reply = await kernel.execute("6 * 7");
  assert.equal(resultText(reply), "42", "the kernel still runs cells");
}

export const badSignature: Probe = {
  name: "bad signatures are dropped",
  async run(context) {
    const kernel = await context.kernel();
    const message = kernel.message("execute_request", executeContent("globalThis.forgedRan = true"));
    const frames = encode(message, kernel.signer);
    frames[frames.indexOf("<IDS|MSG>") + 1] = "0".repeat(64);
    await kernel.sendRaw("shell", frames);
    await alive(kernel);
    assert.equal(resultText(await kernel.execute("(globalThis as any).forgedRan === undefined")), "true");
  },
};

export const garbageContent: Probe = {
  name: "garbage frames and content are dropped",
  async run(context) {
    const kernel = await context.kernel();
    const signed = (parts: string[]) => ["<IDS|MSG>", kernel.signer.sign(parts), ...parts];
    await kernel.sendRaw("shell", [Buffer.from([0xff, 0x00, 0x13]), "not a jupyter message"]);
    await kernel.sendRaw("shell", signed(["{not json", "{}", "{}", "{}"]));
    await kernel.sendRaw("shell", signed([JSON.stringify({ msg_id: "x" }), "{}", "{}", "{}"]));
    await kernel.sendRaw("shell", signed([JSON.stringify(kernel.message("execute_request", {}).header), "{}", "{}", JSON.stringify([1, 2, 3])]));
    await kernel.sendRaw("control", ["<IDS|MSG>"]);
    await alive(kernel);
  },
};

export const queuedExecutes: Probe = {
  name: "200 queued executes all answer, in order",
  async run(context) {
    const kernel = await context.kernel();
    await kernel.execute("let queuedSum = 0;");
    const ids: string[] = [];
    for (let i = 1; i <= 200; i++) ids.push(await kernel.send("execute_request", executeContent(`queuedSum += ${i}; queuedSum`)));
    const counts: number[] = [];
    for (const id of ids) {
      const reply = await kernel.waitForReply(id, 300_000);
      assert.equal(reply.content.status, "ok", JSON.stringify(reply.content));
      counts.push(reply.content.execution_count as number);
    }
    assert.ok(counts.every((c, i) => i === 0 || c === counts[i - 1] + 1), "execution counts rise one by one");
    assert.equal(resultText(await kernel.execute("queuedSum")), String((200 * 201) / 2));
  },
};

export const outputBurst: Probe = {
  name: "a 50 MB output burst arrives whole",
  async run(context) {
    const kernel = await context.kernel();
    const chunk = 1 << 20;
    const { reply, iopub } = await kernel.execute(
      `const piece = "0123456789abcdef".repeat(${chunk / 16});\nfor (let i = 0; i < 50; i++) process.stdout.write(piece);\n"done"`,
      {},
      300_000,
    );
    assert.equal(reply.content.status, "ok");
    const text = iopub.filter((m) => m.header.msg_type === "stream").map((m) => String(m.content.text)).join("");
    assert.equal(text.length, 50 * chunk, "every byte arrives");
    assert.ok(/^(0123456789abcdef)+$/.test(text), "in order, uncorrupted");
  },
};

export const interruptAwait: Probe = {
  name: "interrupt during await keeps variables",
  async run(context) {
    const kernel = await context.kernel();
    const id = await kernel.send("execute_request", executeContent("let beforeAwait = 'kept';\nconsole.log('awaiting');\nawait new Promise((r) => setTimeout(r, 600_000));"));
    await waitForText(kernel, id, "awaiting");
    await interrupt(kernel);
    const reply = await kernel.waitForReply(id, 60_000);
    assert.equal(reply.content.ename, "Interrupted");
    assert.equal(resultText(await kernel.execute("beforeAwait")), "'kept'");
  },
};

export const interruptTypeCheck: Probe = {
  name: "an interrupt during type-checking stops the cell",
  item: 6,
  async run(context) {
    // A fresh kernel: it is busy preloading, then type-checking, when the interrupt comes.
    const kernel = await context.ownKernel();
    const lines = Array.from({ length: 1500 }, (_, i) => `const typed${i}: number = ${i} * 2;`);
    const id = await kernel.send("execute_request", executeContent([...lines, "while (true) {}"].join("\n")));
    await new Promise((r) => setTimeout(r, 300));
    await interrupt(kernel);
    // One interrupt is enough, whatever phase the request was in.
    const reply = await kernel.waitForReply(id, 120_000);
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "Interrupted");
    await alive(kernel);
  },
};

export const processExit: Probe = {
  name: "process.exit() in a cell is refused, the kernel lives",
  item: 7,
  async run(context) {
    const kernel = await context.kernel();
    await kernel.execute("let keptThroughExit = 7;");
    for (const call of ["process.exit(1)", "process.abort()"]) {
      const { reply } = await kernel.execute(call);
      assert.equal(reply.content.status, "error", `${call} gets an error reply`);
      assert.equal(reply.content.ename, "ExitRefused");
      assert.match(String(reply.content.evalue), /restart the kernel/);
    }
    assert.equal(resultText(await kernel.execute("keptThroughExit")), "7");
    assert.equal(kernel.process.exitCode, null);
  },
};

export const memoryLimit: Probe = {
  name: "a cell that fills the heap is stopped with an explanation",
  item: 8,
  async run(context) {
    const kernel = await context.ownKernel({ NODE_OPTIONS: "--max-old-space-size=400" });
    // A loop that never yields, then one that yields to timers (it must not go on filling the heap in the background).
    const hogs = [
      { name: "hog", code: "let hog: number[][] = [];\nfor (;;) hog.push(new Array(100_000).fill(1.5));" },
      { name: "timedHog", code: "let timedHog: number[][] = [];\nfor (;;) { timedHog.push(new Array(100_000).fill(1.5)); await new Promise((r) => setImmediate(r)); }" },
    ];
    for (const { name, code } of hogs) {
      const { reply } = await kernel.execute(code, {}, 300_000);
      assert.equal(reply.content.status, "error", JSON.stringify(reply.content).slice(0, 300));
      assert.equal(reply.content.ename, "MemoryError");
      const evalue = String(reply.content.evalue);
      assert.match(evalue, /heap held \d+ MB of its \d+ MB limit/);
      assert.match(evalue, new RegExp(`${name} \\(about \\d+ MB\\)`), "names the variable holding the memory");
      assert.match(evalue, /max-old-space-size/, "says how to raise the limit");
      const freed = await kernel.execute(`${name} = undefined as any;\n'freed'`, {}, 120_000);
      assert.equal(resultText(freed), "'freed'", "the cell that frees memory runs");
    }
    const heap = await kernel.execute('import { getHeapStatistics } from "node:v8";\nconst stats = getHeapStatistics();\nstats.used_heap_size < stats.heap_size_limit / 2', {}, 120_000);
    assert.equal(resultText(heap), "true", "the memory is free again");
    await alive(kernel);
  },
};

export const replayedMessage: Probe = {
  name: "a replayed signed message is not run again",
  item: 9,
  async run(context) {
    const kernel = await context.kernel();
    const message = kernel.message("execute_request", executeContent("(globalThis as any).replays = ((globalThis as any).replays ?? 0) + 1"));
    const frames = encode(message, kernel.signer);
    const first = kernel.waitForReply(message.header.msg_id);
    await kernel.sendRaw("shell", frames);
    await first;
    await kernel.sendRaw("shell", frames);
    // The same frames from a new connection, then a fresh request on it: the
    // socket keeps order, so its reply comes after the replay was handled.
    const other = new zmq.Dealer({ routingId: `replayer-${process.pid}` });
    try {
      other.connect(`tcp://${kernel.connection.ip}:${kernel.connection.shell_port}`);
      await other.send(frames);
      const check = kernel.message("execute_request", executeContent("(globalThis as any).replays"));
      await other.send(encode(check, kernel.signer));
      const result = await kernel.waitForIopub((m) => m.parent_header.msg_id === check.header.msg_id && m.header.msg_type === "execute_result", 60_000);
      for await (const reply of other) {
        const decoded = decode(reply, kernel.signer);
        if (decoded.ok && decoded.message.parent_header.msg_id === check.header.msg_id) break;
      }
      assert.equal((result.content.data as Record<string, string>)["text/plain"], "1", "the cell ran once");
    } finally {
      other.linger = 0;
      other.close();
    }
  },
};

/** Starts a kernel from a go-between process that names itself in JPY_PARENT_PID, puts it in a busy loop, prints its pid. */
const GO_BETWEEN = `
const { KernelClient } = require(process.argv[1]);
(async () => {
  const kernel = await KernelClient.start({
    argv: [process.execPath, process.argv[2], "kernel", "-f", "{connection_file}"],
    env: { ...process.env, JPY_PARENT_PID: String(process.pid) },
  });
  await kernel.waitReady();
  const id = await kernel.send("execute_request", { code: 'console.log("spinning");\\nwhile (true) {}', silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  await kernel.waitForIopub((m) => m.parent_header.msg_id === id && m.header.msg_type === "stream", 600_000);
  process.stdout.write(JSON.stringify({ kernelPid: kernel.process.pid }) + "\\n");
  setInterval(() => {}, 1000);
})().catch((e) => { console.error(e); process.exit(1); });
`;

export const parentDied: Probe = {
  name: "a kernel whose parent died ends",
  item: 10,
  async run(context) {
    const scratch = context.tempDir();
    const clientModule = path.join(__dirname, "..", "..", "kernel", "client", "kernel-client.js");
    const goBetween = spawn(process.execPath, ["-e", GO_BETWEEN, clientModule, CLI], {
      cwd: scratch,
      env: { ...process.env, CONVLAB_HISTORY_FILE: path.join(scratch, "history.jsonl") },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let kernelPid = 0;
    context.onClose(() => {
      if (goBetween.exitCode === null) goBetween.kill("SIGKILL");
      if (kernelPid) {
        try {
          process.kill(kernelPid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    });
    kernelPid = await new Promise<number>((resolve, reject) => {
      let out = "";
      goBetween.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = /\{.*\}\n/.exec(out);
        if (line) resolve((JSON.parse(line[0]) as { kernelPid: number }).kernelPid);
      });
      goBetween.on("exit", (code) => reject(new Error(`the go-between exited (${code}) before the kernel was busy`)));
    });
    goBetween.kill("SIGKILL");
    assert.ok(await processGone(kernelPid, 30_000), `the orphaned kernel (pid ${kernelPid}) ends within 30 s`);
  },
};

export const backgroundErrors: Probe = {
  name: "errors from timers and promises name their cell",
  item: 11,
  async run(context) {
    const kernel = await context.kernel();
    const timer = await kernel.execute('setTimeout(() => { throw new Error("late boom from a timer"); }, 50);\n"scheduled"');
    const timerCell = timer.reply.content.execution_count as number;
    const plain = (text: unknown) => String(text).replace(/\u001b\[[\d;]*m/g, "");
    const timerText = plain((await waitForStream(kernel, /late boom from a timer/)).content.text);
    assert.match(timerText, new RegExp(`from a timer set in In\\[${timerCell}\\]`), timerText);
    assert.match(timerText, new RegExp(`In\\[${timerCell}\\], line 1`), "the traceback points into the cell");
    assert.doesNotMatch(timerText, /background-errors/, "the kernel's own frames are left out");

    const promise = await kernel.execute('void Promise.reject(new Error("nobody caught this"));\n"made"');
    const promiseCell = promise.reply.content.execution_count as number;
    // A later cell runs meanwhile; the error still names the cell that made the promise.
    await kernel.execute("let laterCell = 1;");
    const promiseText = plain((await waitForStream(kernel, /nobody caught this/)).content.text);
    assert.match(promiseText, new RegExp(`from a promise of In\\[${promiseCell}\\]`), promiseText);
    await alive(kernel);
  },
};

export const politeStop: Probe = {
  name: "code that stops politely at an interrupt still ends the cell with Interrupted",
  item: 12,
  async run(context) {
    const kernel = await context.kernel();
    // Polls the signal without ever yielding, so it sees the interrupt before the kernel's event does, then returns normally.
    const id = await kernel.send(
      "execute_request",
      executeContent('import { wasInterrupted } from "convlab";\nconsole.log("polling");\nwhile (!wasInterrupted()) {}\n(globalThis as any).politeReturned = true;\n"returned normally"'),
    );
    const queued = await kernel.send("execute_request", executeContent("(globalThis as any).queuedRan = true"));
    await waitForText(kernel, id, "polling");
    await interrupt(kernel);
    const reply = await kernel.waitForReply(id, 60_000);
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "Interrupted");
    assert.equal((await kernel.waitForReply(queued, 60_000)).content.status, "aborted", "the queued cell is aborted");
    assert.equal(resultText(await kernel.execute("(globalThis as any).queuedRan === undefined")), "true");

    // Code that reads the signal but does not stop gets time to (30 s); a second interrupt breaks it off at once.
    const stubborn = await kernel.send(
      "execute_request",
      executeContent('import { wasInterrupted } from "convlab";\nconsole.log("ignoring");\nwhile (!(globalThis as any).stopStubborn) { wasInterrupted(); await new Promise((r) => setTimeout(r, 5)); }'),
    );
    await waitForText(kernel, stubborn, "ignoring");
    await interrupt(kernel);
    await interrupt(kernel);
    const started = Date.now();
    assert.equal((await kernel.waitForReply(stubborn, 60_000)).content.ename, "Interrupted");
    assert.ok(Date.now() - started < 20_000, `the second interrupt took ${Date.now() - started} ms`);
    await kernel.execute("(globalThis as any).stopStubborn = true"); // its loop goes on after the cell ended
  },
};

export const kernelProbes: Probe[] = [
  badSignature,
  garbageContent,
  queuedExecutes,
  outputBurst,
  interruptAwait,
  interruptTypeCheck,
  processExit,
  memoryLimit,
  replayedMessage,
  parentDied,
  backgroundErrors,
  politeStop,
];
