/**
 * How the CLI turns a `<name|folder>` argument into a dataset, and a
 * `--split` name into train/test splits.
 *
 * @module
 */
import { join } from "node:path";
import { fetchDataset, type KnownDatasetName } from "../data/fetch.ts";
import { loadGenericDataset } from "../data/generic.ts";
import {
  loadMovieLens100k,
  loadMovieLens100kFold,
  loadMovieLens100kFolds,
  loadMovieLensLatestSmall,
  type MovieLens100kFold,
} from "../data/movielens.ts";
import {
  coldItemSplit,
  coldUserSplit,
  kFoldSplits,
  leaveLastOutSplit,
  randomSplit,
  stratifiedSplit,
} from "../data/splits.ts";
import type { Dataset, Split } from "../data/types.ts";
import { UsageError } from "./errors.ts";
import { fetchProgressCallback, type ProgressReporter, silentProgress } from "./progress.ts";

/** Names `data fetch` and every `<name|folder>` argument accept. */
export const KNOWN_DATASETS: readonly KnownDatasetName[] = ["ml-100k", "ml-latest-small"];

/**
 * A dataset opened from the command line, with where it came from.
 *
 * @example
 * ```ts
 * import type { OpenedDataset } from "./datasets.ts";
 * import { datasetFromTriples } from "../data/dataset.ts";
 * const opened: OpenedDataset = { dataset: datasetFromTriples("t", [["u", "i"]]), layout: "generic" };
 * console.log(opened.layout); // "generic"
 * ```
 */
export interface OpenedDataset {
  /** The loaded data. */
  readonly dataset: Dataset;
  /** Which loader read it. */
  readonly layout: "ml-100k" | "ml-latest-small" | "generic";
  /** The folder holding the files, when there is one (needed for official folds). */
  readonly dir?: string;
}

/**
 * Options of {@linkcode openDataset}.
 *
 * @example
 * ```ts
 * import type { OpenDatasetOptions } from "./datasets.ts";
 * const o: OpenDatasetOptions = { cacheDir: "/tmp/hwer-cache" };
 * console.log(o.cacheDir); // "/tmp/hwer-cache"
 * ```
 */
export interface OpenDatasetOptions {
  /** Cache folder for known datasets (default: the data layer's). */
  readonly cacheDir?: string;
  /** Download/extract progress. */
  readonly progress?: ProgressReporter;
  /**
   * A folder holding local copies of known datasets (`<dataDir>/ml-100k`, …),
   * looked at before the cache and the download. Default: `$HWER_DATA`.
   */
  readonly dataDir?: string;
}

/** Files a generic dataset folder may hold, in order of preference. */
const GENERIC_FILES = {
  interactions: ["interactions.csv", "interactions.tsv", "ratings.csv", "ratings.tsv"],
  items: ["items.csv", "items.tsv"],
  users: ["users.csv", "users.tsv"],
  schema: ["schema.json"],
} as const;

/**
 * Opens a dataset named on the command line: a path that exists is read by
 * its layout (a folder with `u.data` is ML-100K; one with `movies.csv` and
 * `ratings.csv` is ml-latest-small; otherwise a generic folder with
 * `interactions.csv`/`ratings.csv`, optional `items.csv`, `users.csv`,
 * `schema.json`; a single file is a generic interactions file); else a known
 * name is fetched (or taken from the cache).
 *
 * @param spec a known name or a path
 * @param options cache folder and progress
 * @returns the dataset and its layout
 * @throws {Error} when the path does not exist and the name is unknown, or the files are bad
 * @example
 * ```ts ignore
 * import { openDataset } from "./datasets.ts";
 * const { dataset, layout } = await openDataset("../shared/data/ml-100k");
 * console.log(layout, dataset.interactions.length); // "ml-100k" 100000
 * ```
 */
