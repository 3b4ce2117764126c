/**
 * Jetson bundles: one that passes checkJetsonBundle for a given module and
 * TensorRT, and one whose labels.txt names the network's outputs in the
 * order the network learned them (which no check of the files alone can
 * know: only the dataset can).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Expectation } from "../exercise";
import { AnswerProblem, readDataset, readInstance } from "../answers";
import { BundleCheck, JetsonBundle } from "../../deploy";
import { parseLabelsLikeJetson } from "../../deploy/jetson-inference/labels";

export interface BundlePassesOptions {
  /** The Jetson module the bundle must be checked for, e.g. "Jetson Nano". */
  module: string;
  /** The TensorRT version it must be checked against, e.g. "8.2.1". */
  tensorrt: string;
  /** How the learner names that target, for messages: "a Jetson Nano on JetPack 4.6.1". */
  target: string;
}

export function bundlePasses(name: string, options: BundlePassesOptions): Expectation {
  return {
    describe: `\`${name}\`: the bundle passes checkJetsonBundle for ${options.target}`,
    evaluate(answers) {
      const check = readInstance(answers, name, BundleCheck, "what checkJetsonBundle returns");
      if (check instanceof AnswerProblem) return check.finding;
      if (check.module?.name !== options.module || check.release.tensorrt !== options.tensorrt) {
        const checked = `${check.module ? check.module.name : "no module"}, JetPack ${check.release.jetpack} (TensorRT ${check.release.tensorrt})`;
        return { passed: false, message: `Not yet: \`${name}\` checks the bundle for ${checked}; the exercise's Jetson is ${options.target}. Name it in checkJetsonBundle's options.` };
      }
      if (!check.passed) {
        return { passed: false, message: `Not yet: the check still finds ${check.errors.length} problem(s). The first: ${check.errors[0].message}` };
      }
      return { passed: true, message: `${check.verdict}` };
    },
  };
}

export interface LabelsMatchOptions {
  /** The dataset the network was trained on (a Dataset answer). */
  data: string;
}

export function bundleLabelsMatch(name: string, options: LabelsMatchOptions): Expectation {
  return {
    describe: `\`${name}\`'s labels.txt names the outputs in the order the network learned them`,
    evaluate(answers) {
      const bundle = readInstance(answers, name, JetsonBundle, "what jetsonBundle returns");
      if (bundle instanceof AnswerProblem) return bundle.finding;
      const data = readDataset(answers, options.data);
      if (data instanceof AnswerProblem) return data.finding;
      const path = join(bundle.dir, "labels.txt");
      if (!existsSync(path)) return { passed: false, message: `The bundle in ${bundle.dir} has no labels.txt any more; write it again with jetsonBundle.` };
      const labels = parseLabelsLikeJetson(readFileSync(path, "utf8")).labels;
      const wrong = data.classNames.map((className, output) => ({ className, output, label: labels[output] })).filter((x) => x.label !== x.className);
      if (wrong.length === 0) return { passed: true, message: `labels.txt names all ${labels.length} outputs as the network learned them.` };
      const first = wrong[0];
      return {
        passed: false,
        message:
          `Not yet: the network's output ${first.output} is the class "${first.className}", but labels.txt calls it "${first.label ?? "(nothing)"}"` +
          `${wrong.length > 1 ? `, and ${wrong.length - 1} more output(s) are misnamed` : ""}. The order of the outputs is the dataset's order of classes: take the names from the dataset instead of typing them.`,
      };
    },
  };
}
