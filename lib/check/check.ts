/**
 * check(): immediate feedback on an exercise.
 *
 *     await check("03-small-cnn", { model })
 *
 * Looks the exercise up by id and tests each of its expectations against the
 * values passed. A mistake in the learner's answer is never an exception: it
 * is a "not yet" with a message saying what was found, what the exercise
 * asks and what to try, without giving the solution away.
 */
import type { Answers, Finding } from "./exercise";
import { getExercise } from "./exercise";
import { recordCheck } from "./progress";
import { CheckResult } from "./result";
import "./exercises";

export async function check(id: string, answers: Answers = {}): Promise<CheckResult> {
  const exercise = getExercise(id);
  if (typeof answers !== "object" || answers === null || Array.isArray(answers)) {
    throw new Error(`check("${id}", …) takes the values to check as an object, e.g. check("${id}", { ${exercise.answers.join(", ")} }).`);
  }
  const findings: Finding[] = [];
  let unchecked = 0;
  for (let i = 0; i < exercise.expectations.length; i++) {
    const expectation = exercise.expectations[i];
    let finding: Finding;
    try {
      finding = await expectation.evaluate(answers);
    } catch (error) {
      // The learner's values broke the measurement (a shape that does not fit, say): that is feedback, not a crash.
      finding = { passed: false, message: `While checking ${expectation.describe}: ${error instanceof Error ? error.message : String(error)}` };
    }
    // A missing answer fails every expectation that reads it; say it once.
    if (!findings.some((f) => f.message === finding.message)) findings.push(finding);
    if (!finding.passed && expectation.gate) {
      unchecked = exercise.expectations.length - i - 1;
      break;
    }
  }
  const result = new CheckResult(exercise, findings, unchecked);
  recordCheck(result.toJSON());
  return result;
}
