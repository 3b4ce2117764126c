/**
 * The pretrained networks that ship with convlab, in pretrained/<name>/:
 * model.json (tfjs's layers format), weights.bin and card.json (the model
 * card, with the SHA-256 of both files; MODEL_CARD.md is written from it).
 * `npm run pretrain -- <name>` makes them from the project's own data and
 * recipes; nothing is downloaded.
 *
 *     const backbone = await loadPretrained("fashion-lenet");   // a fresh, trainable model
 *     await pretrainedCard("fashion-lenet")                      // data, recipe, accuracy, checksums
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { packageRoot } from "../data/sources/paths";
import { sha256 } from "../data/sources/manifest";
import { requireBackend } from "../models/backend-ready";
import { recordModelInfo } from "../models/model-info";
import { ModelCard, modelCardMarkdown, type PretrainedCard } from "./model-card";

/** Thrown when a pretrained network's files are missing or damaged; says which file and how to rebuild it. */
export class PretrainedFileError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = "PretrainedFileError";
  }
}

const WEIGHTS_FILES = ["model.json", "weights.bin"] as const;

let rootOverride: string | undefined;

/** The folder that holds the pretrained networks: <convlab>/pretrained, or CONVLAB_PRETRAINED_DIR. */
export function pretrainedRoot(): string {
  return rootOverride ?? process.env.CONVLAB_PRETRAINED_DIR ?? join(packageRoot(), "pretrained");
}

/** For tests: read pretrained networks from another folder (undefined restores the default). */
export function usePretrainedRoot(dir: string | undefined): void {
  rootOverride = dir;
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") || rel === "" ? path : rel;
}

/** Names of the networks in pretrained/ (folders with a card.json), sorted. */
export function listPretrained(): string[] {
  const root = pretrainedRoot();
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, "card.json")))
    .map((e) => e.name)
    .sort();
}

const rebuildHint = (name: string) => `Rebuild it with \`npm run pretrain -- ${name}\` (in a terminal, in convlab's folder), or restore the committed files with \`git checkout -- pretrained/${name}\`.`;

async function readCard(name: string): Promise<PretrainedCard> {
  if (typeof name !== "string" || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) {
    throw new Error(`A pretrained network's name is lowercase words joined by "-", like "fashion-lenet" (got ${JSON.stringify(name)}).`);
  }
  const dir = join(pretrainedRoot(), name);
  const path = join(dir, "card.json");
  if (!existsSync(dir)) {
    const known = listPretrained();
    throw new PretrainedFileError(
      `There is no pretrained network "${name}". ` +
        (known.length ? `convlab ships: ${known.map((n) => `"${n}"`).join(", ")}.` : `No pretrained network is in ${shown(pretrainedRoot())}.`) +
        ` \`npm run pretrain -- --list\` lists the recipes that can build one.`,
      dir,
    );
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new PretrainedFileError(`The model card ${shown(path)} cannot be read (${(error as Error).message}). ${rebuildHint(name)}`, path);
  }
  try {
    return JSON.parse(text) as PretrainedCard;
  } catch (error) {
    throw new PretrainedFileError(`The model card ${shown(path)} is not valid JSON (${(error as Error).message}). ${rebuildHint(name)}`, path);
  }
}

/** Reads one of the network's files and checks its size and SHA-256 against the card. */
async function readChecked(card: PretrainedCard, file: string): Promise<Buffer> {
  const path = join(pretrainedRoot(), card.name, file);
  const expected = card.files[file];
  if (!expected) throw new PretrainedFileError(`The model card of "${card.name}" lists no ${file}. ${rebuildHint(card.name)}`, path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new PretrainedFileError(`${shown(path)} cannot be read (${(error as Error).message}). ${rebuildHint(card.name)}`, path);
  }
  const actual = sha256(bytes);
  if (bytes.length !== expected.bytes || actual !== expected.sha256) {
    const what =
      bytes.length !== expected.bytes
        ? `it has ${bytes.length.toLocaleString("en-US")} bytes where its card says ${expected.bytes.toLocaleString("en-US")}`
        : `its SHA-256 is ${actual.slice(0, 16)}…, its card says ${expected.sha256.slice(0, 16)}…`;
    throw new PretrainedFileError(
      `The pretrained network "${card.name}" is damaged: ${shown(path)} does not match its model card (${what}). ` +
        `Its weights cannot be trusted, so it was not loaded. ${rebuildHint(card.name)}`,
      path,
    );
  }
  return bytes;
}

