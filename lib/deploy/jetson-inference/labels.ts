/**
 * labels.txt as jetson-inference reads it (c/tensorNet.cpp, LoadClassLabels
 * and validateClassLabels):
 *
 * - fgets reads lines of at most 511 characters; every non-empty read is a
 *   class, so a blank line (just "\n") is a class with an empty name;
 * - a line "nXXXXXXXX name" (an "n" and 8 more characters, then a space) is
 *   an ImageNet synset: the label is the text after the space;
 * - fewer labels than outputs: an error is logged and the rest become
 *   "Class #n"; more labels than outputs: imageNet refuses to start
 *   ("failed to load synset class descriptions").
 */

export interface ParsedLabels {
  /** What jetson-inference will print for each class index. */
  labels: string[];
  /** Lines read as ImageNet synsets ("n01440764 tench" → "tench"). */
  synsetLines: number[];
  /** Lines that were blank (they still count as classes). */
  blankLines: number[];
  /** Lines longer than fgets's 511 characters (they split into several classes). */
  longLines: number[];
}

const FGETS_CHARS = 511;
const SYNSET_PREFIX = 9;

export function parseLabelsLikeJetson(text: string): ParsedLabels {
  const result: ParsedLabels = { labels: [], synsetLines: [], blankLines: [], longLines: [] };
  const lines = text.split(/(?<=\n)/); // keep each line's "\n", as fgets does
  lines.forEach((line, index) => {
    if (line.length === 0) return;
    const chunks: string[] = [];
    for (let at = 0; at < line.length; at += FGETS_CHARS) chunks.push(line.slice(at, at + FGETS_CHARS));
    if (chunks.length > 1) result.longLines.push(index + 1);
    for (const chunk of chunks) {
      if (chunk.length > SYNSET_PREFIX && chunk[0] === "n" && chunk[SYNSET_PREFIX] === " ") {
        // str[len-1] = 0 drops the last character, newline or not.
        result.labels.push(chunk.slice(SYNSET_PREFIX + 1, chunk.length - 1));
        result.synsetLines.push(index + 1);
      } else {
        const label = chunk.endsWith("\n") ? chunk.slice(0, -1) : chunk;
        if (label.length === 0) result.blankLines.push(index + 1);
        result.labels.push(label);
      }
    }
  });
  return result;
}

/** The labels imageNet ends up with for `classes` outputs, or why it would not start. */
export function labelsForOutputs(parsed: ParsedLabels, classes: number): { labels: string[]; problem?: "too many" | "too few" } {
  if (parsed.labels.length > classes) return { labels: parsed.labels, problem: "too many" };
  const labels = parsed.labels.slice();
  for (let n = labels.length; n < classes; n++) labels.push(`Class #${n}`);
  return { labels, problem: parsed.labels.length < classes ? "too few" : undefined };
}
