/**
 * `hwer data fetch` and `hwer data info`.
 *
 * @module
 */
import { Argument, Command, type CommandUnknownOpts } from "npm:@commander-js/extra-typings@15.1.0";
import { countBy } from "../../data/dataset.ts";
import { fetchDataset, type FetchProgress, type KnownDatasetName } from "../../data/fetch.ts";
import type { Dataset, FeatureColumn } from "../../data/types.ts";
import type { CliContext } from "../context.ts";
import { KNOWN_DATASETS, openDataset } from "../datasets.ts";
import { fetchProgressCallback } from "../progress.ts";

/**
 * Summary statistics of a dataset, as `hwer data info --json` prints them.
 *
 * @example
 * ```ts
 * import type { DatasetSummary } from "./data.ts";
 * const s = { users: 943, items: 1682, interactions: 100000 } as Partial<DatasetSummary>;
 * console.log(s.users); // 943
 * ```
 */
export interface DatasetSummary {
  /** Dataset name. */
  readonly name: string;
  /** Which loader read it. */
  readonly layout: string;
  /** Number of users. */
  readonly users: number;
  /** Number of items. */
  readonly items: number;
  /** Number of interactions. */
  readonly interactions: number;
  /** interactions / (users × items). */
  readonly density: number;
  /** Explicit ratings: the scale and the mean; null for implicit feedback. */
  readonly ratings:
    | { readonly scale: { min: number; max: number } | null; readonly mean: number }
    | null;
  /** First and last timestamp (ISO 8601), or null without timestamps. */
  readonly timestamps: { readonly first: string; readonly last: string } | null;
  /** Interactions per user: min, median, max. */
  readonly perUser: CountStats;
  /** Interactions per item: min, median, max. */
  readonly perItem: CountStats;
  /** Feature columns of each table with their kinds. */
  readonly columns: { readonly users: ColumnSummary[]; readonly items: ColumnSummary[] };
  /** What the loader tolerated. */
  readonly warnings: { readonly code: string; readonly count: number; readonly message: string }[];
}

/**
 * Min, median and max of a count.
 *
 * @example
 * ```ts
 * import type { CountStats } from "./data.ts";
 * const c: CountStats = { min: 1, median: 27, max: 583 };
 * console.log(c.median); // 27
 * ```
 */
export interface CountStats {
  /** Smallest. */
  readonly min: number;
  /** Median (mean of the two middle values for an even count). */
  readonly median: number;
  /** Largest. */
  readonly max: number;
}

/**
 * A feature column: name, kind, missing values, and distinct values or range.
 *
 * @example
 * ```ts
 * import type { ColumnSummary } from "./data.ts";
 * const c: ColumnSummary = { name: "gender", kind: "categorical", missing: 0, distinct: 2 };
 * console.log(c.kind); // "categorical"
 * ```
 */
export interface ColumnSummary {
  /** Column name. */
  readonly name: string;
  /** text, categorical, multiCategorical or numeric. */
  readonly kind: FeatureColumn["kind"];
  /** Entities without a value. */
  readonly missing: number;
  /** Distinct values (categorical kinds). */
  readonly distinct?: number;
  /** Smallest value (numeric). */
  readonly min?: number;
  /** Largest value (numeric). */
  readonly max?: number;
}

/**
 * Computes the summary `hwer data info` prints.
 *
 * @param dataset the dataset
 * @param layout which loader read it
 * @returns the summary
 * @example
 * ```ts
 * import { datasetFromTriples } from "../../data/dataset.ts";
 * import { summarizeDataset } from "./data.ts";
 * const s = summarizeDataset(datasetFromTriples("toy", [["a", "x", 4], ["b", "x", 2]]), "generic");
 * console.log(s.users, s.items, s.ratings?.mean); // 2 1 3
 * ```
 */