export async function openDataset(
  spec: string,
  options: OpenDatasetOptions = {},
): Promise<OpenedDataset> {
  const info = await statOrUndefined(spec);
  if (!info) {
    if ((KNOWN_DATASETS as readonly string[]).includes(spec)) {
      const dataDir = options.dataDir ?? envDataDir();
      if (dataDir && await exists(join(dataDir, spec))) {
        return await openDataset(join(dataDir, spec), options);
      }
      let dir: string;
      try {
        dir = await fetchDataset(spec as KnownDatasetName, {
          cacheDir: options.cacheDir,
          onProgress: fetchProgressCallback(options.progress ?? silentProgress),
        });
      } catch (error) {
        throw new Error(
          `${spec}: not in the cache and the download failed (${(error as Error).message}); ` +
            `pass the dataset's folder instead, or set HWER_DATA to a folder holding ${spec}/`,
          { cause: error },
        );
      }
      const dataset = spec === "ml-100k"
        ? await loadMovieLens100k(dir)
        : await loadMovieLensLatestSmall(dir);
      return { dataset, layout: spec as KnownDatasetName, dir };
    }
    throw new Error(
      `${spec}: no such file or folder, and not a known dataset name (${
        KNOWN_DATASETS.join(", ")
      })`,
    );
  }
  if (info.isFile) {
    return { dataset: await loadGenericDataset({ interactions: spec }), layout: "generic" };
  }
  if (await exists(join(spec, "u.data"))) {
    return { dataset: await loadMovieLens100k(spec), layout: "ml-100k", dir: spec };
  }
  if (await exists(join(spec, "movies.csv")) && await exists(join(spec, "ratings.csv"))) {
    return { dataset: await loadMovieLensLatestSmall(spec), layout: "ml-latest-small", dir: spec };
  }
  const find = async (names: readonly string[]) => {
    for (const name of names) if (await exists(join(spec, name))) return join(spec, name);
    return undefined;
  };
  const interactions = await find(GENERIC_FILES.interactions);
  if (!interactions) {
    throw new Error(
      `${spec}: not a dataset folder: no u.data (ML-100K), no movies.csv + ratings.csv ` +
        `(ml-latest-small), and no ${GENERIC_FILES.interactions.join(" / ")} (generic format)`,
    );
  }
  const dataset = await loadGenericDataset({
    interactions,
    items: await find(GENERIC_FILES.items),
    users: await find(GENERIC_FILES.users),
    schema: await find(GENERIC_FILES.schema),
    name: spec.replace(/\/+$/, "").split("/").pop() || spec,
  });
  return { dataset, layout: "generic", dir: spec };
}

/** Every `--split` value `eval` accepts, for help and validation. */
export const SPLIT_NAMES: readonly string[] = [
  "stratified",
  "random",
  "cold-item",
  "cold-user",
  "leave-last-out",
  "kfold",
  "u1",
  "u2",
  "u3",
  "u4",
  "u5",
  "ua",
  "ub",
  "u1-u5",
];

/**
 * Makes the splits a `--split` name asks for: one split, or several (kfold,
 * u1-u5) whose results the caller averages. Seeded splits use `seed`.
 *
 * @param opened the dataset and its layout
 * @param name a value of {@linkcode SPLIT_NAMES}
 * @param seed the split seed
 * @returns one or more splits
 * @throws {UsageError} for an unknown name, or an official fold of a dataset that has none
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { makeSplits } from "./datasets.ts";
 * const rows = Array.from({ length: 20 }, (_, n) => [`u${n % 4}`, `i${n}`, 3] as const);
 * const splits = await makeSplits({ dataset: datasetFromTriples("toy", rows), layout: "generic" }, "kfold", 1);
 * console.log(splits.length); // 5
 * ```
 */
export async function makeSplits(
  opened: OpenedDataset,
  name: string,
  seed: number,
): Promise<Split[]> {
  const ds = opened.dataset;
  switch (name) {
    case "stratified":
      return [stratifiedSplit(ds, { trainRatio: 0.75, seed })];
    case "random":
      return [randomSplit(ds, { testFraction: 0.2, seed })];
    case "cold-item":
      return [coldItemSplit(ds, { fraction: 0.2, seed })];
    case "cold-user":
      return [coldUserSplit(ds, { fraction: 0.2, seed })];
    case "leave-last-out":
      if (!ds.interactions.timestamp) {
        throw new UsageError(
          `--split leave-last-out needs timestamps; ${ds.name} has none`,
          "eval",
        );
      }
      return [leaveLastOutSplit(ds, { count: 1 })];
    case "kfold":
      return kFoldSplits(ds, { folds: 5, seed });
  }
  if (/^u[1-5ab]$/.test(name) || name === "u1-u5") {
    if (opened.layout !== "ml-100k" || !opened.dir) {
      throw new UsageError(
        `--split ${name} is one of ML-100K's official folds; ${ds.name} has none ` +
          `(use stratified, random, kfold, cold-item, cold-user or leave-last-out)`,
        "eval",
      );
    }
    if (name === "u1-u5") return loadMovieLens100kFolds(opened.dir, ds);
    return [await loadMovieLens100kFold(opened.dir, ds, name as MovieLens100kFold)];
  }
  throw new UsageError(
    `--split ${JSON.stringify(name)} is not one of ${SPLIT_NAMES.join(", ")}`,
    "eval",
  );
}

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await statOrUndefined(path)) !== undefined;
}

/** `$HWER_DATA`, or undefined when it is unset or the environment may not be read. */
function envDataDir(): string | undefined {
  try {
    return Deno.env.get("HWER_DATA") || undefined;
  } catch {
    return undefined;
  }
}
