import assert from "node:assert/strict";
import { RandomRecommender } from "../../src/collab/baselines.ts";
import { ContentRecommender } from "../../src/content/recommender.ts";
import { coldItemSplit, datasetFromTriples, loadMovieLens100k } from "../../src/data/mod.ts";
import { evaluate } from "../../src/eval/mod.ts";

const ml100k = await loadMovieLens100k(new URL("../../../shared/data/ml-100k/", import.meta.url));
// Small fastText and fusion settings keep the suite fast; the defaults are measured in the README.
const FAST = { items: { text: { dims: 32, epochs: 8 }, fusion: { contentDims: 32, epochs: 25 } } };
const titles =
  (ml100k.items.columns.find((c) => c.name === "title") as { values: string[] }).values;
const full = new ContentRecommender(FAST);
await full.fit(ml100k);

Deno.test("ContentRecommender.similarItems() finds sequels and genre neighbours on ML-100k", async () => {
  const nearest = async (title: string, k: number) =>
    [...(await full.similarItems(titles.indexOf(title), k)).indices].map((i) => titles[i]);
  assert.ok((await nearest("Godfather, The", 5)).includes("Godfather: Part II, The"));
  assert.ok((await nearest("Star Wars", 10)).includes("Empire Strikes Back, The"));
  const scream = await nearest("Scream", 10);
  assert.ok(scream.includes("Scream 2"), `Scream's neighbours: ${scream.join("; ")}`);
  const { indices, scores } = await full.similarItems(titles.indexOf("Toy Story"), 5);
  assert.ok(!indices.includes(titles.indexOf("Toy Story")), "an item is not its own neighbour");
  for (let r = 1; r < 5; r++) assert.ok(scores[r] <= scores[r - 1]);
});

Deno.test("ContentRecommender.recommend() never returns seen items and matches scoreItems()", async () => {
  const users = [0, 5, 42];
  const top = await full.recommend(users, 10);
  const scores = new Float32Array(ml100k.items.ids.length);
  for (const [n, u] of users.entries()) {
    const seen = new Set<number>();
    for (let p = 0; p < ml100k.interactions.length; p++) {
      if (ml100k.interactions.user[p] === u) seen.add(ml100k.interactions.item[p]);
    }
    const list = top.subarray(n * 10, n * 10 + 10);
    assert.ok(list.every((i) => !seen.has(i)), `user ${u} got a seen item`);
    full.scoreItems(u, scores);
    const best = [...scores.keys()].filter((i) =>
      !seen.has(i)
    ).sort((a, b) => scores[b] - scores[a] || a - b)[0];
    assert.ok(
      Math.abs(scores[list[0]] - scores[best]) < 1e-5,
      `user ${u}: top-1 ${list[0]} vs best ${best}`,
    );
  }
});

Deno.test("ContentRecommender.embedItem() places a new item with only a title and genres near its kind", async () => {
  const v = await full.embedItem({
    title: "Star Trek: Into the Unknown",
    genres: ["Action", "Adventure", "Sci-Fi"],
  });
  const items = full.itemVectors;
  const scored = Array.from({ length: items.rows }, (_, i) => {
    let dot = 0;
    for (let t = 0; t < items.cols; t++) dot += v[t] * items.data[i * items.cols + t];
    return [i, dot] as const;
  }).sort((a, b) => b[1] - a[1]).slice(0, 10).map(([i]) => titles[i]);
  assert.ok(
    scored.some((t) => t.startsWith("Star Trek")),
    `neighbours of a new Star Trek film: ${scored.join("; ")}`,
  );
});

Deno.test("ContentRecommender on ML-100k cold items beats random on AUC and NDCG@10", async () => {
  const split = coldItemSplit(ml100k, { fraction: 0.2, seed: 42 });
  const options = { metrics: ["ndcg", "auc"] as const, k: 10, candidates: "test-items" as const };
  const content = await evaluate(new ContentRecommender(FAST), split, {
    ...options,
    metrics: [...options.metrics],
  });
  const random = await evaluate(new RandomRecommender(), split, {
    ...options,
    metrics: [...options.metrics],
  });
  assert.ok(
    content.metrics.auc > random.metrics.auc + 0.1,
    `AUC ${content.metrics.auc} vs random ${random.metrics.auc}`,
  );
  assert.ok(
    content.metrics["ndcg@10"] > random.metrics["ndcg@10"],
    `NDCG ${content.metrics["ndcg@10"]} vs ${random.metrics["ndcg@10"]}`,
  );
});

Deno.test("ContentRecommender explains a dataset without item content", async () => {
  const bare = datasetFromTriples("bare", [["u", "i"]]);
  await assert.rejects(
    () => new ContentRecommender().fit(bare),
    /items of bare have no text or feature column/,
  );
});