export function summarizeDataset(dataset: Dataset, layout: string): DatasetSummary {
  const x = dataset.interactions;
  const users = dataset.users.ids.length;
  const items = dataset.items.ids.length;
  let ratings: DatasetSummary["ratings"] = null;
  if (x.rating) {
    let sum = 0;
    for (let k = 0; k < x.length; k++) sum += x.rating[k];
    ratings = { scale: dataset.ratingScale ?? null, mean: x.length ? sum / x.length : NaN };
  }
  let timestamps: DatasetSummary["timestamps"] = null;
  if (x.timestamp && x.length > 0) {
    let first = Infinity, last = -Infinity;
    for (let k = 0; k < x.length; k++) {
      first = Math.min(first, x.timestamp[k]);
      last = Math.max(last, x.timestamp[k]);
    }
    timestamps = { first: isoDate(first), last: isoDate(last) };
  }
  return {
    name: dataset.name,
    layout,
    users,
    items,
    interactions: x.length,
    density: users && items ? x.length / (users * items) : 0,
    ratings,
    timestamps,
    perUser: countStats(countBy(x.user.subarray(0, x.length), users)),
    perItem: countStats(countBy(x.item.subarray(0, x.length), items)),
    columns: {
      users: dataset.users.columns.map(summarizeColumn),
      items: dataset.items.columns.map(summarizeColumn),
    },
    warnings: dataset.warnings.map(({ code, count, message }) => ({ code, count, message })),
  };
}

/**
 * Formats a summary for people.
 *
 * @param s the summary
 * @returns aligned lines
 * @example
 * ```ts
 * import { datasetFromTriples } from "../../data/dataset.ts";
 * import { formatSummary, summarizeDataset } from "./data.ts";
 * const text = formatSummary(summarizeDataset(datasetFromTriples("toy", [["a", "x"]]), "generic"));
 * console.log(text.split("\n")[0]); // "toy (generic)"
 * ```
 */
export function formatSummary(s: DatasetSummary): string {
  const n = (v: number) => v.toLocaleString("en-US");
  const stats = (c: CountStats) => `min ${n(c.min)}, median ${n(c.median)}, max ${n(c.max)}`;
  const columns = (list: ColumnSummary[]) =>
    list.length === 0 ? "none" : list.map((c) => {
      const detail = c.distinct !== undefined
        ? `${c.distinct} values`
        : c.min !== undefined
        ? `${c.min}–${c.max}`
        : "";
      const parts = [c.kind, detail, c.missing ? `${n(c.missing)} missing` : ""].filter(Boolean);
      return `${c.name} (${parts.join(", ")})`;
    }).join("; ");
  const rows: [string, string][] = [
    ["users", n(s.users)],
    ["items", n(s.items)],
    ["interactions", `${n(s.interactions)} (density ${(100 * s.density).toFixed(2)}%)`],
    [
      "ratings",
      s.ratings
        ? `explicit, scale ${
          s.ratings.scale ? `${s.ratings.scale.min}–${s.ratings.scale.max}` : "unknown"
        }, mean ${s.ratings.mean.toFixed(3)}`
        : "implicit (no ratings)",
    ],
    ["timestamps", s.timestamps ? `${s.timestamps.first} … ${s.timestamps.last}` : "none"],
    ["per user", stats(s.perUser)],
    ["per item", stats(s.perItem)],
    ["user columns", columns(s.columns.users)],
    ["item columns", columns(s.columns.items)],
    [
      "warnings",
      s.warnings.length === 0 ? "none" : s.warnings.map((w) => `${w.code} ×${w.count}`).join(", "),
    ],
  ];
  const lines = [`${s.name} (${s.layout})`, ...rows.map(([k, v]) => `  ${k.padEnd(13)} ${v}`)];
  for (const w of s.warnings) lines.push(`  ! ${w.message}`);
  return lines.join("\n");
}

/**
 * Builds `hwer data` with its `fetch` and `info` subcommands.
 *
 * @param context output and global options
 * @returns the command
 * @example
 * ```ts
 * import { CliContext, processIo } from "../context.ts";
 * import { dataCommand } from "./data.ts";
 * console.log(dataCommand(new CliContext(processIo())).commands.map((c) => c.name())); // ["fetch", "info"]
 * ```
 */