/** The model card of a pretrained network (displays as a table). */
export async function pretrainedCard(name: string): Promise<ModelCard> {
  return new ModelCard(await readCard(name));
}

/**
 * A pretrained network, as a fresh tfjs model: every call reads the files
 * again (after checking them against the card), so changing or training one
 * copy never changes another. All its layers are trainable.
 */
export async function loadPretrained(name: string): Promise<tf.LayersModel> {
  requireBackend(`loadPretrained("${name}")`);
  const card = await readCard(name);
  const [topologyBytes, weightBytes] = await Promise.all(WEIGHTS_FILES.map((file) => readChecked(card, file)));
  const json = JSON.parse(topologyBytes.toString("utf8")) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata?: Record<string, unknown>;
  };
  const weightData = weightBytes.buffer.slice(weightBytes.byteOffset, weightBytes.byteOffset + weightBytes.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((m) => m.weights),
      weightData,
      // A model's own settings (a detector's anchors, say), as tfjs saves them.
      userDefinedMetadata: json.userDefinedMetadata,
    }),
  );
  recordModelInfo(model, {
    architecture: `${card.architecture}, pretrained "${card.name}"`,
    seed: card.seed,
    layers: card.layers,
    inputShape: card.inputShape,
    inputNote: card.input,
  });
  return model;
}

/**
 * Writes a trained network as pretrained/<name>/ (or into `root`): model.json,
 * weights.bin, card.json with their checksums, and MODEL_CARD.md. Used by
 * `npm run pretrain`; files are written whole, then renamed into place.
 */
export async function savePretrained(model: tf.LayersModel, card: Omit<PretrainedCard, "files">, root = pretrainedRoot()): Promise<PretrainedCard> {
  const dir = join(root, card.name);
  await mkdir(dir, { recursive: true });
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
    }),
  );
  const weightData = artifacts!.weightData as ArrayBuffer;
  const topology = {
    modelTopology: artifacts!.modelTopology,
    format: "layers-model",
    generatedBy: artifacts!.generatedBy,
    convertedBy: null,
    weightsManifest: [{ paths: ["weights.bin"], weights: artifacts!.weightSpecs }],
    ...(artifacts!.userDefinedMetadata ? { userDefinedMetadata: artifacts!.userDefinedMetadata } : {}),
  };
  const contents: Record<string, Buffer> = {
    "model.json": Buffer.from(JSON.stringify(topology)),
    "weights.bin": Buffer.from(weightData),
  };
  const files = Object.fromEntries(Object.entries(contents).map(([file, bytes]) => [file, { bytes: bytes.length, sha256: sha256(bytes) }]));
  const full: PretrainedCard = { ...card, files };
  contents["card.json"] = Buffer.from(JSON.stringify(full, null, 2) + "\n");
  contents["MODEL_CARD.md"] = Buffer.from(modelCardMarkdown(full));
  for (const [file, bytes] of Object.entries(contents)) {
    const path = join(dir, file);
    await writeFile(`${path}.partial`, bytes);
    await rename(`${path}.partial`, path);
  }
  return full;
}

/** Checks every shipped network's files against its card; returns one line per network. */
export async function verifyPretrained(): Promise<string[]> {
  const lines: string[] = [];
  for (const name of listPretrained()) {
    const card = await readCard(name);
    for (const file of WEIGHTS_FILES) await readChecked(card, file);
    lines.push(`${name}: ${WEIGHTS_FILES.join(" and ")} match the card`);
  }
  return lines;
}
