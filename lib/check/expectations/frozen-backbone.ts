/**
 * The pretrained layers are frozen and the head is not: "conv1, conv2 and ip1
 * still train; freeze them before training".
 */
import type { Expectation } from "../exercise";
import { AnswerProblem, readModel } from "../answers";
import { headStart, modelLayers } from "../../transfer";

export interface FrozenBackboneOptions {
  /** Said when a pretrained layer still trains. */
  hint?: string;
}

export function frozenBackbone(name: string, options: FrozenBackboneOptions = {}): Expectation {
  return {
    describe: `every layer of \`${name}\` but the head frozen`,
    evaluate(answers) {
      const model = readModel(answers, name);
      if (model instanceof AnswerProblem) return model.finding;
      const layers = modelLayers(model).filter((l) => l.weights.length > 0);
      const head = modelLayers(model)[headStart(model)];
      const training = layers.filter((l) => l !== head && l.trainable).map((l) => l.name);
      if (!head.trainable) return { passed: false, message: `The head, ${head.name}, is frozen too: it is the one layer that must learn the new classes.` };
      if (training.length > 0) {
        return { passed: false, message: `${training.join(", ")} ${training.length === 1 ? "is" : "are"} still trainable, so training changes the pretrained features.${options.hint ? " " + options.hint : ""}` };
      }
      return { passed: true, message: `Only the head, ${head.name}, trains; the ${layers.length - 1} pretrained layers with weights are frozen.` };
    },
  };
}
