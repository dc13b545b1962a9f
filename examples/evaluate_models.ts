/**
 * Evaluates hwer's recommenders next to the baselines on MovieLens and prints
 * markdown tables: warm (per-user stratified 75/25), cold-item (20 % of items
 * held out with all their interactions, ranked among the held-out items), and
 * the warm split by the held-out item's number of training interactions.
 *
 *   deno run -A examples/evaluate_models.ts [ml-100k|ml-latest-small] [data folder]
 *
 * The data folder defaults to `$HWER_DATA/<name>`, else `../shared/data/<name>`
 * next to the checkout. `HWER_EXAMPLE_QUICK=1` trains a few epochs only (CI
 * size: the tables then show the protocol, not the figures to quote).
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
  selectInteractions,
  stratifiedSplit,
  SVD,
  TripletRecommender,
  withInteractions,
} from "../mod.ts";

const name = (Deno.args[0] ?? "ml-100k") as "ml-100k" | "ml-latest-small";
const dataRoot = Deno.env.get("HWER_DATA") ??
  new URL("../../shared/data", import.meta.url).pathname;
const folder = Deno.args[1] ?? `${dataRoot}/${name}`;
const quick = Deno.env.get("HWER_EXAMPLE_QUICK") === "1";
const full = await loadDataset(name, { localDir: folder });
// Quick mode also keeps only the first 300 users' interactions (all items stay in the catalogue).
const dataset = quick
  ? withInteractions(
    full,
    selectInteractions(
      full.interactions,
      [...full.interactions.user.keys()].filter((p) => full.interactions.user[p] < 300),
    ),
  )
  : full;
const seed = 42;
const ranking = { metrics: ["precision", "recall", "ndcg", "map", "auc"] as const, k: 10 };
// Quick mode: a few epochs in every stage; the full run uses the library defaults.
const contentOptions = quick
  ? { items: { text: { epochs: 2 }, fusion: { epochs: 5 } }, users: { fusion: { epochs: 5 } } }
  : {};
const tripletOptions = quick ? { epochs: 5 } : {};
const hybridOptions = quick
  ? { content: contentOptions, triplet: tripletOptions, refit: false }
  : {};
const factorOptions = quick ? { epochs: 5 } : {};
if (quick) {
  console.error("quick mode (HWER_EXAMPLE_QUICK=1): the first 300 users, a few epochs per stage");
}

const warm = stratifiedSplit(dataset, { seed });
const content = new ContentRecommender({ seed, ...contentOptions });
const warmModels: (() => Recommender)[] = [
  () => new RandomRecommender({ seed }),
  () => new Popularity(),
  () => new NMF({ seed, ...factorOptions }),
  () => new SVD({ seed, ...factorOptions }),
  () => content,
  () => new TripletRecommender({ seed, ...tripletOptions }),
  // Starts from the content model fitted above on the same train split.
  () =>
    new TripletRecommender({
      seed,
      ...tripletOptions,
      content: { users: content.userVectors, items: content.itemVectors },
    }),
  () => new HybridRecommender({ seed, ...hybridOptions }),
];
const warmResults: EvaluationResult[] = [];
const fitted: Recommender[] = [];
for (const make of warmModels) {
  const model = make();
  warmResults.push(await evaluate(model, warm, { ...ranking, metrics: [...ranking.metrics] }));
  fitted.push(model);
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
    new ContentRecommender({ seed, ...contentOptions }),
    new TripletRecommender({ seed, ...tripletOptions }),
    new HybridRecommender({ seed, ...hybridOptions }),
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
for (const model of fitted.filter((m) => ["Content", "Triplet", "Hybrid"].includes(m.name))) {
  byItem.push(
    await evaluate(model, warm, { metrics: ["ndcg", "auc"], k: 10, breakdown: "item", fit: false }),
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
