/**
 * hwer demo, the main job end to end: finds MovieLens 100K (a local folder,
 * the cache, or a download), trains the content, triplet and hybrid models on
 * a per-user stratified 75/25 split and compares them, shows the hybrid's
 * recommendations with titles for two users, then adds a brand-new movie from
 * its title and genres alone and shows who gets it recommended — no
 * retraining. Without a copy of ML-100K and without network it says how to
 * point at one and runs on a generated movie catalogue instead.
 *
 *   deno task demo [--data <folder>] [--synthetic] [--quick]
 *
 * `--data` (or `HWER_DATA`) is a folder holding `ml-100k/` or the unzipped
 * ml-100k folder itself; `--synthetic` skips MovieLens; `--quick` (or
 * `HWER_EXAMPLE_QUICK=1`) trains a few epochs only; `HWER_BACKEND=cpu|webgpu`
 * forces a backend. A moderate configuration: about a minute or two on two
 * CPU cores (the defaults, measured in the README, train longer).
 *
 * @module
 */
import { join } from "node:path";
import {
  type AlphaRule,
  ContentRecommender,
  type ContentRecommenderOptions,
  type Dataset,
  evaluate,
  groupBy,
  HybridRecommender,
  selectBackend,
  stratifiedSplit,
  syntheticMovieDataset,
  TripletRecommender,
} from "../mod.ts";
import { openDataset } from "../src/cli/datasets.ts";
import { createProgress, epochProgress } from "../src/cli/progress.ts";

const args = parseArgs(Deno.args);
const quick = args.quick || env("HWER_EXAMPLE_QUICK") === "1";
const seed = 42;
const progress = createProgress();

// ---------------------------------------------------------------- the data
const { dataset, source, synthetic } = await findData();
const n = (v: number) => v.toLocaleString("en-US");
console.log(
  `hwer demo: ${dataset.name} (${n(dataset.users.ids.length)} users, ${
    n(dataset.items.ids.length)
  } movies, ${n(dataset.interactions.length)} ratings) from ${source}`,
);
const { backend, reason } = await selectBackend("auto");
console.log(
  `backend: ${backend.name} (${reason})${quick ? "; quick mode: a few epochs only" : ""}`,
);

// A moderate configuration: fewer epochs than the defaults, no retraining after the α fit.
const content: ContentRecommenderOptions = quick
  ? { items: { text: { epochs: 2 }, fusion: { epochs: 5 } }, users: { fusion: { epochs: 5 } } }
  : { items: { text: { epochs: 5 }, fusion: { epochs: 20 } }, users: { fusion: { epochs: 20 } } };
const tripletEpochs = quick ? 5 : 60;

// ---------------------------------------------------------------- 1. the parts compared
const split = stratifiedSplit(dataset, { trainRatio: 0.75, seed });
const hybrid = new HybridRecommender({
  seed,
  backend,
  content,
  triplet: { epochs: tripletEpochs },
  alpha: "tree",
  refit: !quick,
});
const models = [
  {
    label: "Content (features only)",
    model: new ContentRecommender({ seed, backend, ...content }),
  },
  {
    label: "Triplet (behaviour only)",
    model: new TripletRecommender({ seed, backend, epochs: tripletEpochs, validationFraction: 0 }),
  },
  { label: "Hybrid (α tree)", model: hybrid },
];
console.log(
  `\n1. Content vs collaborative vs hybrid: per-user stratified 75/25, top-10 from unseen movies`,
);
const rows: string[] = [];
for (const { label, model } of models) {
  const started = performance.now();
  await model.fit(split.train, epochProgress(progress, `${label}: epochs`));
  progress.stop();
  const seconds = (performance.now() - started) / 1000;
  const result = await evaluate(model, split, {
    fit: false,
    metrics: ["ndcg", "precision", "auc"],
    k: 10,
  });
  const m = result.metrics;
  rows.push(
    `| ${label.padEnd(24)} | ${m["ndcg@10"].toFixed(4)}  | ${m["precision@10"].toFixed(4)} | ${
      m.auc.toFixed(4)
    } | ${seconds.toFixed(1).padStart(5)} |`,
  );
}
console.log(`\n| model                    | NDCG@10 | P@10   | AUC    | fit s |`);
console.log(`| ------------------------ | ------- | ------ | ------ | ----- |`);
for (const row of rows) console.log(row);
const rules = hybrid.alphaRules;
console.log(
  `\nThe hybrid's α (weight of content) by interaction count: users ${
    describeRule(rules.users)
  }; items ${describeRule(rules.items)}.`,
);

// ---------------------------------------------------------------- 2. recommendations
const titles = titleColumn(split.train);
const genres = genreColumn(split.train);
const byUser = groupBy(split.train.interactions.user, split.train.users.ids.length);
const trainItems = (u: number) =>
  Array.from(
    byUser.positions.subarray(byUser.offsets[u], byUser.offsets[u + 1]),
    (p) => ({
      item: split.train.interactions.item[p],
      rating: split.train.interactions.rating![p],
    }),
  );
console.log(`\n2. The hybrid's top-5 for two users (trained on the 75 % split)`);
for (const u of [0, 1]) {
  const liked = trainItems(u).sort((a, b) => b.rating - a.rating).slice(0, 3);
  console.log(
    `\nuser ${split.train.users.ids[u]} rated highly: ${
      liked.map((l) => `${titles[l.item]} (${l.rating})`).join("; ")
    }`,
  );
  const { indices, scores } = await hybrid.recommend(u, 5);
  indices.forEach((item, r) =>
    console.log(
      `  ${r + 1}. ${titles[item]}  [${genres[item].join(", ")}]  cos ${scores[r].toFixed(3)}`,
    )
  );
}

