// Content-stage benchmarks: fastText skipgram training (fasttext.wasm, one thread) on the
// ml-latest-small item documents, sentence vectors, and encoding ML-100K feature columns.
// Run: deno bench -A --no-lock bench/text_bench.ts
import { loadMovieLens100k, loadMovieLensLatestSmall } from "../src/data/mod.ts";
import { FeatureEncoder } from "../src/content/features.ts";
import { entityDocuments, FastTextModel } from "../src/content/text.ts";

const ML_100K = new URL("../../shared/data/ml-100k/", import.meta.url);
const ML_SMALL = new URL("../../shared/data/ml-latest-small/", import.meta.url);

const small = await loadMovieLensLatestSmall(ML_SMALL);
const smallDocs = entityDocuments(small.items);
const smallTokens = smallDocs.reduce((n, d) => n + d.split(" ").length, 0);
const ml100k = await loadMovieLens100k(ML_100K);
const ml100kDocs = entityDocuments(ml100k.items);
const trained = await FastTextModel.train(ml100kDocs, { dims: 64, epochs: 1, seed: 1 });
const itemEncoder = FeatureEncoder.fit(ml100k.items);
const userEncoder = FeatureEncoder.fit(ml100k.users);

Deno.bench({
  name:
    `fastText skipgram ml-latest-small items (${smallDocs.length} docs, ${smallTokens} tokens), ` +
    "64 dims, 5 epochs",
  group: "fastText train",
  baseline: true,
  n: 3,
  warmup: 0, // each run is seconds long; the wasm is compiled once before the first
  fn: async () => {
    (await FastTextModel.train(smallDocs, { dims: 64, epochs: 5, seed: 1 })).dispose();
  },
});

Deno.bench({
  name: "fastText skipgram ml-latest-small items, 64 dims, 20 epochs (defaults)",
  group: "fastText train",
  n: 1,
  warmup: 0,
  fn: async () => {
    (await FastTextModel.train(smallDocs, { seed: 1 })).dispose();
  },
});

Deno.bench({
  name: `sentence vectors of ${ml100kDocs.length} ML-100K item documents, 64 dims`,
  group: "fastText vectors",
  n: 20,
  warmup: 2,
  fn: () => {
    trained.sentenceVectors(ml100kDocs);
  },
});

Deno.bench({
  name: "fit + encode ML-100K items (1682 × 23: year, 19 genres)",
  group: "features",
  baseline: true,
  fn: () => {
    FeatureEncoder.fit(ml100k.items).encodeTable(ml100k.items);
  },
});

Deno.bench({
  name: "encode ML-100K items with a fitted encoder (1682 × 23)",
  group: "features",
  fn: () => {
    itemEncoder.encodeTable(ml100k.items);
  },
});

Deno.bench({
  name: "encode ML-100K users with a fitted encoder (943 × 27: age, gender, occupation)",
  group: "features",
  fn: () => {
    userEncoder.encodeTable(ml100k.users);
  },
});

Deno.bench({
  name: "encode one new item (cold start) with a fitted encoder",
  group: "features",
  fn: () => {
    itemEncoder.encode({ title: "New Film", year: 2001, genres: ["Comedy", "Romance"] });
  },
});
