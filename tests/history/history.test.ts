/** Reading a history: the best epoch, the gap, early stopping's rule, and one analysis that every display shares. */
import assert from "node:assert/strict";
import { historyChart } from "../../lib/charts";
import { overfittingVerdict } from "../../lib/diagnose";
import {
  analyzeHistory,
  describeGap,
  findBestEpoch,
  findGapOpening,
  PatienceTracker,
  replayEarlyStopping,
  shortGap,
  type EpochRecord,
} from "../../lib/history";
import { earlyStopping, trainingChart, type TrainingContext } from "../../lib/train";

/** The verdict's text with its line breaks as spaces (it is wrapped for printing). */
const oneLine = (verdict: { toString(): string }) => verdict.toString().replace(/\s+/g, " ");

describe("history", function () {
  describe("findBestEpoch", function () {
    const history = [
      { epoch: 1, loss: 1.0, valLoss: 1.2, valAccuracy: 0.6 },
      { epoch: 2, loss: 0.6, valLoss: 0.8, valAccuracy: 0.7 },
      { epoch: 3, loss: 0.4, valLoss: 0.8, valAccuracy: 0.75 },
      { epoch: 4, loss: 0.3, valLoss: 0.9, valAccuracy: 0.75 },
    ];

    it("takes the lowest valLoss by default, the earliest on ties", function () {
      assert.deepEqual(findBestEpoch(history), { epoch: 2, monitor: "valLoss", value: 0.8, mode: "min" });
    });

    it("maximizes accuracy-like metrics and honours an explicit mode", function () {
      assert.equal(findBestEpoch(history, { monitor: "valAccuracy" })?.epoch, 3);
      assert.equal(findBestEpoch(history, { monitor: "valLoss", mode: "max" })?.epoch, 1);
    });

    it("falls back to training loss without validation, skips NaN, and is undefined with no values", function () {
      assert.equal(findBestEpoch([{ epoch: 1, loss: 0.5 }, { epoch: 2, loss: NaN }, { epoch: 3, loss: 0.4 }])?.epoch, 3);
      assert.equal(findBestEpoch([]), undefined);
    });
  });

  describe("findGapOpening", function () {
    it("finds the first epoch of a gap above 10 % that lasts to the end", function () {
      const history = [
        { epoch: 1, loss: 1.0, valLoss: 1.2 }, // 20 % gap, but it closes again
        { epoch: 2, loss: 0.8, valLoss: 0.82 },
        { epoch: 3, loss: 0.6, valLoss: 0.7 }, // 16.7 %, and stays open
        { epoch: 4, loss: 0.5, valLoss: 0.7 },
        { epoch: 5, loss: 0.4, valLoss: 0.75 },
      ];
      const gap = findGapOpening(history);
      assert.equal(gap?.epoch, 3);
      assert.ok(Math.abs((gap?.relativeGap ?? 0) - 0.1 / 0.6) < 1e-12);
      assert.ok(Math.abs((gap?.finalRelativeGap ?? 0) - 0.35 / 0.4) < 1e-12);
    });

    it("is undefined when the last epoch has no gap, and respects the threshold", function () {
      const closing = [
        { epoch: 1, loss: 0.5, valLoss: 0.7 },
        { epoch: 2, loss: 0.4, valLoss: 0.42 },
      ];
      assert.equal(findGapOpening(closing), undefined);
      assert.equal(findGapOpening(closing, { gapThreshold: 0.01 })?.epoch, 1);
      assert.equal(findGapOpening([{ epoch: 1, loss: 0.5 }]), undefined, "no validation loss, no gap");
      assert.throws(() => findGapOpening(closing, { gapThreshold: -1 }), /gapThreshold must be a fraction/);
    });
  });

  describe("the gap in words", function () {
    it("says how many times larger validation loss is once it is at least double, never a percentage in the thousands", function () {
      assert.equal(describeGap(0.012, 1.164), "validation loss is 97 times the training loss");
      assert.equal(describeGap(0.1, 0.34), "validation loss is 3.4 times the training loss");
      assert.equal(shortGap(0.012, 1.164), "97×");
    });

    it("gives the difference when the gap is smaller", function () {
      assert.equal(describeGap(0.4, 0.52), "validation loss is 0.12 above the training loss");
      assert.equal(describeGap(0.5, 0.45), "validation loss is 0.05 below the training loss");
      assert.equal(shortGap(0.4, 0.52), "+0.12");
      assert.equal(shortGap(0.5, 0.45), "−0.05");
    });
  });

  describe("early stopping's rule", function () {
    const history: EpochRecord[] = [0.9, 0.6, 0.5, 0.55, 0.52, 0.5, 0.58, 0.6, 0.61].map((valLoss, i) => ({ epoch: i + 1, loss: 1 - i * 0.1, valLoss }));

    it("PatienceTracker: a tie is no improvement, non-finite values are passed over", function () {
      const tracker = new PatienceTracker(2);
      assert.equal(tracker.observe(1, 0.5), "improved");
      assert.equal(tracker.observe(2, NaN), "waiting");
      assert.equal(tracker.wait, 0);
      assert.equal(tracker.observe(3, 0.5), "waiting");
      assert.equal(tracker.observe(4, 0.6), "exhausted");
      assert.deepEqual(tracker.best, { value: 0.5, epoch: 1 });
    });

    it("the replay stops where the earlyStopping() callback stops, keeping the same epoch", function () {
      for (const patience of [1, 2, 3, 10]) {
        const replay = replayEarlyStopping(history, patience)!;
        const callback = earlyStopping({ patience, restoreBestWeights: false });
        let stoppedAt: number | undefined;
        const ctx = { stop: () => undefined, note: () => undefined } as unknown as TrainingContext;
        for (const record of history) {
          callback.onEpochEnd!(record, { ...ctx, stop: () => (stoppedAt ??= record.epoch) } as TrainingContext);
          if (stoppedAt !== undefined) break;
        }
        assert.equal(replay.stopEpoch, stoppedAt, `patience ${patience}`);
        assert.equal(replay.keptEpoch, callback.best!.epoch, `patience ${patience}`);
      }
    });
  });

  describe("one analysis for every display", function () {
    /** Training loss falls, validation loss turns up after epoch 4. */
    const history: EpochRecord[] = [1.0, 0.6, 0.42, 0.33, 0.25, 0.18, 0.12, 0.08].map((loss, i) => ({
      epoch: i + 1,
      loss,
      valLoss: [1.02, 0.63, 0.45, 0.4, 0.41, 0.44, 0.5, 0.58][i],
      lr: 0.01,
    }));

    it("the verdict's chart marks the epochs its sentences name", function () {
      const verdict = overfittingVerdict(history);
      const analysis = analyzeHistory(history);
      assert.equal(verdict.best!.epoch, analysis.best!.epoch);
      assert.equal(verdict.gap!.epoch, analysis.gap!.epoch);
      assert.match(oneLine(verdict), new RegExp(`opens at epoch ${verdict.gap!.epoch} `));
      assert.match(verdict.chart().summary, new RegExp(`best epoch ${verdict.best!.epoch} .*gap opens at epoch ${verdict.gap!.epoch}$`));
      assert.doesNotMatch(oneLine(verdict), /\d%/, "the gap is said in words, not as a percentage");
      assert.match(oneLine(verdict), /validation loss is 7.2 times the training loss/);
    });

    it("train()'s chart plots points within epochs but marks what the epoch records say", function () {
      // Eight points an epoch: the last segment of each epoch has a lower loss than the epoch's mean,
      // so read on its own it would put the gap elsewhere.
      const points = history.flatMap((r) =>
        Array.from({ length: 8 }, (_, k) => {
          const epoch = r.epoch - 1 + (k + 1) / 8;
          const loss = r.loss! * (1.3 - 0.08 * k);
          return k === 7 ? { epoch, loss, valLoss: r.valLoss, lr: 0.01 } : { epoch, loss, lr: 0.01 };
        }),
      );
      const fromPoints = historyChart(points).summary;
      const marked = trainingChart(points, { history }).summary;
      const expected = analyzeHistory(history);
      assert.match(marked, new RegExp(`best epoch ${expected.best!.epoch} .*gap opens at epoch ${expected.gap!.epoch};`));
      assert.notEqual(findGapOpening(points)?.epoch, expected.gap!.epoch, `the points alone would say otherwise (${fromPoints})`);
    });
  });
});
