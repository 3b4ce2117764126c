/** Lesson 2: data. */
import { defineExercise } from "../exercise";
import { imageShape, pixelStatistics, splitShares } from "../expectations";

defineExercise({
  id: "02-standardize",
  title: "Standardize the digits: mean 0, standard deviation 1",
  answers: ["standardized"],
  expectations: [
    pixelStatistics("standardized", {
      split: "train",
      mean: 0,
      std: 1,
      tolerance: 0.05,
      hint: "Look again at the normalization methods in the table above: which one divides by a standard deviation?",
    }),
  ],
  success: "The statistics came from the training split only, so validation and test stay unseen.",
});

defineExercise({
  id: "02-import-folder",
  title: "Import the shapes folder as 32×32 grayscale, 70/20/10",
  answers: ["shapes"],
  expectations: [
    imageShape("shapes", { height: 32, width: 32, channels: 1, hint: "importImageFolder takes width, height and imageType options." }),
    splitShares("shapes", {
      shares: { train: 0.7, validation: 0.2, test: 0.1 },
      tolerance: 0.02,
      hint: "The percentages of validation and test images are options too; training gets the rest.",
    }),
  ],
  success: "That is what DIGITS's \"New dataset\" form does, in one call.",
});
