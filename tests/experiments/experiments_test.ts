import assert from "node:assert/strict";
import {
  defaultExperimentProtocols,
  EXPERIMENT_MODEL_IDS,
  experimentHybridOptions,
  experimentModel,
  type ExperimentReport,
  EXPERIMENTS,
  formatExperimentsJson,
  formatExperimentsMarkdown,
  runExperiments,
  syntheticMovieCsv,
  syntheticMovieDataset,
  syntheticMovies,
} from "../../src/experiments/mod.ts";
import { HybridRecommender } from "../../src/model/hybrid.ts";
import { loadGenericDataset } from "../../src/data/generic.ts";

const small = syntheticMovieDataset({ users: 120, items: 150, seed: 3 });

Deno.test("syntheticMovies() is seeded and keeps every user and movie in catalogue order", () => {
  const a = syntheticMovies({ users: 50, items: 60, seed: 9 });
  const b = syntheticMovies({ users: 50, items: 60, seed: 9 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(syntheticMovies({ users: 50, items: 60, seed: 10 }).ratings, a.ratings);
  const ds = syntheticMovieDataset({ users: 50, items: 60, seed: 9 });
  assert.deepEqual(ds.users.ids, a.users.map((u) => u.id));
  assert.deepEqual(ds.items.ids, a.movies.map((m) => m.id));
  assert.equal(ds.interactions.length, a.ratings.length);
  assert.deepEqual(ds.ratingScale, { min: 1, max: 5 });
  for (let p = 0; p < ds.interactions.length; p++) {
    const [user, item, rating] = a.ratings[p];
    assert.equal(ds.users.ids[ds.interactions.user[p]], user);
    assert.equal(ds.items.ids[ds.interactions.item[p]], item);
    assert.equal(ds.interactions.rating![p], rating);
  }
  assert.deepEqual(ds.users.columns.map((c) => `${c.name}:${c.kind}`), [
    "age:numeric",
    "occupation:categorical",
  ]);
  assert.throws(() => syntheticMovies({ users: 0 }), /users must be a positive integer/);
  assert.throws(() => syntheticMovies({ minPerUser: 9, maxPerUser: 3 }), /maxPerUser/);
  assert.throws(() => syntheticMovies({ affinity: 2 }), /affinity must be in \[0, 1\]/);
});

Deno.test("syntheticMovies() plants genre tastes: fans rate their genres higher", () => {
  const s = syntheticMovies({ users: 200, items: 300, seed: 5 });
  const users = new Map(s.users.map((u) => [u.id, u]));
  const movies = new Map(s.movies.map((m) => [m.id, m]));
  let fan = 0, fanN = 0, other = 0, otherN = 0;
  for (const [u, i, r] of s.ratings) {
    const liked = movies.get(i)!.genres.some((g) => users.get(u)!.favourites.includes(g));
    if (liked) fan += r, fanN++;
    else other += r, otherN++;
  }
  assert.ok(fanN > 2 * otherN, `${fanN} fan ratings vs ${otherN}`);
  assert.ok(fan / fanN > other / otherN + 1.5);
});

Deno.test("syntheticMovieCsv() round-trips through the generic loader", async () => {
  const s = syntheticMovies({ users: 40, items: 50, seed: 2 });
  const dir = await Deno.makeTempDir({ prefix: "hwer-synthetic-" });
  try {
    for (const [name, text] of Object.entries(syntheticMovieCsv(s))) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    const ds = await loadGenericDataset({
      interactions: `${dir}/ratings.csv`,
      items: `${dir}/items.csv`,
      users: `${dir}/users.csv`,
    });
    assert.equal(ds.interactions.length, s.ratings.length);
    assert.deepEqual(ds.items.columns.map((c) => `${c.name}:${c.kind}`), [
      "title:text",
      "genres:multiCategorical",
      "year:numeric",
    ]);
    assert.deepEqual(ds.warnings, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("EXPERIMENTS: the seed's (a)–(e) and two references, each building its model", () => {
  assert.deepEqual(EXPERIMENTS.map((e) => e.tag), ["ref", "ref", "a", "b", "c", "d", "e"]);
  assert.deepEqual(EXPERIMENT_MODEL_IDS, EXPERIMENTS.map((e) => e.id));
  for (const e of EXPERIMENTS) {
    const model = e.create({ seed: 1, quick: true });
    assert.equal(typeof model.fit, "function", e.id);
    assert.equal(typeof model.scoreItems, "function", e.id);
  }
  assert.ok(
    experimentModel("hybrid-tree").create({ seed: 1, quick: false }) instanceof HybridRecommender,
  );
  assert.throws(() => experimentModel("svd"), /unknown experiment model "svd": use random,/);
  const quick = experimentHybridOptions({ seed: 5, quick: true }, { collaborative: "nmf" });
  assert.equal(quick.collaborative, "nmf");
  assert.equal(quick.refit, false);
  assert.equal(quick.triplet?.epochs, 5);
  assert.equal(quick.nmf?.epochs, 20);
  assert.deepEqual(experimentHybridOptions({ seed: 5, quick: false }, { alpha: "global" }), {
    seed: 5,
    alpha: "global",
  });
  assert.deepEqual(defaultExperimentProtocols("ml-latest-small"), ["stratified"]);
  assert.deepEqual(defaultExperimentProtocols("shop"), ["stratified", "cold-item"]);
});

Deno.test("runExperiments() runs every chosen cell, reports progress and rows, and is seeded", async () => {
  const calls: string[] = [];
  const progress = {
    start: (_total: number, label: string) => calls.push(label),
    update: () => {},
    stop: () => {},
  };
  const seen: string[] = [];
  const options = {
    datasets: [{ name: "toy", dataset: small }],
    models: ["nmf", "popularity", "random"] as const,
    seed: 4,
    quick: true,
    progress,
    onRow: (row: { model: string }, index: number, total: number) =>
      seen.push(`${index + 1}/${total} ${row.model}`),
  };
  const report = await runExperiments({ ...options, models: [...options.models] });
  assert.deepEqual(
    report.rows.map((r) => `${r.dataset}/${r.protocol}/${r.model}`),
    ["stratified", "cold-item"].flatMap((p) =>
      ["nmf", "popularity", "random"].map((m) => `toy/${p}/${m}`)
    ),
  );
  assert.deepEqual(seen, [
    "1/6 nmf",
    "2/6 popularity",
    "3/6 random",
    "4/6 nmf",
    "5/6 popularity",
    "6/6 random",
  ]);
  assert.ok(calls.includes("[1/6] toy/stratified NMF: epochs"), calls.join("\n"));
  assert.ok(calls.includes("[2/6] toy/stratified Popularity: scoring"));
  assert.equal(typeof report.rows[0].metrics.rmse, "number");
  assert.equal(report.rows[1].metrics.rmse, null);
  assert.equal(report.backend, "cpu");
  const again = await runExperiments({
    ...options,
    models: [...options.models],
    progress: undefined,
  });
  assert.deepEqual(again.rows.map((r) => r.metrics), report.rows.map((r) => r.metrics));
  const other = await runExperiments({
    datasets: [small],
    models: ["random"],
    protocols: ["stratified"],
    seed: 5,
  });
  assert.notDeepEqual(other.rows[0].metrics, report.rows[2].metrics);
  assert.equal(other.rows[0].dataset, small.name);
});

Deno.test("runExperiments() rejects unknown models and protocols, no datasets, bad seeds", async () => {
  await assert.rejects(
    () => runExperiments({ datasets: [small], models: ["bogus" as "nmf"] }),
    /unknown experiment model "bogus"/,
  );
  await assert.rejects(
    () => runExperiments({ datasets: [small], protocols: ["warm" as "stratified"] }),
    /unknown protocol "warm": use stratified, cold-item/,
  );
  await assert.rejects(() => runExperiments({ datasets: [] }), /needs a dataset/);
  await assert.rejects(() => runExperiments({ datasets: [small], models: [] }), /needs a model/);
  await assert.rejects(() => runExperiments({ datasets: [small], seed: -1 }), /seed must be/);
  await assert.rejects(() => runExperiments({ datasets: [small], k: 0 }), /k must be/);
});

Deno.test("formatExperimentsMarkdown() writes one section per dataset and protocol; JSON nulls NaN", () => {
  const row = (dataset: string, protocol: "stratified" | "cold-item", rmse: number | null) => ({
    dataset,
    protocol,
    split: `${dataset}/${protocol}`,
    model: "nmf" as const,
    label: "NMF",
    tag: "b" as const,
    metrics: { "ndcg@10": 0.25, "precision@10": 0.125, "recall@10": NaN, auc: 0.5, rmse },
    fitSeconds: 1.234,
    evaluateSeconds: 0,
    testUsers: 1,
    testInteractions: 1,
  });
  const report: ExperimentReport = {
    hwer: "0.0.0",
    seed: 1,
    quick: false,
    k: 10,
    backend: "cpu",
    rows: [row("a", "stratified", 0.9), row("a", "cold-item", null), row("b", "stratified", 1)],
  };
  const md = formatExperimentsMarkdown(report);
  assert.deepEqual(md.match(/^## .*$/gm), [
    "## a: per-user stratified 75/25, top-10 from unseen items",
    "## a: cold items (20 % held out), ranked among the held-out items",
    "## b: per-user stratified 75/25, top-10 from unseen items",
  ]);
  assert.ok(md.includes("| (b) NMF | 0.2500  | 0.1250 | —    | 0.5000 | 0.9000 | 1.23  |"), md);
  assert.ok(md.includes("| (b) NMF | 0.2500  | 0.1250 | —    | 0.5000 | —    | 1.23  |"), md);
  assert.doesNotMatch(md, /quick/);
  const json = JSON.parse(formatExperimentsJson(report));
  assert.equal(json.rows[0].metrics["recall@10"], null);
  assert.equal(json.rows[1].metrics.rmse, null);
});
