/**
 * The kernel over the wire, as a Jupyter client sees it: a real kernel
 * process, real ZeroMQ sockets, signed messages.
 */
import assert from "node:assert/strict";
import { encode } from "../../kernel/wire/message";
import { KernelClient } from "../../kernel/client/kernel-client";
import { startConvlabKernel } from "./start";

describe("kernel protocol", function () {
  this.timeout(120_000);
  let kernel: KernelClient;

  before(async () => {
    kernel = await startConvlabKernel();
  });
  after(async () => {
    await kernel?.close();
  });

  /** Sends a cell and resolves (with its msg_id) once it has printed `marker`: it is then surely running. */
  async function runUntil(code: string, marker: string): Promise<string> {
    const id = await kernel.send("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    await kernel.waitForIopub((m) => m.parent_header.msg_id === id && m.header.msg_type === "stream" && String(m.content.text).includes(marker), 300_000);
    return id;
  }

  it("answers kernel_info with the full language info, protocol 5.3 and the banner", async () => {
    const { reply } = await kernel.request("kernel_info_request");
    const c = reply.content as Record<string, any>;
    assert.equal(c.status, "ok");
    assert.equal(c.protocol_version, "5.3");
    assert.equal(c.implementation, "convlab");
    assert.equal(c.language_info.name, "typescript");
    assert.equal(c.language_info.file_extension, ".ts");
    assert.ok(c.language_info.mimetype && c.language_info.codemirror_mode && c.language_info.pygments_lexer);
    assert.match(c.banner, /convlab/);
    assert.match(c.banner, /Compute backend: (wasm|cpu|node|gpu)/, "the banner names the compute backend");
    assert.ok(c.help_links.length >= 2);
    assert.equal(reply.header.version, "5.3");
  });

  it("sends busy, execute_input, the result and idle, and counts executions", async () => {
    const first = await kernel.execute("1 + 1");
    const second = await kernel.execute("2 + 2");
    const types = second.iopub.map((m) => m.header.msg_type + (m.header.msg_type === "status" ? ":" + m.content.execution_state : ""));
    assert.deepEqual(types, ["status:busy", "execute_input", "execute_result", "status:idle"]);
    assert.equal((second.reply.content.execution_count as number) - (first.reply.content.execution_count as number), 1);
    const input = second.iopub.find((m) => m.header.msg_type === "execute_input")!;
    assert.equal(input.content.code, "2 + 2");
  });

  it("shows nothing for undefined, and text/plain for plain values", async () => {
    const none = await kernel.execute("let nothing = undefined; nothing");
    assert.equal(none.iopub.filter((m) => m.header.msg_type === "execute_result").length, 0);
    const text = await kernel.execute("({ a: 1, b: [1, 2] })");
    const result = text.iopub.find((m) => m.header.msg_type === "execute_result")!;
    assert.deepEqual(Object.keys(result.content.data as object), ["text/plain"]);
    assert.equal((result.content.data as Record<string, string>)["text/plain"], "{ a: 1, b: [ 1, 2 ] }");
  });

  it("passes earlier cells' variables in shorthand object literals; `void` hides a result", async () => {
    await kernel.execute("const shorthandModel = 3;");
    const { reply, iopub } = await kernel.execute("({ shorthandModel, other: 1 })");
    assert.equal(reply.content.status, "ok", JSON.stringify(reply.content));
    assert.equal((iopub.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"], "{ shorthandModel: 3, other: 1 }");
    const quiet = await kernel.execute("void (shorthandModel * 2);");
    assert.equal(quiet.iopub.filter((m) => m.header.msg_type === "execute_result").length, 0);
    const loud = await kernel.execute("shorthandModel * 2;");
    assert.equal(loud.iopub.filter((m) => m.header.msg_type === "execute_result").length, 1);
  });

  it("sends a multi-MIME execute_result for values with the display protocol", async () => {
    const { iopub } = await kernel.execute(`({
      [Symbol.for("Jupyter.display")]() {
        return { "text/html": "<b>hi</b>", "image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'/>", "application/json": { n: 1 } };
      }
    })`);
    const result = iopub.find((m) => m.header.msg_type === "execute_result")!;
    const data = result.content.data as Record<string, unknown>;
    assert.equal(data["text/html"], "<b>hi</b>");
    assert.match(String(data["image/svg+xml"]), /<svg/);
    assert.deepEqual(data["application/json"], { n: 1 });
    assert.ok(typeof data["text/plain"] === "string", "a text/plain fallback is always added");
  });

  it("updates a display in place with update_display_data", async () => {
    const { iopub } = await kernel.execute(`
      import { display } from "convlab";
      const handle = await display({ [Symbol.for("Jupyter.display")]: () => ({ "text/plain": "step 0" }) });
      for (let i = 1; i <= 3; i++) await handle.update({ [Symbol.for("Jupyter.display")]: () => ({ "text/plain": "step " + i }) });
    `);
    const shown = iopub.filter((m) => m.header.msg_type === "display_data");
    const updates = iopub.filter((m) => m.header.msg_type === "update_display_data");
    assert.equal(shown.length, 1);
    assert.equal(updates.length, 3);
    const id = (shown[0].content.transient as Record<string, string>).display_id;
    assert.ok(id);
    for (const u of updates) assert.equal((u.content.transient as Record<string, string>).display_id, id);
    assert.equal((updates[2].content.data as Record<string, string>)["text/plain"], "step 3");
  });

  it("reports a type error as an error message with the cell's line, and does not run the cell", async () => {
    const { reply, iopub } = await kernel.execute('let shouldNotExist = 1;\nconst n: number = "text";');
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "TSError");
    const error = iopub.find((m) => m.header.msg_type === "error")!;
    assert.match((error.content.traceback as string[]).join("\n"), /line 2/);
    const check = await kernel.execute("typeof shouldNotExist");
    assert.equal(check.reply.content.status, "error", "the failed cell declared nothing");
  });

  it("reports a runtime exception with a traceback pointing at the cell line", async () => {
    const { reply, iopub } = await kernel.execute('function explode(x: any) {\n  return x.missing.deeper;\n}\nexplode({})');
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "TypeError");
    const traceback = (iopub.find((m) => m.header.msg_type === "error")!.content.traceback as string[]).join("\n");
    assert.match(traceback, /In\[\d+\].*line 2.*explode/);
    assert.match(traceback, /In\[\d+\].*line 4/);
  });

  it("aborts execute requests queued behind an error, then runs new ones", async () => {
    const failing = await kernel.send("execute_request", { code: 'throw new Error("first")', silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const queued = await kernel.send("execute_request", { code: "globalThis.ranAfterError = true", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    assert.equal((await kernel.waitForReply(failing)).content.status, "error");
    assert.equal((await kernel.waitForReply(queued)).content.status, "aborted");
    const after = await kernel.execute("(globalThis as any).ranAfterError === undefined");
    assert.equal((after.iopub.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"], "true");
  });

  it("ignores a message with a bad signature and stays alive", async () => {
    const message = kernel.message("execute_request", { code: "globalThis.forged = 1", silent: false });
    const frames = encode(message, kernel.signer);
    frames[1] = "0".repeat(64); // the signature frame
    await kernel.sendRaw("shell", frames);
    // Requests on shell are handled in order: once this one is answered, the forged one has been dealt with.
    const { iopub } = await kernel.execute("(globalThis as any).forged === undefined");
    assert.equal((iopub.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"], "true");
    assert.ok(!kernel.published.some((m) => m.parent_header.msg_id === message.header.msg_id), "nothing answers a forged message");
    assert.ok(await kernel.ping(), "the heartbeat still answers");
  });

  it("round-trips a comm opened by the front end", async () => {
    await kernel.execute(`
      const host = (globalThis as any)[Symbol.for("convlab.notebookHost")];
      host.comms.registerTarget("echo", (comm: any, data: any) => {
        comm.send({ opened: data.greeting });
        comm.onMessage((msg: any) => comm.send({ echo: msg.text }));
      });
    `);
    const commId = "comm-test-1";
    const opened = await kernel.notify("comm_open", { comm_id: commId, target_name: "echo", data: { greeting: "hello" } });
    const first = opened.find((m) => m.header.msg_type === "comm_msg")!;
    assert.deepEqual(first.content, { comm_id: commId, data: { opened: "hello" } });
    const info = await kernel.request("comm_info_request", { target_name: "echo" });
    assert.deepEqual(info.reply.content.comms, { [commId]: { target_name: "echo" } });
    const echoed = await kernel.notify("comm_msg", { comm_id: commId, data: { text: "ping" } });
    assert.deepEqual(echoed.find((m) => m.header.msg_type === "comm_msg")!.content.data, { echo: "ping" });
    await kernel.notify("comm_close", { comm_id: commId, data: {} });
    const after = await kernel.request("comm_info_request", {});
    assert.deepEqual(after.reply.content.comms, {});
    const unknown = await kernel.notify("comm_open", { comm_id: "nobody", target_name: "no-such-target", data: {} });
    assert.ok(unknown.some((m) => m.header.msg_type === "comm_close" && m.content.comm_id === "nobody"));
  });

  it("keeps names that start with `__` across cells", async () => {
    const declared = await kernel.execute("const __x = 1;\nfunction __twice(n: number) { return 2 * n; }\n__x + 1");
    assert.equal(declared.reply.content.status, "ok", JSON.stringify(declared.reply.content));
    assert.equal((declared.iopub.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"], "2");
    const later = await kernel.execute("__twice(__x) + 1");
    assert.equal((later.iopub.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"], "3");
  });

  it("completes only the names that start with what was typed", async () => {
    await kernel.execute('import { loadMnist, train } from "convlab";\nconst loadMnCount = 1;\nconst __hiddenCount = 2;');
    const complete = async (code: string) => (await kernel.request("complete_request", { code, cursor_pos: code.length })).reply.content as { matches: string[]; cursor_start: number; cursor_end: number };
    const loadMn = await complete("loadMn");
    assert.ok(loadMn.matches.includes("loadMnist"), JSON.stringify(loadMn.matches));
    assert.ok(loadMn.matches.every((m) => m.startsWith("loadMn")), JSON.stringify(loadMn.matches));
    assert.deepEqual([loadMn.cursor_start, loadMn.cursor_end], [0, 6]);
    assert.deepEqual((await complete("__hidden")).matches, ["__hiddenCount"]);
    assert.deepEqual((await complete("Math.flo")).matches, ["floor"]);
    const members = await complete("Math.");
    assert.ok(members.matches.includes("floor") && members.matches.includes("max"), "after a dot, every member");
  });

  it("inspects a library function: its signature and its documentation", async () => {
    await kernel.execute('import { train } from "convlab";');
    const { reply } = await kernel.request("inspect_request", { code: "train", cursor_pos: 5, detail_level: 0 });
    const content = reply.content as { found: boolean; data: Record<string, string> };
    assert.equal(content.found, true);
    assert.match(content.data["text/plain"], /function train\(model/);
    const docs = content.data["text/markdown"].split("```").at(-1)!.trim();
    assert.ok(docs.length > 20, `no documentation after the signature: ${content.data["text/markdown"]}`);
  });

  it("asks for input on stdin when the front end allows it", async () => {
    kernel.onInput((prompt) => (prompt === "Your name? " ? "Ada" : "?"));
    const { reply, iopub } = await kernel.execute('import { input } from "convlab";\n"hello " + (await input("Your name? "))', { allow_stdin: true });
    assert.equal(reply.content.status, "ok");
    assert.equal((iopub.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"], "'hello Ada'");
    const refused = await kernel.execute('await input("x")', { allow_stdin: false });
    assert.equal(refused.reply.content.status, "error");
  });

  it("interrupts a synchronous loop and keeps every variable", async () => {
    await kernel.execute("let keptBeforeLoop = 41; let spins = 0;");
    const running = await runUntil('keptBeforeLoop++;\nwhile (true) { if (++spins === 1) console.log("looping"); }', "looping");
    const interrupt = await kernel.request("interrupt_request", {}, { channel: "control", waitForIdle: false });
    assert.equal(interrupt.reply.content.status, "ok");
    const reply = await kernel.waitForReply(running, 20_000);
    assert.equal(reply.content.status, "error");
    assert.equal(reply.content.ename, "Interrupted");
    const { iopub } = await kernel.execute("[keptBeforeLoop, spins > 0]");
    assert.equal((iopub.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"], "[ 42, true ]");
  });

  it("interrupts a long await and a loop that never yields after an await, keeping state", async () => {
    const waiting = await runUntil("let awaited = 'before';\nconsole.log('waiting');\nawait new Promise((r) => setTimeout(r, 60_000));\nawaited = 'after';", "waiting");
    await kernel.request("interrupt_request", {}, { channel: "control", waitForIdle: false });
    const reply = await kernel.waitForReply(waiting, 20_000);
    assert.equal(reply.content.ename, "Interrupted");

    const stuck = await runUntil("let laps = 0;\nawait null;\nwhile (true) { if (++laps === 1) console.log('spinning'); }", "spinning");
    await kernel.request("interrupt_request", {}, { channel: "control", waitForIdle: false });
    const stuckReply = await kernel.waitForReply(stuck, 20_000);
    assert.equal(stuckReply.content.ename, "Interrupted");

    const { iopub } = await kernel.execute("[awaited, laps > 0]");
    assert.equal((iopub.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"], "[ 'before', true ]");
  });

  it("lets library code see the interrupt and stop cleanly between steps", async () => {
    const running = await runUntil(
      'import { wasInterrupted } from "convlab";\nlet steps = 0;\nwhile (!wasInterrupted()) { if (++steps === 1) console.log("stepping"); await new Promise((r) => setTimeout(r, 5)); }\n"stopped cleanly after " + (steps > 0 ? "some" : "no") + " steps"',
      "stepping",
    );
    await kernel.request("interrupt_request", {}, { channel: "control", waitForIdle: false });
    const reply = await kernel.waitForReply(running, 20_000);
    // The loop saw the signal itself; the cell still reads as interrupted.
    assert.equal(reply.content.status, "error");
    const { iopub } = await kernel.execute("steps > 0");
    assert.equal((iopub.find((m) => m.header.msg_type === "execute_result")!.content.data as Record<string, string>)["text/plain"], "true");
  });

  it("streams output while a cell still runs", async () => {
    const running = await kernel.send("execute_request", { code: 'console.log("early");\nconst end = Date.now() + 1500;\nwhile (Date.now() < end) {}\nconsole.log("late");', silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const early = await kernel.waitForIopub((m) => m.parent_header.msg_id === running && m.header.msg_type === "stream");
    assert.match(String(early.content.text), /early/);
    assert.ok(!String(early.content.text).includes("late"), "the first line arrives before the loop ends");
    await kernel.waitForReply(running);
  });
});

describe("kernel restart", function () {
  this.timeout(120_000);

  it("answers shutdown_request with restart echoed, exits, and a new kernel starts clean", async () => {
    const first = await startConvlabKernel();
    try {
      // The cell loads the library itself, so the kernel has no loading left
      // for quiet moments and is idle when the shutdown request arrives.
      await first.execute('import "convlab";\nlet survivor = 1');
      const { reply } = await first.request("shutdown_request", { restart: true }, { channel: "control", waitForIdle: false });
      assert.deepEqual(reply.content, { status: "ok", restart: true });
      assert.equal(await first.exited, 0);
    } finally {
      await first.close();
    }
    const second = await startConvlabKernel();
    try {
      // (A name, not `typeof name`: the first cell may run before the type checker is ready, and typeof never throws.)
      const { reply } = await second.execute("survivor + 1");
      assert.equal(reply.content.status, "error", "a restarted kernel has no old variables");
    } finally {
      await second.close();
    }
  });
});
