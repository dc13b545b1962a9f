// Reproduces Surprise's published ML-100k table (5-fold CV, default parameters)
// on the official u1–u5 folds and on a seeded random 5-fold split (Surprise's own
// protocol): RMSE and MAE within ±0.01 of the published means.
import assert from "node:assert/strict";
import { BaselineOnly, GlobalMean, NMF, SVD } from "../../src/collab/mod.ts";
import { kFoldSplits, loadMovieLens100k, loadMovieLens100kFolds } from "../../src/data/mod.ts";
import type { Split } from "../../src/data/mod.ts";
import { evaluate, formatMarkdown, meanResult } from "../../src/eval/mod.ts";
import type { EvaluationResult, Recommender } from "../../src/eval/mod.ts";

const ML_100K = new URL("../../../shared/data/ml-100k/", import.meta.url);
const dataset = await loadMovieLens100k(ML_100K);
const officialFolds = await loadMovieLens100kFolds(ML_100K, dataset);
// Surprise's own protocol: cross_validate with a shuffled 5-fold KFold.
const randomFolds = kFoldSplits(dataset, { folds: 5, seed: 42 });
const means: EvaluationResult[] = [];

async function crossValidate(
  make: () => Recommender,
  folds: Split[] = officialFolds,
  name = "ml-100k u1–u5",
): Promise<EvaluationResult> {
  const runs: EvaluationResult[] = [];
  for (const fold of folds) runs.push(await evaluate(make(), fold, { metrics: ["rmse", "mae"] }));
  const mean = meanResult(runs, name);
  means.push(mean);
  return mean;
}

const PUBLISHED = {
  BaselineOnly: { rmse: 0.944, mae: 0.748 },
  NMF: { rmse: 0.963, mae: 0.758 },
  SVD: { rmse: 0.934, mae: 0.737 },
};

for (
  const [name, make] of [
    ["BaselineOnly", () => new BaselineOnly()],
    ["NMF", () => new NMF({ seed: 42 })],
    ["SVD", () => new SVD({ seed: 42 })],
  ] as const
) {
  Deno.test(`${name} matches Surprise's published ML-100k RMSE and MAE on u1–u5`, async () => {
    const result = await crossValidate(make);
    const published = PUBLISHED[name];
    assert.ok(
      Math.abs(result.metrics.rmse - published.rmse) <= 0.01,
      `${name} RMSE ${result.metrics.rmse} vs published ${published.rmse}`,
    );
    assert.ok(
      Math.abs(result.metrics.mae - published.mae) <= 0.01,
      `${name} MAE ${result.metrics.mae} vs published ${published.mae}`,
    );
    assert.ok(result.fitSeconds > 0);
  });

  Deno.test(`${name} matches Surprise's published ML-100k RMSE and MAE on random 5-fold CV`, async () => {
    const result = await crossValidate(make, randomFolds, "ml-100k random 5-fold (seed 42)");
    const published = PUBLISHED[name];
    assert.ok(
      Math.abs(result.metrics.rmse - published.rmse) <= 0.01,
      `RMSE ${result.metrics.rmse}`,
    );
    assert.ok(Math.abs(result.metrics.mae - published.mae) <= 0.01, `MAE ${result.metrics.mae}`);
  });
}

Deno.test("GlobalMean is clearly worse than the learned baselines on u1–u5", async () => {
  const result = await crossValidate(() => new GlobalMean());
  assert.ok(result.metrics.rmse > 1.1 && result.metrics.rmse < 1.2, `${result.metrics.rmse}`);
  console.log(formatMarkdown(means));
});
