/**
 * Evaluates hwer's recommenders next to the baselines on MovieLens and prints
 * markdown tables: warm (per-user stratified 75/25), cold-item (20 % of items
 * held out with all their interactions, ranked among the held-out items), and
 * the warm split by the held-out item's number of training interactions.
 *
 *   deno run -A examples/evaluate_models.ts [ml-100k|ml-latest-small] [data folder]
 *
 * @module
 */
import {
  coldItemSplit,
  ContentRecommender,
  evaluate,
  type EvaluationResult,
  formatMarkdown,
  HybridRecommender,
  loadDataset,
  NMF,
  Popularity,
  RandomRecommender,
  type Recommender,
  stratifiedSplit,
  SVD,
  TripletRecommender,
} from "../mod.ts";

const name = (Deno.args[0] ?? "ml-100k") as "ml-100k" | "ml-latest-small";
const folder = Deno.args[1] ?? new URL(`../../shared/data/${name}`, import.meta.url).pathname;
const dataset = await loadDataset(name, { localDir: folder });
const seed = 42;
const ranking = { metrics: ["precision", "recall", "ndcg", "map", "auc"] as const, k: 10 };

const warm = stratifiedSplit(dataset, { seed });
const content = new ContentRecommender({ seed });
const warmModels: (() => Recommender)[] = [
  () => new RandomRecommender({ seed }),
  () => new Popularity(),
  () => new NMF({ seed }),
  () => new SVD({ seed }),
  () => content,
  () => new TripletRecommender({ seed }),
  // Starts from the content model fitted above on the same train split.
  () =>
    new TripletRecommender({
      seed,
      content: { users: content.userVectors, items: content.itemVectors },
    }),
  () => new HybridRecommender({ seed }),
];
const warmResults: EvaluationResult[] = [];
for (const make of warmModels) {
  const model = make();
  warmResults.push(await evaluate(model, warm, { ...ranking, metrics: [...ranking.metrics] }));
  console.error(`warm: ${model.name} done`);
}
console.log(`### ${name}, per-user stratified 75/25, top-10 from unseen items\n`);
console.log(formatMarkdown(warmResults));

const cold = coldItemSplit(dataset, { fraction: 0.2, seed });
const coldResults: EvaluationResult[] = [];
for (
  const model of [
    new RandomRecommender({ seed }),
    new Popularity(),
    new ContentRecommender({ seed }),
    new TripletRecommender({ seed }),
    new HybridRecommender({ seed }),
  ]
) {
  coldResults.push(
    await evaluate(model, cold, {
      metrics: ["precision", "recall", "ndcg", "auc"],
      k: 10,
      candidates: "test-items",
    }),
  );
  console.error(`cold: ${model.name} done`);
}
console.log(`\n### ${name}, cold items (20 % held out), ranked among the held-out items\n`);
console.log(formatMarkdown(coldResults));

// The warm split by the held-out item's training interactions (the models fitted above).
const byItem: EvaluationResult[] = [];
for (
  const result of warmResults.filter((r) => ["Content", "Triplet", "Hybrid"].includes(r.model))
) {
  const model = warmModels[warmResults.indexOf(result)]();
  byItem.push(
    await evaluate(model, warm, {
      metrics: ["ndcg", "auc"],
      k: 10,
      breakdown: "item",
      fit: model !== content,
    }),
  );
  console.error(`by item bucket: ${model.name} done`);
}
console.log(
  `\n### ${name}, stratified 75/25 by the held-out item's training interactions (NDCG@10 / AUC)\n`,
);
const labels = byItem[0].breakdown!.buckets.map((b) => b.label);
console.log(`| model | ${labels.join(" | ")} |`);
console.log(`| --- | ${labels.map(() => "---").join(" | ")} |`);
for (const r of byItem) {
  const cells = r.breakdown!.buckets.map((b) =>
    `${(b.metrics["ndcg@10"] ?? NaN).toFixed(3)} / ${(b.metrics.auc ?? NaN).toFixed(3)}`
  );
  console.log(`| ${r.model} | ${cells.join(" | ")} |`);
}
