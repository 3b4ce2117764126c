/** A dataset's image size and channels: "the images are 256×256 color; the exercise asks for 32×32 grayscale". */
import type { Expectation } from "../exercise";
import { AnswerProblem, readDataset } from "../answers";

export interface ImageShapeOptions {
  height: number;
  width: number;
  channels: 1 | 3;
  hint?: string;
}

function describeShape(height: number, width: number, channels: number): string {
  return `${width}×${height} ${channels === 1 ? "grayscale (1 channel)" : `color (${channels} channels)`}`;
}

export function imageShape(name: string, options: ImageShapeOptions): Expectation {
  const wanted = describeShape(options.height, options.width, options.channels);
  return {
    describe: `${wanted} images in \`${name}\``,
    evaluate(answers) {
      const data = readDataset(answers, name);
      if (data instanceof AnswerProblem) return data.finding;
      const [height, width, channels] = data.shape;
      const found = describeShape(height, width, channels);
      if (height === options.height && width === options.width && channels === options.channels) {
        return { passed: true, message: `The images are ${found}, as asked.` };
      }
      return { passed: false, message: `The images are ${found}; the exercise asks for ${wanted}.${options.hint ? " " + options.hint : ""}` };
    },
  };
}
