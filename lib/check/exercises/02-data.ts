/** Lesson 2: data. */
import { defineExercise } from "../exercise";
import { imageShape, normalizationMethod, pixelStatistics, splitShares } from "../expectations";

defineExercise({
  id: "02-unit-spread",
  title: "Subtract the mean image, then scale the pixels to a spread of 1",
  answers: ["centredAndScaled"],
  expectations: [
    normalizationMethod("centredAndScaled", {
      method: "mean-image",
      hint: 'Keep the mean image: normalize(dealt, { method: "mean-image", scale: … }), with a scale you compute.',
    }),
    pixelStatistics("centredAndScaled", {
      split: "train",
      mean: 0,
      std: 1,
      tolerance: 0.05,
      hint: "The table above gives the spread of the mean-image pixels at the default scale, 1/255; the scale multiplies the raw 0-255 pixels. By how much must it grow?",
    }),
  ],
  success: "The statistics came from the training split only, so validation and test stay unseen. DIGITS's LeNet does nearly this (lesson 4).",
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
