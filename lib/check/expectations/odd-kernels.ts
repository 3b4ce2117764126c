/** Every convolution kernel has odd sides, so each window has a centre pixel. */
import type { Expectation } from "../exercise";
import { AnswerProblem, readModel } from "../answers";
import { ordinal } from "../format";
import { formatSetting, layersOfClass } from "./layer-names";

export function oddKernels(name: string): Expectation {
  return {
    describe: `odd kernel sizes in \`${name}\``,
    evaluate(answers) {
      const model = readModel(answers, name);
      if (model instanceof AnswerProblem) return model.finding;
      const convs = layersOfClass(model, "Conv2D");
      const even = convs
        .map((layer, i) => ({ i, size: layer.getConfig().kernelSize as number[] }))
        .filter(({ size }) => size.some((side) => side % 2 === 0));
      if (even.length === 0) {
        return { passed: convs.length > 0, message: convs.length > 0 ? "Every kernel has odd sides." : "There is no conv layer yet." };
      }
      const which = even.map(({ i, size }) => `the ${ordinal(i + 1)} conv layer's kernel is ${formatSetting(size)}`).join(", ");
      return { passed: false, message: `${which[0].toUpperCase()}${which.slice(1)}: use odd sizes, so that every window has a centre pixel.` };
    },
  };
}
