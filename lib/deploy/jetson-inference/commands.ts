/**
 * The commands a bundle's README tells the learner to type on the Jetson,
 * parsed the way jetson-utils' commandLine reads them
 * (cpp/parsers/commandLine.cpp: `--name=value`, hyphens and underscores in
 * names interchangeable, names case-insensitive; other words are positional:
 * input and output URIs).
 */

export interface ReadmeCommand {
  /** "imagenet", "imagenet.py", "detectnet", "detectnet.py" or "trtexec". */
  program: string;
  /** Flags by normalized name (lower case, "_" for "-"): "input_blob" → "input_0". A bare flag has value "". */
  flags: Map<string, string>;
  positional: string[];
  /** The line as written. */
  text: string;
  /** 1-based line in the README. */
  line: number;
}

const PROGRAMS = /^(?:\S*\/)?(imagenet|imagenet\.py|detectnet|detectnet\.py|trtexec)$/;

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
