/**
 * Exercise checks: `await check("01-predict", { predictions, model, data })`
 * gives a learner immediate feedback, as a pass or a "not yet" that says what
 * to try. Exercises are data (see exercises/), built from the expectation
 * kinds in expectations/.
 */
export { check } from "./check";
export { CheckResult, CHECK_MIME } from "./result";
export type { CheckRecord } from "./result";
export { defineExercise, getExercise, exerciseIds } from "./exercise";
export type { Exercise, Expectation, Finding, Answers } from "./exercise";
export * as expectations from "./expectations";
