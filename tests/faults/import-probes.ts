/** Probes of the image-folder importer: bombs, links, hidden folders. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ImportReport, importImageFolder } from "../../lib/data/sources";
import { bmpHeaderSize } from "../../lib/data/sources/image-folder/decode";
import { writeImage } from "../data/helpers";
import type { Probe } from "./probe";

const shade = (seed: number) => (x: number, y: number): [number, number, number] => [(x * 9 + seed * 40) % 256, (y * 5 + seed * 17) % 256, (seed * 60) % 256];

/** Two classes of three small PNGs each. */
async function twoClasses(root: string): Promise<void> {
  for (const [c, name] of ["cat", "dog"].entries()) {
    mkdirSync(path.join(root, name), { recursive: true });
    for (let i = 0; i < 3; i++) await writeImage(path.join(root, name, `${i}.png`), 20 + i, 20, shade(c * 3 + i));
  }
}

/**
 * A BMP whose header claims width×height, 8 bits a pixel, run-length
 * encoded: its pixel data is one "end of bitmap", so it is 1,080 bytes
 * whatever size it claims.
 */
export function rleBmp(width: number, height: number): Buffer {
  const b = Buffer.alloc(1080);
  b.write("BM", 0, "latin1");
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(14 + 40 + 1024, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(8, 28);
  b.writeUInt32LE(1, 30); // BI_RLE8
  b.writeUInt32LE(2, 34);
  b.writeUInt32LE(256, 46);
  b[1078] = 0;
  b[1079] = 1; // end of bitmap
  return b;
}

/** A PNG whose header claims width×height, with one tiny (invalid) data chunk. */
function claimedPng(width: number, height: number): Buffer {
  const { crc32 } = require("node:zlib") as { crc32(data: Buffer): number };
  const chunk = (type: string, data: Buffer) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, "latin1");
    data.copy(out, 8);
    out.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, "latin1"), data])) >>> 0, 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", Buffer.from([0x78, 0x9c, 0x03, 0x00])), chunk("IEND", Buffer.alloc(0))]);
}

/**
 * Imports `folder` in a child process whose address space is capped, so an
 * importer that allocated what a bomb claims fails there instead of taking
 * the machine's memory. Returns the report as JSON.
 */
