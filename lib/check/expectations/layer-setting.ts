/**
 * A setting of each layer of one kind, read from its config: filters,
 * kernelSize, strides, poolSize, activation, units. Only for settings the
 * exercise statement spells out, since the message names the expected value.
 */
import type { Expectation } from "../exercise";
import { AnswerProblem, readModel } from "../answers";
import { ordinal } from "../format";
import { formatSetting, layerNoun, layersOfClass } from "./layer-names";

export interface LayerSettingOptions {
  /** The tfjs class name, e.g. "Conv2D". */
  layer: string;
  /** The config key, e.g. "filters" or "kernelSize". */
  setting: string;
  /** One value for every layer of the kind, or one per layer in order. */
  expected: unknown;
  /** True when `expected` lists one value per layer. Default false. */
  perLayer?: boolean;
  /** How the setting is said: "filters", "kernel". Default the key. */
  label?: string;
}

export function layerSetting(name: string, options: LayerSettingOptions): Expectation {
  const noun = layerNoun(options.layer);
  const label = options.label ?? options.setting;
  return {
    describe: `${label} of each ${noun} in \`${name}\``,
    evaluate(answers) {
      const model = readModel(answers, name);
      if (model instanceof AnswerProblem) return model.finding;
      const layers = layersOfClass(model, options.layer);
      const wrong: string[] = [];
      layers.forEach((layer, i) => {
        const expected = options.perLayer ? (options.expected as unknown[])[i] : options.expected;
        if (expected === undefined) return; // more layers than the exercise lists: the count check says so
        const actual = layer.getConfig()[options.setting];
        if (!sameSetting(actual, expected)) {
          const where = layers.length > 1 ? `The ${ordinal(i + 1)} ${noun}` : `The ${noun}`;
          wrong.push(`${where} has ${label} ${formatSetting(actual)}; the exercise asks for ${formatSetting(expected)}.`);
        }
      });
      if (wrong.length > 0) return { passed: false, message: wrong.join(" ") };
      if (layers.length === 0) return { passed: false, message: `There is no ${noun} whose ${label} could be checked.` };
      return { passed: true, message: `Each ${noun} has the ${label} asked for.` };
    },
  };
}

/** 3 equals [3, 3] (tfjs normalizes sizes to one per dimension). */
export function sameSetting(actual: unknown, expected: unknown): boolean {
  const flat = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
  const a = flat(actual);
  const e = flat(expected);
  if (a.length !== e.length) {
    if (e.length === 1 && a.every((v) => v === e[0])) return true;
    if (a.length === 1 && e.every((v) => v === a[0])) return true;
    return false;
  }
  return a.every((v, i) => v === e[i]);
}
