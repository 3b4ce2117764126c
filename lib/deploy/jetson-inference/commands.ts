/**
 * The commands a bundle's README tells the learner to type on the Jetson:
 * written for detectnet and segnet bundles, and parsed the way jetson-utils' commandLine reads them
 * (cpp/parsers/commandLine.cpp: `--name=value`, hyphens and underscores in
 * names interchangeable, names case-insensitive; other words are positional:
 * input and output URIs).
 */
import { DETECTNET_BLOBS } from "./detectnet";
import { SEGNET_BLOBS } from "./segnet";

export interface ReadmeCommand {
  /** "imagenet", "detectnet", "segnet" (each also with ".py") or "trtexec". */
  program: string;
  /** Flags by normalized name (lower case, "_" for "-"): "input_blob" → "input_0". A bare flag has value "". */
  flags: Map<string, string>;
  positional: string[];
  /** The line as written. */
  text: string;
  /** 1-based line in the README. */
  line: number;
}

const PROGRAMS = /^(?:\S*\/)?(imagenet|imagenet\.py|detectnet|detectnet\.py|segnet|segnet\.py|trtexec)$/;

/** Commands inside the README's fenced code blocks (comments and other commands skipped). */
export function readmeCommands(readme: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  let inFence = false;
  readme.split("\n").forEach((raw, index) => {
    const text = raw.trim();
    if (text.startsWith("```")) {
      inFence = !inFence;
      return;
    }
    if (!inFence || text.startsWith("#") || text.length === 0) return;
    const words = text.split(/\s+/);
    const match = PROGRAMS.exec(words[0]);
    if (!match) return;
    const flags = new Map<string, string>();
    const positional: string[] = [];
    for (const word of words.slice(1)) {
      if (word.startsWith("-")) {
        const body = word.replace(/^-+/, "");
        const eq = body.indexOf("=");
        const name = (eq >= 0 ? body.slice(0, eq) : body).toLowerCase().replace(/-/g, "_");
        flags.set(name, eq >= 0 ? body.slice(eq + 1) : "");
      } else {
        positional.push(word);
      }
    }
    commands.push({ program: match[1], flags, positional, text, line: index + 1 });
  });
  return commands;
}

/**
 * detectnet's command line for a pytorch-ssd-style ONNX model, as
 * jetson-inference's docs give it (docs/pytorch-ssd.md, lines 173-175 and
 * 189-191; flags parsed in c/detectNet.cpp, lines 336-372).
 */
export function detectnetCommand(program: "detectnet" | "detectnet.py", input: string, output: string, model = "model.onnx", labels = "labels.txt"): string {
  return `${program} --model=${model} --labels=${labels} --input-blob=${DETECTNET_BLOBS.input} --output-cvg=${DETECTNET_BLOBS.scores} --output-bbox=${DETECTNET_BLOBS.boxes} ${input} ${output}`;
}

/** segnet's command line (flags parsed in c/segNet.cpp, lines 182-197; --visualize from segNet.h's usage string). */
export function segnetCommand(program: "segnet" | "segnet.py", input: string, output: string, extra = ""): string {
  return `${program} --model=model.onnx --labels=classes.txt --colors=colors.txt --input-blob=${SEGNET_BLOBS.input} --output-blob=${SEGNET_BLOBS.output}${extra ? ` ${extra}` : ""} ${input} ${output}`;
}