function importCapped(folder: string, capKilobytes: number): { skipped: { path: string; reason: string; detail: string }[]; totalImages: number } {
  const dist = path.join(__dirname, "..", "..", "lib", "data", "sources");
  const script = `require(${JSON.stringify(dist)}).importImageFolder(${JSON.stringify(folder)}, { cache: false, width: 16, height: 16, concurrency: 2 })
    .then((d) => process.stdout.write(JSON.stringify({ skipped: d.report.skipped, totalImages: d.report.totalImages })))
    .catch((e) => { process.stderr.write(String(e.stack)); process.exit(1); });`;
  const child = spawnSync("bash", ["-c", `ulimit -v ${capKilobytes}; exec "$0" -e "$1"`, process.execPath, script], {
    encoding: "utf8",
    env: { ...process.env, VIPS_CONCURRENCY: "1" },
    timeout: 120_000,
  });
  assert.equal(child.status, 0, `the capped import failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

export const bmpBomb: Probe = {
  name: "a BMP claiming 30000×30000 is refused before decoding",
  item: 5,
  async run(context) {
    assert.deepEqual(bmpHeaderSize(rleBmp(30000, 30000)), { width: 30000, height: 30000 });
    const root = context.tempDir();
    await twoClasses(root);
    for (let i = 1; i <= 4; i++) writeFileSync(path.join(root, "cat", `bomb${i}.bmp`), rleBmp(30000, 30000));
    // Decoding one would take 3.6 GB: more than the child may have.
    const report = importCapped(root, 2_500_000);
    assert.equal(report.totalImages, 6);
    const bombs = report.skipped.filter((s) => s.path.includes("bomb"));
    assert.equal(bombs.length, 4);
    for (const bomb of bombs) {
      assert.equal(bomb.reason, "too large", JSON.stringify(bomb));
      assert.match(bomb.detail, /30000×30000/);
    }
  },
};

export const pixelLimitEveryDecoder: Probe = {
  name: "the pixel limit holds for every decoder",
  item: 5,
  async run(context) {
    const root = context.tempDir();
    await twoClasses(root);
    writeFileSync(path.join(root, "dog", "claims.bmp"), rleBmp(300, 300));
    await writeImage(path.join(root, "dog", "real.png"), 300, 300, shade(9));
    await writeImage(path.join(root, "dog", "real.jpg"), 300, 300, shade(10), "jpeg");
    const data = await importImageFolder(root, { cache: false, width: 16, height: 16, maxImagePixels: 200 * 200 });
    const tooLarge = (data.report as ImportReport).skipped.filter((s) => s.reason === "too large").map((s) => s.path).sort();
    assert.deepEqual(tooLarge, ["dog/claims.bmp", "dog/real.jpg", "dog/real.png"]);
  },
};

export const decompressionBomb: Probe = {
  name: "a folder with a decompression bomb imports the rest",
  async run(context) {
    const root = context.tempDir();
    await twoClasses(root);
    writeFileSync(path.join(root, "dog", "bomb.png"), claimedPng(50_000, 50_000));
    const report = importCapped(root, 2_500_000);
    assert.equal(report.totalImages, 6);
    const bomb = report.skipped.find((s) => s.path === "dog/bomb.png");
    assert.ok(bomb, "the bomb is listed as skipped");
    assert.equal(bomb.reason, "too large");
  },
};

export const symlinkedClass: Probe = {
  name: "a symlinked class folder is followed, a link loop reported",
  item: 14,
  async run(context) {
    const root = context.tempDir();
    const elsewhere = context.tempDir();
    await twoClasses(root);
    mkdirSync(path.join(elsewhere, "birds"));
    for (let i = 0; i < 3; i++) await writeImage(path.join(elsewhere, "birds", `${i}.png`), 24, 24, shade(20 + i));
    symlinkSync(path.join(elsewhere, "birds"), path.join(root, "bird"));
    symlinkSync(root, path.join(root, "cat", "back-to-top"));
    symlinkSync(path.join(root, "no-such-folder"), path.join(root, "ghost"));
    const data = await importImageFolder(root, { cache: false, width: 16, height: 16 });
    assert.deepEqual(data.classNames, ["bird", "cat", "dog"]);
    assert.equal((data.report as ImportReport).classes.find((c) => c.label === "bird")!.usable, 3);
    const ignored = (data.report as ImportReport).ignored.map((i) => `${i.path}: ${i.reason}`);
    assert.ok(ignored.some((i) => /^cat\/back-to-top: .*loop/.test(i)), ignored.join("\n"));
    assert.ok(ignored.some((i) => /^ghost: .*link to nothing/.test(i)), ignored.join("\n"));
    assert.match(String(data.report as ImportReport), /ignored cat\/back-to-top\//);
  },
};

export const hiddenFolders: Probe = {
  name: "hidden and .ipynb_checkpoints folders are ignored and reported",
  item: 15,
  async run(context) {
    const root = context.tempDir();
    await twoClasses(root);
    mkdirSync(path.join(root, ".ipynb_checkpoints"));
    writeFileSync(path.join(root, ".ipynb_checkpoints", "notes-checkpoint.ipynb"), "{}");
    mkdirSync(path.join(root, "cat", ".ipynb_checkpoints"));
    await writeImage(path.join(root, "cat", ".ipynb_checkpoints", "0-checkpoint.png"), 20, 20, shade(0));
    mkdirSync(path.join(root, ".thumbnails"));
    await writeImage(path.join(root, ".thumbnails", "t.png"), 20, 20, shade(1));
    const data = await importImageFolder(root, { cache: false, width: 16, height: 16 });
    assert.deepEqual(data.classNames, ["cat", "dog"], "no hidden folder becomes a class");
    assert.equal((data.report as ImportReport).classes.find((c) => c.label === "cat")!.files, 3, "nothing inside cat's checkpoint folder is taken");
    assert.deepEqual((data.report as ImportReport).ignored.map((i) => i.path).sort(), [".ipynb_checkpoints", ".thumbnails", "cat/.ipynb_checkpoints"]);
    assert.match((data.report as ImportReport).toHtml(), /Ignored folders/);
  },
};

export const importProbes: Probe[] = [bmpBomb, pixelLimitEveryDecoder, decompressionBomb, symlinkedClass, hiddenFolders];
