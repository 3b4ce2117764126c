/**
 * Exercise checks: `await check("01-predict", { predictions, model, data })`
 * gives a learner immediate feedback, as a pass or a "not yet" that says what
 * to try. Exercises are data (see exercises/), built from the expectation
 * kinds in expectations/. A lesson's claims (`claim(statement, holds)`)
 * guard what its text says about its own run.
 */
export { check } from "./check";
export { CheckResult, CHECK_MIME } from "./result";
export type { CheckRecord } from "./result";
export { CHECKS_FILE, parseCheckEntries, recordCheck } from "./progress";
export type { CheckEntry } from "./progress";
export { claim, claimRecord, CLAIM_MIME } from "./claim";
export type { ClaimRecord } from "./claim";
export { defineExercise, getExercise, exerciseIds } from "./exercise";
export type { Exercise, Expectation, Finding, Answers } from "./exercise";
export * as expectations from "./expectations";
