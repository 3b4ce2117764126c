/**
 * The metrics against scikit-learn on fixed inputs. The reference values
 * come from Debian's python3-sklearn through fixtures/make_sklearn_fixtures.py
 * and are stored as JSON, so these tests need no Python.
 */
import assert from "node:assert/strict";
import {
  accuracy,
  averagePrecisionScore,
  classCurves,
  confusionMatrix,
  precisionRecallCurve,
  precisionRecallF1,
  rocAucScore,
  rocCurve,
  topKAccuracy,
} from "../../lib/evaluate";
import { assertAllClose, assertClose, sklearnFixture } from "./fixtures";

const fixture = sklearnFixture();

describe(`metrics against scikit-learn ${fixture.sklearn}`, function () {
  it("has the edge cases the tests rely on", function () {
    const names = fixture.cases.map((c) => c.name);
    for (const name of ["never predicted", "absent class", "tied scores", "single class present", "imbalanced"]) {
      assert.ok(names.includes(name), `fixture case "${name}" is missing; rerun make_sklearn_fixtures.py`);
    }
  });

  for (const c of fixture.cases) {
    describe(`${c.name} (${c.note})`, function () {
      const classNames = Array.from({ length: c.numClasses }, (_, i) => `c${i}`);

      it("accuracy and the confusion matrix, with its three normalizations", function () {
        assertClose(accuracy(c.yTrue, c.yPred), c.accuracy, "accuracy");
        const matrix = confusionMatrix(c.yTrue, c.yPred, { classNames });
        assert.deepEqual(matrix.counts, c.confusionMatrix);
        for (const by of ["true", "pred", "all"] as const) {
          matrix.normalized(by).forEach((row, i) => assertAllClose(row, c.confusionNormalized[by][i], `normalized ${by} row ${i}`));
        }
      });

      for (const zeroDivision of [0, 1] as const) {
        it(`precision, recall, F1 and support per class and averaged, balanced accuracy (zero_division=${zeroDivision})`, function () {
          const expected = c.prf[String(zeroDivision) as "0" | "1"];
          const got = precisionRecallF1(c.yTrue, c.yPred, { classNames, zeroDivision });
          for (const key of ["precision", "recall", "f1"] as const) {
            assertAllClose(got.classes.map((m) => m[key]), expected.perClass[key], `per-class ${key}`);
            for (const average of ["macro", "micro", "weighted"] as const) {
              assertClose(got[average][key], expected[average][key], `${average} ${key}`);
            }
          }
          assert.deepEqual(got.classes.map((m) => m.support), expected.perClass.support);
          assertClose(got.balancedAccuracy, c.balancedAccuracy, "balanced accuracy");
        });
      }

      it("precision–recall curve and average precision per class (ties grouped)", function () {
        c.perClass.forEach((expected, k) => {
          const isPositive = c.yTrue.map((y) => (y === k ? 1 : 0));
          const column = c.scores.map((row) => row[k]);
          const curve = precisionRecallCurve(isPositive, column);
          assertAllClose(curve.precision, expected.pr.precision, `class ${k} precision`);
          assertAllClose(curve.recall, expected.pr.recall, `class ${k} recall`);
          assertAllClose(curve.thresholds, expected.pr.thresholds, `class ${k} thresholds`);
          assertClose(averagePrecisionScore(isPositive, column), expected.averagePrecision, `class ${k} average precision`);
        });
      });

      it("ROC curve and AUC per class, or a clear refusal when AUC is undefined", function () {
        c.perClass.forEach((expected, k) => {
          const isPositive = c.yTrue.map((y) => (y === k ? 1 : 0));
          const column = c.scores.map((row) => row[k]);
          const curve = rocCurve(isPositive, column);
          assertAllClose(curve.fpr, expected.roc.fpr, `class ${k} fpr`);
          assertAllClose(curve.tpr, expected.roc.tpr, `class ${k} tpr`);
          // scikit-learn 1.2 starts with max score + 1 where convlab (and scikit-learn ≥ 1.3) uses Infinity.
          assert.equal(curve.thresholds[0], Infinity);
          assertAllClose(curve.thresholds.slice(1), expected.roc.thresholds.slice(1), `class ${k} thresholds`);
          if (expected.rocAucError) {
            assert.throws(() => rocAucScore(isPositive, column), /ROC AUC (is|are) undefined/);
          } else {
            assertClose(rocAucScore(isPositive, column), expected.rocAuc, `class ${k} ROC AUC`);
          }
        });
      });

      it("average precision and ROC AUC averaged over classes (macro, micro, weighted)", function () {
        const curves = classCurves(c.yTrue, c.scores, { classNames });
        for (const average of ["macro", "micro", "weighted"] as const) {
          assertClose(curves.averagePrecision[average], c.averagePrecision[average], `${average} average precision`);
        }
        c.perClass.forEach((expected, k) => {
          assertClose(curves.classes[k].averagePrecision, expected.averagePrecision, `class ${k} AP`);
          assertClose(curves.classes[k].rocAuc, expected.rocAuc, `class ${k} AUC`);
        });
        assertClose(curves.rocAuc.micro, c.rocAuc.micro, "micro ROC AUC");
        const undefinedClasses = c.perClass.filter((p) => p.rocAucError).length;
        if (undefinedClasses === 0) {
          assertClose(curves.rocAuc.macro, c.rocAuc.macro, "macro ROC AUC");
          assertClose(curves.rocAuc.weighted, c.rocAuc.weighted, "weighted ROC AUC");
          assert.equal(curves.notes.length, 0);
        } else {
          // scikit-learn refuses; convlab averages the classes where AUC is defined and says so.
          assert.match(String(c.rocAuc.macroError), /Only one class present/);
          const defined = c.perClass.filter((p) => !p.rocAucError);
          const macro = defined.length ? defined.reduce((a, p) => a + (p.rocAuc as number), 0) / defined.length : NaN;
          assertClose(curves.rocAuc.macro, macro, "macro ROC AUC over defined classes");
          assert.ok(curves.notes.some((n) => /ROC AUC is undefined|no negatives/.test(n)), curves.notes.join(" | "));
        }
      });

      if (c.topK) {
        it("top-k accuracy for every k", function () {
          for (const [k, expected] of Object.entries(c.topK!)) {
            assertClose(topKAccuracy(c.yTrue, c.scores, Number(k)), expected, `top-${k}`);
          }
        });
      }
    });
  }
});
