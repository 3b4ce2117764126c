/** Probes of the kernel's history file: bounded however large the results and however old the file. */
import assert from "node:assert/strict";
import { appendFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { HISTORY_LIMITS, HistoryStore } from "../../kernel/session/history";
import type { Probe } from "./probe";

export const historyCap: Probe = {
  name: "the history file stays bounded",
  item: 13,
  async run(context) {
    const file = path.join(context.tempDir(), "history.jsonl");
    // An old, unbounded file: 40 cells with 1 MB results each (40 MB).
    const big = "r".repeat(2 ** 20);
    writeFileSync(file, "");
    for (let l = 1; l <= 40; l++) appendFileSync(file, JSON.stringify({ s: 3, l, i: `cell ${l}`, o: big }) + "\n");
    assert.ok(statSync(file).size > 40 * 2 ** 20);

    const store = new HistoryStore(file);
    assert.equal(store.session, 4, "sessions continue after the newest one in the file");
    const rows = store.tail(1000, true);
    assert.ok(rows.length > 0 && rows.length < 40, `only the end of the file was read (${rows.length} cells)`);
    assert.deepEqual(rows[rows.length - 1].slice(0, 2), [3, 40], "the newest cell is kept");
    const [input, output] = rows[rows.length - 1][2] as [string, string];
    assert.equal(input, "cell 40");
    assert.ok(output.length <= HISTORY_LIMITS.MAX_OUTPUT + 20, "old results are truncated");
    assert.ok(statSync(file).size <= HISTORY_LIMITS.MAX_FILE_BYTES, "the file is rewritten within its limit");

    // A 20 MB result adds about a kilobyte, not 20 MB.
    const before = statSync(file).size;
    store.add(1, "const huge = 'x'.repeat(20e6); huge", "'" + "x".repeat(20e6) + "'");
    assert.ok(statSync(file).size - before < 2000, `grew by ${statSync(file).size - before} bytes`);
    assert.match((store.tail(1, true)[0][2] as [string, string])[1], /…\[truncated\]$/);

    // Many cells: the file never passes twice its limit, and a restart reads at most the limit.
    const cell = "y".repeat(5000);
    for (let l = 2; l < 3000; l++) store.add(l, cell, null);
    assert.ok(statSync(file).size <= 2 * HISTORY_LIMITS.MAX_FILE_BYTES);
    const again = new HistoryStore(file);
    assert.equal(again.session, 5);
    assert.ok(statSync(file).size <= HISTORY_LIMITS.MAX_FILE_BYTES);
    assert.equal(again.tail(1, false)[0][2], cell, "the newest cell survives restarts");
  },
};

export const historyProbes: Probe[] = [historyCap];
