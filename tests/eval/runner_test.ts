import assert from "node:assert/strict";
import { BaselineOnly, Popularity, SVD } from "../../src/collab/mod.ts";
import {
  datasetFromTriples,
  groupBy,
  leaveLastOutSplit,
  loadMovieLens100k,
  randomSplit,
  selectInteractions,
  stratifiedSplit,
  withInteractions,
} from "../../src/data/mod.ts";
import {
  evaluate,
  formatJson,
  formatMarkdown,
  meanResult,
  type Recommender,
  recommendTopK,
} from "../../src/eval/mod.ts";

const ML_100K = new URL("../../../shared/data/ml-100k/", import.meta.url);
const ds = await loadMovieLens100k(ML_100K);

Deno.test("recommendTopK() never returns a user's train items (all ML-100k users)", () => {
  const split = stratifiedSplit(ds, { seed: 42 });
  const model = new SVD({ factors: 10, epochs: 2 });
  model.fit(split.train);
  const recs = recommendTopK(model, split.train, 10);
  assert.equal(recs.users.length, 943);
  const byUser = groupBy(split.train.interactions.user, 943);
  for (let n = 0; n < 943; n++) {
    const u = recs.users[n];
    const seen = new Set<number>();
    for (let p = byUser.offsets[u]; p < byUser.offsets[u + 1]; p++) {
      seen.add(split.train.interactions.item[byUser.positions[p]]);
    }
    const list = recs.items.subarray(n * 10, n * 10 + 10);
    assert.ok(list.every((i) => i >= 0 && !seen.has(i)), `user ${u}`);
    assert.equal(new Set(list).size, 10);
  }
});

Deno.test("evaluate() of popularity on ML-100k stratified 75/25 is stable across seeds", async () => {
  const metrics = ["precision", "recall", "ndcg", "map"] as const;
  const results = [];
  for (const seed of [42, 7]) {
    const split = stratifiedSplit(ds, { trainRatio: 0.75, seed });
    results.push(await evaluate(new Popularity(), split, { metrics, k: 10 }));
  }
  console.log(formatMarkdown(results));
  for (const name of ["precision@10", "recall@10", "ndcg@10", "map@10"]) {
    const [a, b] = results.map((r) => r.metrics[name]);
    assert.ok(a > 0 && b > 0, name);
    assert.ok(Math.abs(a - b) < 0.01, `${name}: ${a} vs ${b}`);
  }
  assert.equal(results[0].testUsers, 943);
  // popularity is a weak but real baseline: far above random (P@10 ≈ 0.016)
  assert.ok(results[0].metrics["precision@10"] > 0.15);
});

Deno.test("evaluate() breaks metrics down by user bucket consistently with the overall value", async () => {
  const split = randomSplit(ds, { testFraction: 0.5, seed: 3 });
  const result = await evaluate(new Popularity(), split, {
    metrics: ["precision", "recall", "auc"],
    breakdown: "user",
    buckets: [0, 1, 40, 80],
  });
  const buckets = result.breakdown!.buckets;
  assert.deepEqual(buckets.map((b) => b.label), ["0", "1–39", "40–79", "80+"]);
  const users = buckets.reduce((s, b) => s + b.units.users, 0);
  assert.equal(users, result.testUsers);
  const weighted = buckets.reduce(
    (s, b) => s + (b.units.users > 0 ? b.metrics["precision@10"] * b.units.users : 0),
    0,
  );
  assert.ok(Math.abs(weighted / users - result.metrics["precision@10"]) < 1e-12);
  assert.ok(result.metrics.auc > 0.8 && result.metrics.auc < 0.95, `${result.metrics.auc}`);
});

