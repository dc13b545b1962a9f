/**
 * Rating prediction on MovieLens 100k's official folds u1–u5: BaselineOnly,
 * Surprise-style SVD and FactorRatingModel (SVD++ with side priors) without
 * side vectors, with content item vectors, and with content user and item
 * vectors (ContentRecommender's, standing in for the hybrid's blended
 * vectors). Prints RMSE, MAE and fit seconds per fold and their means. The
 * content vectors are fitted on each fold's train set, outside the timing.
 *
 *   deno run -A --no-lock examples/rating_folds.ts [ml-100k folder]
 *
 * HWER_EXAMPLE_QUICK=1 runs fold u1 only with a few epochs (as CI runs it);
 * HWER_DATA names the folder holding ml-100k/ when no argument is given.
 *
 * @module
 */
import {
  BaselineOnly,
  ContentRecommender,
  type Dataset,
  FactorRatingModel,
  type FactorRatingOptions,
  loadMovieLens100k,
  loadMovieLens100kFolds,
  mae,
  type Matrix,
  rmse,
  SVD,
} from "../mod.ts";

const quick = Deno.env.get("HWER_EXAMPLE_QUICK") === "1";
const dataDir = Deno.env.get("HWER_DATA");
const folder = Deno.args[0] ??
  (dataDir
    ? `${dataDir}/ml-100k/`
    : new URL("../../shared/data/ml-100k/", import.meta.url).pathname);
const dataset = await loadMovieLens100k(folder);
const folds = (await loadMovieLens100kFolds(folder, dataset)).slice(0, quick ? 1 : 5);
const seed = 42;
const contentOptions = quick
  ? { items: { text: { dims: 16, epochs: 2 }, fusion: { contentDims: 16, epochs: 5 } } }
  : {};

interface Rater {
  predict(user: number, item: number): number;
}
interface Row {
  readonly model: string;
  readonly rmse: number[];
  readonly mae: number[];
  readonly fitSeconds: number[];
}
type Side = { userSide?: Matrix; itemSide?: Matrix };

const factorOptions: FactorRatingOptions = { seed, ...(quick ? { epochs: 5 } : {}) };
const models: { name: string; fit: (train: Dataset, side: Side) => Rater }[] = [
  {
    name: "BaselineOnly",
    fit: (train) => {
      const m = new BaselineOnly();
      m.fit(train);
      return m;
    },
  },
  {
    name: "SVD (Surprise defaults)",
    fit: (train) => {
      const m = new SVD({ seed });
      m.fit(train);
      return m;
    },
  },
  {
    name: "FactorRating, no side vectors",
    fit: (train) => {
      const m = new FactorRatingModel(factorOptions);
      m.fit(train);
      return m;
    },
  },
  {
    name: "FactorRating, content item vectors",
    fit: (train, side) => {
      const m = new FactorRatingModel(factorOptions);
      m.fit(train, { itemSide: side.itemSide });
      return m;
    },
  },
  {
    name: "FactorRating, content user + item vectors",
    fit: (train, side) => {
      const m = new FactorRatingModel(factorOptions);
      m.fit(train, side);
      return m;
    },
  },
];

const rows: Row[] = models.map((m) => ({ model: m.name, rmse: [], mae: [], fitSeconds: [] }));
for (const fold of folds) {
  const content = new ContentRecommender({ seed, ...contentOptions });
  await content.fit(fold.train);
  const side = { userSide: content.userVectors, itemSide: content.itemVectors };
  const x = fold.test.interactions;
  const actual = x.rating!;
  models.forEach((m, k) => {
    const t0 = performance.now();
    const model = m.fit(fold.train, side);
    rows[k].fitSeconds.push((performance.now() - t0) / 1000);
    const predicted = Float64Array.from(
      { length: x.length },
      (_, n) => model.predict(x.user[n], x.item[n]),
    );
    rows[k].rmse.push(rmse(actual, predicted));
    rows[k].mae.push(mae(actual, predicted));
  });
  console.error(`${fold.name} done`);
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const names = folds.map((f) => f.name.split("/").pop());
console.log(`### ML-100k official folds, RMSE per fold (MAE and fit seconds: means)\n`);
console.log(`| model | ${names.join(" | ")} | mean RMSE | mean MAE | fit s / fold |`);
console.log(`|---|${names.map(() => "---:").join("|")}|---:|---:|---:|`);
for (const r of rows) {
  const cells = r.rmse.map((v) => v.toFixed(4)).join(" | ");
  console.log(
    `| ${r.model} | ${cells} | ${mean(r.rmse).toFixed(4)} | ${mean(r.mae).toFixed(4)} | ${
      mean(r.fitSeconds).toFixed(2)
    } |`,
  );
}