// ---------------------------------------------------------------- 3. a brand-new movie
const newMovie = synthetic
  ? { title: "Galaxy Android Odyssey (2024)", genres: ["Sci-Fi"], year: 2024 }
  : { title: "Star Trek: The Final Voyage (1999)", genres: ["Action", "Sci-Fi"], year: 1999 };
const genre = "Sci-Fi";
const newIndex = await hybrid.addItem("new-movie", newMovie);
console.log(
  `\n3. A brand-new movie, known only by its features: "${newMovie.title}" [${
    newMovie.genres.join(", ")
  }] (no ratings, no retraining)`,
);
// By features alone: the blended space would put any new film near the popular ones.
const similar = await hybrid.similarItems(newIndex, 5, { space: "content" });
console.log(
  `most similar movies: ${Array.from(similar.indices, (i) => titles[i] ?? "?").join("; ")}`,
);
const users = [...Array(split.train.users.ids.length).keys()].filter((u) =>
  trainItems(u).length >= 10
);
const share = (u: number) => {
  const items = trainItems(u);
  return items.filter((x) => genres[x.item].includes(genre)).length / items.length;
};
const fans = [...users].sort((a, b) => share(b) - share(a)).slice(0, 20);
const others = users.filter((u) => share(u) === 0).slice(0, 20);
const reach = async (group: number[]) =>
  (await hybrid.recommendBatch(group, 20)).filter((r) => r.indices.includes(newIndex)).length;
console.log(
  `in the top-20 of ${await reach(
    fans,
  )} of the ${fans.length} biggest ${genre} fans, and of ${await reach(
    others,
  )} of ${others.length} users who rated no ${genre} movie`,
);
backend.destroy();

// ---------------------------------------------------------------- helpers
interface Found {
  readonly dataset: Dataset;
  readonly source: string;
  readonly synthetic: boolean;
}

/** ML-100K from --data / HWER_DATA, ../shared/data, the cache or a download; else generated. */
async function findData(): Promise<Found> {
  const generated = (why: string): Found => {
    if (why) console.log(why);
    return {
      dataset: syntheticMovieDataset({ users: 600, items: 800, seed }),
      source: "a generated catalogue (planted genre tastes)",
      synthetic: true,
    };
  };
  if (args.synthetic) return generated("");
  const hint = "Point --data or HWER_DATA at a folder holding ml-100k/ " +
    "(or the unzipped ml-100k.zip itself), or run `deno task hwer data fetch ml-100k` " +
    "where files.grouplens.org is reachable.";
  const explicit = args.data ?? env("HWER_DATA");
  if (explicit) {
    for (const folder of [join(explicit, "ml-100k"), explicit]) {
      if (await isFile(join(folder, "u.data"))) return await open(folder, `${folder}`);
    }
    return generated(
      `${explicit} holds no MovieLens 100K (no u.data there or in ml-100k/). ${hint}\n` +
        "Running on a generated movie catalogue instead.\n",
    );
  }
  const shared = new URL("../../shared/data/ml-100k", import.meta.url).pathname;
  if (await isFile(join(shared, "u.data"))) return await open(shared, `${shared}`);
  try {
    return await open("ml-100k", "the cache (downloaded once from files.grouplens.org)");
  } catch (error) {
    progress.stop();
    return generated(
      `MovieLens 100K is not in the cache and could not be downloaded from files.grouplens.org ` +
        `(${error instanceof Error ? error.message : error}).\n${hint}\n` +
        "Running on a generated movie catalogue instead.\n",
    );
  }
}

async function open(spec: string, source: string): Promise<Found> {
  const opened = await openDataset(spec, { progress });
  progress.stop();
  return { dataset: opened.dataset, source, synthetic: false };
}

function titleColumn(ds: Dataset): string[] {
  const column = ds.items.columns.find((c) => c.name === "title");
  return column?.kind === "text" ? column.values : ds.items.ids;
}

function genreColumn(ds: Dataset): string[][] {
  const column = ds.items.columns.find((c) => c.name === "genres");
  return column?.kind === "multiCategorical" ? column.values : ds.items.ids.map(() => []);
}

function describeRule(rule: AlphaRule): string {
  switch (rule.kind) {
    case "buckets":
      return rule.alphas.map((a, b) => {
        const lo = rule.lowerBounds[b], next = rule.lowerBounds[b + 1];
        const range = next === undefined
          ? `${lo}+`
          : next - 1 === lo
          ? `${lo}`
          : `${lo}–${next - 1}`;
        return `${range}: ${a.toFixed(2)}`;
      }).join(", ");
    case "smooth":
      return `k/(k+n) with k = ${rule.k.toFixed(1)}`;
    case "stages":
      return Object.entries(rule.alphas).map(([stage, a]) => `${stage}: ${a.toFixed(2)}`).join(
        ", ",
      );
  }
}

function parseArgs(argv: readonly string[]): { data?: string; synthetic: boolean; quick: boolean } {
  const out: { data?: string; synthetic: boolean; quick: boolean } = {
    synthetic: false,
    quick: false,
  };
  for (let a = 0; a < argv.length; a++) {
    if (argv[a] === "--data" && argv[a + 1]) out.data = argv[++a];
    else if (argv[a].startsWith("--data=")) out.data = argv[a].slice(7);
    else if (argv[a] === "--synthetic") out.synthetic = true;
    else if (argv[a] === "--quick") out.quick = true;
    else {
      console.error(`demo: unknown argument ${argv[a]}; use --data <folder>, --synthetic, --quick`);
      Deno.exit(2);
    }
  }
  return out;
}

function env(key: string): string | undefined {
  try {
    return Deno.env.get(key) || undefined;
  } catch {
    return undefined;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
