/**
 * The TypeScript side of the engine: tslab's converter (type-check a cell
 * against the declarations of the cells before it, and transpile it), with
 * our hooks installed. It runs in its own thread (compiler-worker.ts), so
 * building the program and loading tfjs's and convlab's typings, seconds of
 * work, happen while the kernel is already answering and loading the
 * library on the main thread.
 *
 * Everything crossing the thread boundary is plain data.
 */
import type { CodeMetadata } from "tslab/dist/metadata";
import type { ConvertResult, Converter, Diagnostic } from "tslab/dist/converter";
import { installTypeScriptHooks, sourceMapsFor, type SourceMaps } from "./typescript-hooks";
import type { ResolutionOptions } from "./module-resolution";

export interface CompilerConfig extends ResolutionOptions {
  /** Modules whose typings are loaded for good at start, so their first import type-checks at once. */
  preload: string[];
  /** Log how long the warm-up took (to the kernel's stderr). */
  debug?: boolean;
}

export interface ConvertReply extends ConvertResult {
  /** Source maps of `output`, and of each side output (same order). */
  maps?: SourceMaps;
  sideMaps?: (SourceMaps | undefined)[];
}

export interface CompletionEntry {
  name: string;
  kind: string;
  sortText: string;
}

export interface CompletionReply {
  /** UTF-16 offsets of the text the completion replaces. */
  start: number;
  end: number;
  entries: CompletionEntry[];
}

export interface InspectReply {
  displayParts: string[];
  documentation: string[];
  tags: { name: string; text: string }[];
}

export type CompilerReply = { ok: true; value: unknown } | { ok: false; message: string; stack?: string };

/** Slots of the flags the two threads share: a reply is waiting; the compiler thread has stopped; it has warmed up. */
export const REPLY_READY = 0;
export const STOPPED = 1;
export const WARM = 2;
export const SIGNAL_SLOTS = 3;

export type CompilerRequest =
  | { op: "convert"; prevDecl: string; src: string }
  | { op: "complete"; prevDecl: string; src: string; position: number }
  | { op: "inspect"; prevDecl: string; src: string; position: number }
  | { op: "addModule"; name: string; content: string; meta?: CodeMetadata };

/**
 * A cell shaped like a learner's first one. Compiling it (and completing and
 * inspecting in it) at start warms up the compiler's code paths, so the
 * learner's first cell costs what any later one does.
 */
const WARM_UP_CELL = 'import * as tf from "@tensorflow/tfjs";\nimport * as cl from "convlab";\nconst warm = tf.zeros([1]);\ncl.train;\nwarm';

export class Compiler {
  private converterInstance: Converter | null = null;

  constructor(private readonly config: CompilerConfig) {}

  private get converter(): Converter {
    if (!this.converterInstance) {
      installTypeScriptHooks(this.config);
      // Loaded only after the hooks are in place.
      const { createConverter } = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
      this.converterInstance = createConverter({ isJS: false, isBrowser: false });
    }
    return this.converterInstance;
  }

  /** The warm-up, in steps small enough that a request arriving meanwhile waits for one step at most. */
  warmUpSteps(): (() => void)[] {
    return [
      () => void this.converter,
      // One module for all: each added module costs a program and a type checker.
      () => void this.converter.addModule("__preload__", this.config.preload.map((name) => `import ${JSON.stringify(name)};\n`).join("")),
      () => void this.converter.convert("", WARM_UP_CELL),
      () => void this.complete("", WARM_UP_CELL + "\ncl.", WARM_UP_CELL.length + 4),
      () => void this.inspect("", WARM_UP_CELL, WARM_UP_CELL.indexOf("train")),
    ];
  }

  handle(request: CompilerRequest): unknown {
    switch (request.op) {
      case "convert":
        return this.convert(request.prevDecl, request.src);
      case "complete":
        return this.complete(request.prevDecl, request.src, request.position);
      case "inspect":
        return this.inspect(request.prevDecl, request.src, request.position);
      case "addModule":
        return this.converter.addModule(request.name, request.content, request.meta) as Diagnostic[];
    }
  }

  private convert(prevDecl: string, src: string): ConvertReply {
    const result: ConvertReply = this.converter.convert(prevDecl, src);
    if (result.output) result.maps = sourceMapsFor(result.output);
    if (result.sideOutputs) result.sideMaps = result.sideOutputs.map((side) => sourceMapsFor(side.data));
    return result;
  }

  private complete(prevDecl: string, src: string, position: number): CompletionReply {
    const info = this.converter.complete(prevDecl, src, position);
    const entries = (info.original?.entries ?? []).map((e) => ({ name: e.name, kind: String(e.kind), sortText: e.sortText }));
    return { start: info.start, end: info.end, entries };
  }

  private inspect(prevDecl: string, src: string, position: number): InspectReply | null {
    const info = this.converter.inspect(prevDecl, src, position);
    if (!info) return null;
    return {
      displayParts: (info.displayParts ?? []).map((p) => p.text),
      documentation: (info.documentation ?? []).map((p) => p.text),
      tags: (info.tags ?? []).map((tag) => ({ name: tag.name, text: (tag.text ?? []).map((p) => p.text).join("") })),
    };
  }

  close(): void {
    this.converterInstance?.close();
  }
}
