// Data, baseline and ranking benchmarks on MovieLens (read from ../shared/data).
// Run: deno bench -A --no-lock bench/data_bench.ts
import { NMF, Popularity, SVD } from "../src/collab/mod.ts";
import {
  loadGenericDataset,
  loadMovieLens100k,
  loadMovieLens100kFold,
  loadMovieLensLatestSmall,
  stratifiedSplit,
} from "../src/data/mod.ts";
import { evaluate, recommendTopK } from "../src/eval/mod.ts";

const ML_100K = new URL("../../shared/data/ml-100k/", import.meta.url);
const ML_SMALL = new URL("../../shared/data/ml-latest-small/", import.meta.url);

const ml100k = await loadMovieLens100k(ML_100K);
const u1 = await loadMovieLens100kFold(ML_100K, ml100k, "u1");
const stratified = stratifiedSplit(ml100k, { trainRatio: 0.75, seed: 42 });
const svd = new SVD({ seed: 42 });
svd.fit(stratified.train);
const popularity = new Popularity();
popularity.fit(stratified.train);

Deno.bench({
  name: "load ml-100k (100k ratings, 943 users, 1682 items)",
  group: "load",
  baseline: true,
  fn: async () => {
    await loadMovieLens100k(ML_100K);
  },
});

Deno.bench({
  name: "load ml-latest-small (100,836 ratings, 9742 movies, tags, links)",
  group: "load",
  fn: async () => {
    await loadMovieLensLatestSmall(ML_SMALL);
  },
});

Deno.bench({
  name: "load ml-latest-small ratings+movies via the generic format (inferred kinds)",
  group: "load",
  fn: async () => {
    await loadGenericDataset({
      interactions: new URL("ratings.csv", ML_SMALL),
      items: new URL("movies.csv", ML_SMALL),
      schema: { interactions: { user: "userId", item: "movieId" }, items: { id: "movieId" } },
    });
  },
});

Deno.bench({
  name: "stratified 75/25 split of ml-100k (100k ratings)",
  group: "split",
  fn: () => {
    stratifiedSplit(ml100k, { trainRatio: 0.75, seed: 1 });
  },
});

Deno.bench({
  name: "fit NMF on ml-100k u1 (80k ratings, 15 factors, 50 epochs)",
  group: "fit",
  baseline: true,
  fn: () => {
    new NMF({ seed: 42 }).fit(u1.train);
  },
});

Deno.bench({
  name: "fit SVD on ml-100k u1 (80k ratings, 100 factors, 20 epochs)",
  group: "fit",
  fn: () => {
    new SVD({ seed: 42 }).fit(u1.train);
  },
});

Deno.bench({
  name: "rank all 943 ml-100k users, top-10 of 1682 by SVD (100 factors), train items excluded",
  group: "rank",
  baseline: true,
  fn: () => {
    recommendTopK(svd, stratified.train, 10);
  },
});

Deno.bench({
  name: "rank all 943 ml-100k users, top-10 of 1682 by popularity, train items excluded",
  group: "rank",
  fn: () => {
    recommendTopK(popularity, stratified.train, 10);
  },
});

Deno.bench({
  name: "evaluate popularity P/R/NDCG/MAP@10 on ml-100k stratified 75/25 (943 users)",
  group: "rank",
  fn: async () => {
    await evaluate(popularity, stratified, {
      metrics: ["precision", "recall", "ndcg", "map"],
      fit: false,
    });
  },
});
