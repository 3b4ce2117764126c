/**
 * An exercise is data: an id, a title, the names of the values its check
 * cell passes, and a list of expectations about them. Lessons stay short
 * because a check cell is one line: `await check("03-small-cnn", { model })`.
 */

/** The values a check cell passes, by name: `{ model, data }`. */
export type Answers = Readonly<Record<string, unknown>>;

/** What one expectation found: a pass or a failure, said to the learner. */
export interface Finding {
  passed: boolean;
  /**
   * What was found and, on failure, what the exercise asks and what to try.
   * Never the solution itself: only what the exercise statement says anyway.
   */
  message: string;
}

/** One thing an exercise asks for. */
export interface Expectation {
  /** What it checks, in a few words, for listings: "2 conv layers". */
  readonly describe: string;
  /**
   * When this fails, the expectations after it are not checked: they would
   * only repeat the same problem (a "model" that is not a network has no layers
   * to count). Default false.
   */
  readonly gate?: boolean;
  evaluate(answers: Answers): Finding | Promise<Finding>;
}

export interface Exercise {
  /** Lesson number and a name: "01-predict". */
  readonly id: string;
  /** What the learner does, in a few words. */
  readonly title: string;
  /** The names the check cell passes, e.g. ["predictions", "model", "data"]. */
  readonly answers: readonly string[];
  readonly expectations: readonly Expectation[];
  /** Said when every expectation holds. */
  readonly success?: string;
}

const registry = new Map<string, Exercise>();

const ID_PATTERN = /^\d\d-[a-z0-9]+(-[a-z0-9]+)*$/;

/** Adds an exercise to the registry that `check()` looks ids up in. */
export function defineExercise(exercise: Exercise): Exercise {
  if (!ID_PATTERN.test(exercise.id)) {
    throw new Error(`Exercise id "${exercise.id}" should be the lesson number and a lowercase name, like "03-small-cnn".`);
  }
  if (registry.has(exercise.id)) throw new Error(`Exercise "${exercise.id}" is defined twice.`);
  if (exercise.expectations.length === 0) throw new Error(`Exercise "${exercise.id}" has no expectations: it would pass anything.`);
  registry.set(exercise.id, exercise);
  return exercise;
}

/** The exercise with this id; the error lists the known ids. */
export function getExercise(id: string): Exercise {
  const exercise = registry.get(id);
  if (exercise) return exercise;
  const lesson = id.slice(0, 2);
  const sameLesson = exerciseIds().filter((known) => known.startsWith(lesson));
  const suggestions = sameLesson.length > 0 ? sameLesson : exerciseIds();
  throw new Error(`There is no exercise "${id}". Known exercises${sameLesson.length > 0 ? ` of lesson ${lesson}` : ""}: ${suggestions.join(", ")}.`);
}

/** Every registered exercise id, sorted. */
export function exerciseIds(): string[] {
  return [...registry.keys()].sort();
}
