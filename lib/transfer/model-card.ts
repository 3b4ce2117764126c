/**
 * A pretrained network's model card: what it is, what it was trained on and
 * how, how well it does, and the checksums its files must match. The
 * machine-readable card.json is the one source; MODEL_CARD.md and the
 * notebook display are written from it.
 */
import { DISPLAY, type MimeBundle } from "../display";
import { escapeHtml, formatBytes } from "../display/html";
import { earlyStopping, type TrainOptions } from "../train";

export interface CardFile {
  bytes: number;
  sha256: string;
}

export interface CardMetric {
  value: number;
  /** What was measured, on which images: "accuracy on the 10,000 official test images". */
  description: string;
}

export interface PretrainedCard {
  /** The name loadPretrained() takes, e.g. "fashion-lenet". */
  name: string;
  /** One line: "DIGITS's LeNet trained on Fashion-MNIST's clothes". */
  title: string;
  /** The architecture as summary() names it, and its layers as written. */
  architecture: string;
  layers: string[];
  parameters: number;
  /** [height, width, channels]. */
  inputShape: number[];
  /** How inputs must be prepared, in words ("pixels scaled to [0, 1]: the datasets' default"). */
  input: string;
  /** The classes its head was trained on, in output order. */
  classNames: string[];
  data: {
    description: string;
    trainImages: number;
    validationImages: number;
    testImages: number;
    license: string;
  };
  /** The recipe, in words, one line per step, and the options as run (for repeating it elsewhere). */
  recipe: { steps: string[]; options: Record<string, unknown> };
  /** Seed of the initial weights (the model's) and of the training order. */
  seed: number;
  randomSeed: number;
  /** Epochs trained, and the epoch whose weights were kept. */
  epochs: number;
  bestEpoch: number;
  metrics: Record<string, CardMetric>;
  /** Wall time and the process's CPU time (the fair figure on a shared machine), the backend and the load average. */
  training: { seconds: number; cpuSeconds: number; backend: string; threads: number; loadAverage: string; date: string };
  /** License of the weights. */
  license: string;
  /** The command that rebuilds this network from scratch. */
  rebuild: string;
  files: Record<string, CardFile>;
  notes?: string[];
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const count = (n: number) => n.toLocaleString("en-US");

/** "testAccuracy" → "Test accuracy". */
function metricLabel(name: string): string {
  // Words start at a capital; capitalized words become lower case, acronyms stay ("heldOutMAP50" → "held out MAP50", "meanIoU" → "mean IoU").
  const spaced = name.replace(/([a-z0-9])(?=[A-Z][a-z])/g, "$1 ").replace(/([a-z])(?=[A-Z]{2})/g, "$1 ");
  const words = spaced.split(" ").map((w) => (/^[A-Z][a-z]+$/.test(w) ? w.toLowerCase() : w)).join(" ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function metricText(name: string, metric: CardMetric): string {
  const value = /accuracy/i.test(name) && metric.value <= 1 ? percent(metric.value) : String(+metric.value.toPrecision(4));
  return `${value}: ${metric.description}`;
}

function minutes(seconds: number): string {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${(seconds / 60).toFixed(1)} min`;
}

/** The rows every rendering shows, as [field, text]. */
function rows(card: PretrainedCard): [string, string][] {
  const d = card.data;
  return [
    ["Network", `${card.architecture}: ${card.layers.join(" → ")}`],
    ["Parameters", `${count(card.parameters)} (${formatBytes(card.parameters * 4)} as float32)`],
    ["Input", `${card.inputShape.join("×")}; ${card.input}`],
    ["Classes", card.classNames.join(", ")],
    ["Data", `${d.description} (${count(d.trainImages)} training, ${count(d.validationImages)} validation, ${count(d.testImages)} test images)`],
    ["Data license", d.license],
    ["Recipe", card.recipe.steps.join(" ")],
    ["Seeds", `weights ${card.seed}, training order ${card.randomSeed}`],
    ["Epochs", `${card.epochs} trained; the weights of epoch ${card.bestEpoch} kept`],
    ...Object.entries(card.metrics).map(([name, m]): [string, string] => [metricLabel(name), metricText(name, m)]),
    [
      "Training time",
      `${minutes(card.training.seconds)} (${minutes(card.training.cpuSeconds)} of CPU time) on ${card.training.backend} ` +
        `(${card.training.threads} thread${card.training.threads === 1 ? "" : "s"}), load average ${card.training.loadAverage}, ${card.training.date}`,
    ],
    ...Object.entries(card.files).map(([file, f]): [string, string] => [`SHA-256 of ${file}`, `${f.sha256} (${count(f.bytes)} bytes)`]),
    ["License", card.license],
    ["Rebuild", `\`${card.rebuild}\``],
  ];
}

/** MODEL_CARD.md, written beside the weights. */
export function modelCardMarkdown(card: PretrainedCard): string {
  const escape = (text: string) => text.replace(/\|/g, "\\|");
  return [
    `# ${card.name}`,
    "",
    `${card.title}.`,
    "",
    "| | |",
    "|---|---|",
    ...rows(card).map(([k, v]) => `| ${escape(k)} | ${escape(v)} |`),
    "",
    ...(card.notes?.length ? ["## Notes", "", ...card.notes.map((n) => `- ${n}`), ""] : []),
    "Load it in a notebook with `await loadPretrained(\"" + card.name + "\")`: a fresh, trainable tfjs model every time.",
    "The loader checks both files against the checksums above; this card is written from `card.json` by `npm run pretrain`.",
    "",
  ].join("\n");
}

/** A card as a notebook shows it. */
export class ModelCard {
  constructor(readonly card: PretrainedCard) {}

  /** A metric's value, e.g. metric("testAccuracy"). */
  metric(name: string): number {
    const m = this.card.metrics[name];
    if (!m) throw new Error(`The card of "${this.card.name}" has no metric "${name}"; it has ${Object.keys(this.card.metrics).join(", ")}.`);
    return m.value;
  }

  /**
   * train()'s options for this card's recipe, to train the same way on
   * other data: solver, rate, batch size, the recipe's seeds, its most epochs
   * and a fresh early-stopping callback with its patience. Only recipes made
   * by train() with early stopping have them.
   */
  trainOptions(): TrainOptions {
    const o = this.card.recipe.options as TrainOptions & { maxEpochs?: number; earlyStopping?: { monitor?: string; patience?: number; restoreBestWeights?: boolean } };
    if (o.maxEpochs === undefined || !o.earlyStopping) {
      throw new Error(`The recipe of "${this.card.name}" is not a train() run with early stopping, so it has no train() options to reuse.`);
    }
    const { maxEpochs, earlyStopping: stopping, ...options } = o;
    return { ...options, epochs: maxEpochs, snapshots: false, callbacks: [earlyStopping(stopping)] };
  }

  toString(): string {
    return [`${this.card.name}: ${this.card.title}`, ...rows(this.card).map(([k, v]) => `  ${k}: ${v}`)].join("\n");
  }

  [DISPLAY](): MimeBundle {
    const body = rows(this.card)
      .map(([k, v]) => `<tr><th style="text-align:left;padding:2px 10px;vertical-align:top">${escapeHtml(k)}</th><td style="text-align:left;padding:2px 10px">${escapeHtml(v)}</td></tr>`)
      .join("");
    return {
      "text/html":
        `<div style="font-family:sans-serif;font-size:13px"><div style="font-weight:bold;padding:4px 0">` +
        `${escapeHtml(this.card.name)}: ${escapeHtml(this.card.title)}</div><table style="border-collapse:collapse">${body}</table></div>`,
      "text/plain": this.toString(),
    };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