Deno.test("evaluate() breaks rating metrics down by item bucket", async () => {
  const split = randomSplit(ds, { seed: 4 });
  const result = await evaluate(new BaselineOnly(), split, {
    metrics: ["rmse", "mae"],
    breakdown: "item",
  });
  const buckets = result.breakdown!.buckets;
  assert.equal(buckets.reduce((s, b) => s + b.units.ratings, 0), result.testInteractions);
  const se = buckets.reduce(
    (s, b) => s + (b.units.ratings > 0 ? b.metrics.rmse ** 2 * b.units.ratings : 0),
    0,
  );
  assert.ok(Math.abs(Math.sqrt(se / result.testInteractions) - result.metrics.rmse) < 1e-9);
  // items with many train ratings are predicted better than rare ones
  assert.ok(buckets[4].metrics.rmse < buckets[1].metrics.rmse);
  const md = formatMarkdown([result]);
  assert.match(md, /by item train interactions/);
  assert.match(md, /\| 51\+ \| \d+ ratings \|/);
});

Deno.test("evaluate() runs the NCF sampled hit rate deterministically", async () => {
  const split = leaveLastOutSplit(ds);
  const run = () =>
    evaluate(new Popularity(), split, { metrics: ["hitRate"], k: 10, negatives: 100, seed: 1 });
  const [a, b] = [await run(), await run()];
  assert.equal(a.metrics["hitRate@10"], b.metrics["hitRate@10"]);
  // popularity on ML-100k leave-one-out is known to be near 0.4–0.5
  assert.ok(a.metrics["hitRate@10"] > 0.3 && a.metrics["hitRate@10"] < 0.7);
});

Deno.test("evaluate() explains a metric the model cannot serve", async () => {
  const split = randomSplit(datasetFromTriples("toy", [["a", "x", 1], ["b", "y", 2]]));
  await assert.rejects(evaluate(new Popularity(), split, { metrics: ["rmse"] }), /no predict/);
  const implicit = randomSplit(datasetFromTriples("toy", [["a", "x"], ["b", "y"]]));
  await assert.rejects(
    evaluate(new SVD(), implicit, { metrics: ["rmse"] }),
    /needs explicit ratings|no ratings/,
  );
});

Deno.test("meanResult(), formatMarkdown() and formatJson() summarise runs", () => {
  const base = {
    model: "m",
    split: "s",
    k: 10,
    fitSeconds: 2,
    evaluateSeconds: 1,
    testUsers: 10,
    testInteractions: 100,
  };
  const mean = meanResult([{ ...base, metrics: { rmse: 0.9 } }, {
    ...base,
    metrics: { rmse: 1.1 },
  }]);
  assert.equal(mean.runs, 2);
  assert.ok(Math.abs(mean.metrics.rmse - 1) < 1e-12);
  assert.ok(Math.abs(mean.std!.rmse - 0.1) < 1e-12);
  assert.equal(
    formatMarkdown([mean]),
    "| model | split | rmse | fit s |\n| --- | --- | --- | --- |\n| m | s (mean of 2) | 1.0000 ± 0.1000 | 2.00 |",
  );
  const json = JSON.parse(formatJson([{ ...base, metrics: { auc: NaN } }]));
  assert.equal(json[0].metrics.auc, null);
});

Deno.test("evaluate() item breakdown of AUC never counts other held-out items as negatives", async () => {
  const toy = datasetFromTriples("toy", [
    ["a", "i0"],
    ["a", "i1"],
    ["a", "i2"],
    ["b", "i1"],
    ["b", "i3"],
    ["b", "i4"],
  ]);
  const pick = (positions: number[]) =>
    withInteractions(toy, selectInteractions(toy.interactions, positions));
  const split = {
    name: "toy",
    kind: "random" as const,
    train: pick([0, 3, 4, 5]),
    test: pick([1, 2]),
  };
  const fixed: Recommender = {
    name: "fixed",
    fit: () => {},
    scoreItems: (_user, out) => out.set([5, 4, 3.5, 3, 2]),
  };
  const result = await evaluate(fixed, split, {
    metrics: ["auc"],
    breakdown: "item",
    buckets: [0, 1],
  });
  assert.equal(result.metrics.auc, 1);
  assert.deepEqual(result.breakdown!.buckets.map((b) => b.metrics.auc), [1, 1]);
});

