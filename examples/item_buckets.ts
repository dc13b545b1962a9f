/**
 * How the hybrid compares with its two pure parts by item history: ML-100K
 * per-user stratified 75/25, the held-out items split into buckets by their
 * number of training interactions, and each bucket's items ranked among the
 * unseen items of the same bucket (bucket 0 is the cold-item question) —
 * NDCG@10 and AUC per bucket.
 *
 *   deno run -A --no-lock examples/item_buckets.ts [ml-100k folder] [seed]
 *
 * HWER_EXAMPLE_QUICK=1 trains for a few epochs only (as CI runs it).
 *
 * @module
 */
import {
  ContentRecommender,
  evaluate,
  type EvaluationResult,
  HybridRecommender,
  loadDataset,
  type Recommender,
  stratifiedSplit,
  TripletRecommender,
} from "../mod.ts";

const quick = Deno.env.get("HWER_EXAMPLE_QUICK") === "1";
const folder = Deno.args[0] ?? new URL("../../shared/data/ml-100k", import.meta.url).pathname;
const dataset = await loadDataset("ml-100k", { localDir: folder });
const seed = Number(Deno.args[1] ?? 42);
if (!Number.isSafeInteger(seed) || seed < 0) {
  console.error(`item_buckets: the seed must be a whole number ≥ 0, got "${Deno.args[1]}"`);
  Deno.exit(2);
}
const split = stratifiedSplit(dataset, { seed });
const content = quick
  ? { items: { text: { dims: 16, epochs: 2 }, fusion: { contentDims: 16, epochs: 3 } } }
  : {};
const triplet = quick ? { epochs: 3 } : {};
const models: Recommender[] = [
  new ContentRecommender({ seed, ...content }),
  new TripletRecommender({ seed, ...triplet }),
  new HybridRecommender({ seed, content, triplet, ...(quick ? { refit: false } : {}) }),
];
const results: EvaluationResult[] = [];
for (const model of models) {
  const started = performance.now();
  await model.fit(split.train);
  const result = await evaluate(model, split, {
    fit: false,
    metrics: ["ndcg", "auc"],
    k: 10,
    breakdown: "item",
    bucketCandidates: "bucket",
  });
  results.push(result);
  console.error(`${model.name}: fit ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const labels = results[0].breakdown!.buckets.map((b) => b.label);
console.log(
  `### ml-100k, stratified 75/25 (seed ${seed}), held-out items ranked within their training-interaction bucket (NDCG@10 / AUC)\n`,
);
console.log(`| model | all items | ${labels.join(" | ")} |`);
console.log(`| --- | --- | ${labels.map(() => "---").join(" | ")} |`);
const cell = (m: Readonly<Record<string, number>>) =>
  `${(m["ndcg@10"] ?? NaN).toFixed(3)} / ${(m.auc ?? NaN).toFixed(3)}`;
for (const r of results) {
  console.log(
    `| ${r.model} | ${cell(r.metrics)} | ${
      r.breakdown!.buckets.map((b) => cell(b.metrics)).join(" | ")
    } |`,
  );
}
const users = results[0].breakdown!.buckets.map((b) => b.units.users ?? 0);
console.log(`| users per bucket | ${results[0].testUsers} | ${users.join(" | ")} |`);
