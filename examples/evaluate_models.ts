/**
 * Evaluates hwer's recommenders next to the baselines on MovieLens and prints
 * markdown tables: warm (per-user stratified 75/25) and cold-item (20 % of
 * items held out with all their interactions, ranked among the held-out items).
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

const warm = stratifiedSplit(dataset, { seed });
const warmResults: EvaluationResult[] = [];
const content = new ContentRecommender({ seed });
const models: Recommender[] = [
  new RandomRecommender({ seed }),
  new Popularity(),
  new NMF({ seed }),
  new SVD({ seed }),
  content,
  new TripletRecommender({ seed }),
];
for (const model of models) {
  warmResults.push(
    await evaluate(model, warm, { metrics: ["precision", "recall", "ndcg", "map", "auc"], k: 10 }),
  );
  console.error(`warm: ${model.name} done`);
}
// Content-initialised triplet model: starts from the content model fitted on the same train split.
const contentInit = new TripletRecommender({
  seed,
  content: { users: content.userVectors, items: content.itemVectors },
});
warmResults.push(
  await evaluate(contentInit, warm, {
    metrics: ["precision", "recall", "ndcg", "map", "auc"],
    k: 10,
  }),
);
console.log(`### ${name}, per-user stratified 75/25, top-10 from unseen items\n`);
console.log(formatMarkdown(warmResults));

const cold = coldItemSplit(dataset, { fraction: 0.2, seed });
const coldResults: EvaluationResult[] = [];
for (
  const model of [
    new RandomRecommender({ seed }),
    new Popularity(),
    new ContentRecommender({ seed }),
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