Deno.test("evaluate() with candidates 'test-items' ranks held-out items only among test items", async () => {
  const toy = datasetFromTriples("toy", [
    ["a", "i0"],
    ["b", "i1"],
    ["a", "i2"],
    ["b", "i3"],
    ["c", "i4"],
  ]);
  const pick = (positions: number[]) =>
    withInteractions(toy, selectInteractions(toy.interactions, positions));
  // i2, i3 and i4 are cold: never in train.
  const split = {
    name: "toy-cold",
    kind: "cold-item" as const,
    train: pick([0, 1]),
    test: pick([2, 3, 4]),
  };
  // The warm items score highest; among cold items, a's i2 and b's i3 are last.
  const fixed: Recommender = {
    name: "fixed",
    fit: () => {},
    scoreItems: (_user, out) => out.set([9, 9, 1, 2, 3]),
  };
  const all = await evaluate(fixed, split, { metrics: ["precision", "auc"], k: 1 });
  const cold = await evaluate(fixed, split, {
    metrics: ["precision", "auc"],
    k: 1,
    candidates: "test-items",
  });
  // Among all items every top-1 is a warm item; among cold items it is i4, c's held-out item.
  assert.equal(all.metrics["precision@1"], 0);
  assert.equal(cold.metrics["precision@1"], 1 / 3);
  // Cold AUC: a's i2 (1) loses to i3, i4; b's i3 (2) beats i2 only; c's i4 (3) beats both.
  assert.ok(Math.abs(cold.metrics.auc - (0 + 0.5 + 1) / 3) < 1e-12);
  // All items: the warm i0 and i1 (9) are negatives too.
  assert.ok(Math.abs(all.metrics.auc - (0 + 1 / 3 + 2 / 4) / 3) < 1e-12);
});

Deno.test("evaluate() with bucketCandidates 'bucket' ranks each bucket's items among their peers", async () => {
  const toy = datasetFromTriples("toy", [
    ["b", "i0"],
    ["b", "i1"],
    ["b", "i2"],
    ["a", "i3"],
    ["a", "i1"],
    ["b", "i4"],
    ["b", "i5"],
  ]);
  const pick = (positions: number[]) =>
    withInteractions(toy, selectInteractions(toy.interactions, positions));
  // Train: i0, i1, i2 have one interaction each (bucket 1); i3, i4, i5 none (bucket 0).
  const split = {
    name: "toy",
    kind: "random" as const,
    train: pick([0, 1, 2]),
    test: pick([3, 4]),
  };
  const fixed: Recommender = {
    name: "fixed",
    fit: () => {},
    scoreItems: (_user, out) => out.set([9, 10, 7, 3, 2, 1]),
  };
  const options = {
    metrics: ["ndcg", "auc"] as const,
    k: 1,
    breakdown: "item" as const,
    buckets: [0, 1],
  };
  const all = await evaluate(fixed, split, { ...options, metrics: [...options.metrics] });
  const within = await evaluate(fixed, split, {
    ...options,
    metrics: [...options.metrics],
    bucketCandidates: "bucket",
  });
  // Among all items the cold i3 (score 3) loses to i0 and i2; among the cold ones it is first.
  assert.deepEqual(all.breakdown!.buckets.map((b) => b.metrics["ndcg@1"]), [0, 1]);
  assert.deepEqual(within.breakdown!.buckets.map((b) => b.metrics["ndcg@1"]), [1, 1]);
  assert.equal(all.breakdown!.buckets[0].metrics.auc, 0.5);
  assert.equal(within.breakdown!.buckets[0].metrics.auc, 1);
  assert.equal(
    within.metrics["ndcg@1"],
    all.metrics["ndcg@1"],
    "the overall figures do not change",
  );
});