export function dataCommand(context: CliContext): CommandUnknownOpts {
  const data = new Command("data").description("download datasets and describe them");

  data.command("fetch")
    .description("download a MovieLens dataset into the cache (or check a local copy)")
    .addArgument(new Argument("<dataset>", "dataset name").choices(KNOWN_DATASETS))
    .option(
      "--dir <folder>",
      "use this local folder (same layout as the zip) instead of downloading",
    )
    .option("--cache <dir>", "cache folder (default $HWER_CACHE or the user cache folder)")
    .option("--force", "download again even when the cache is complete")
    .addHelpText(
      "after",
      `
Examples:
  $ hwer data fetch ml-100k
  $ hwer data fetch ml-latest-small --cache ./.cache
  $ hwer data fetch ml-100k --dir ../shared/data/ml-100k --json`,
    )
    .action(async (name, options) => {
      const progress = context.progress();
      const draw = fetchProgressCallback(progress);
      let source: "download" | "cache" | "local" = "download";
      let sha256: string | undefined;
      const onProgress = (p: FetchProgress) => {
        if (p.phase === "cached") source = "cache";
        if (p.phase === "local") source = "local";
        if (p.sha256) sha256 = p.sha256;
        draw(p);
      };
      let dir: string;
      try {
        dir = await fetchDataset(name as KnownDatasetName, {
          localDir: options.dir,
          cacheDir: options.cache,
          force: options.force,
          onProgress,
        });
      } finally {
        progress.stop();
      }
      if (context.globals.json) {
        context.printJson({ dataset: name, dir, source, ...(sha256 ? { sha256 } : {}) });
      } else {
        context.print(dir);
        context.note(
          source === "download"
            ? `${name}: downloaded and verified${sha256 ? ` (sha256 ${sha256})` : ""}`
            : `${name}: ${source === "cache" ? "already in the cache" : "local folder checked"}`,
        );
      }
    });

  data.command("info")
    .description("count users, items and interactions; list columns, rating scale and warnings")
    .argument(
      "<dataset>",
      `${KNOWN_DATASETS.join(" | ")}, a dataset folder, or an interactions file`,
    )
    .option("--cache <dir>", "cache folder for named datasets")
    .addHelpText(
      "after",
      `
A folder with u.data is read as ML-100K, one with movies.csv and ratings.csv as
ml-latest-small, anything else as the generic format (interactions.csv or
ratings.csv, optional items.csv, users.csv, schema.json).

Examples:
  $ hwer data info ml-100k
  $ hwer data info ./shop-data --json`,
    )
    .action(async (spec, options) => {
      const progress = context.progress();
      let opened;
      try {
        opened = await openDataset(spec, { cacheDir: options.cache, progress });
      } finally {
        progress.stop();
      }
      const summary = summarizeDataset(opened.dataset, opened.layout);
      if (context.globals.json) context.printJson(summary);
      else context.print(formatSummary(summary));
    });

  return data;
}

function summarizeColumn(column: FeatureColumn): ColumnSummary {
  const base = { name: column.name, kind: column.kind };
  switch (column.kind) {
    case "text":
      return { ...base, missing: column.values.filter((v) => v === "").length };
    case "categorical":
      return {
        ...base,
        missing: column.codes.filter((c) => c < 0).length,
        distinct: column.vocab.length,
      };
    case "multiCategorical":
      return {
        ...base,
        missing: column.values.filter((v) => v.length === 0).length,
        distinct: column.vocab.length,
      };
    case "numeric": {
      let missing = 0, min = Infinity, max = -Infinity;
      for (const v of column.values) {
        if (Number.isNaN(v)) missing++;
        else {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
      return missing === column.values.length
        ? { ...base, missing }
        : { ...base, missing, min, max };
    }
  }
}

function countStats(counts: ArrayLike<number>): CountStats {
  if (counts.length === 0) return { min: 0, median: 0, max: 0 };
  const sorted = Float64Array.from(counts).sort();
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

function isoDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}
