/**
 * The experiment runner: fit a model on a split's train set, score it on the
 * test set with the chosen metrics, optionally by interaction-count bucket,
 * and print the result as a markdown table or JSON.
 *
 * @module
 */
import { countBy, groupBy } from "../data/dataset.ts";
import type { Split } from "../data/types.ts";
import { Rng } from "../util/random.ts";
import {
  averagePrecisionAtK,
  bucketLabel,
  bucketOf,
  catalogCoverage,
  DEFAULT_BUCKETS,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  sampledHit,
  userAuc,
} from "./metrics.ts";
import { topK, trainItemsOf } from "./ranking.ts";
import type { Recommender } from "./recommender.ts";

/**
 * Metrics {@linkcode evaluate} can compute. Rating metrics need `predict`;
 * the others need `scoreItems`.
 * - "rmse", "mae": over test interactions with ratings.
 * - "precision", "recall", "ndcg", "map": top-k from items outside the user's
 *   train set, every test item relevant, mean over test users.
 * - "hitRate": NCF protocol, each test interaction against `negatives` sampled items.
 * - "auc": LightFM per-user AUC, mean over test users.
 * - "coverage": catalogue coverage of the top-k lists.
 *
 * @example
 * ```ts
 * import type { MetricName } from "./runner.ts";
 * const m: MetricName[] = ["rmse", "ndcg"];
 * console.log(m.length); // 2
 * ```
 */
export type MetricName =
  | "rmse"
  | "mae"
  | "precision"
  | "recall"
  | "ndcg"
  | "map"
  | "hitRate"
  | "auc"
  | "coverage";

/** Every metric, in report order. */
export const ALL_METRICS: readonly MetricName[] = [
  "rmse",
  "mae",
  "precision",
  "recall",
  "ndcg",
  "map",
  "hitRate",
  "auc",
  "coverage",
];

/** Metrics reported with their cut-off, e.g. "precision@10". */
const K_METRICS: readonly MetricName[] = [
  "precision",
  "recall",
  "ndcg",
  "map",
  "hitRate",
  "coverage",
];
/** Metrics computed from the top-k list. */
const LIST_METRICS: readonly MetricName[] = ["precision", "recall", "ndcg", "map", "coverage"];
const LIST_METRIC_FUNCTIONS: Record<
  string,
  (list: Int32Array, relevant: ReadonlySet<number>, k: number) => number
> = {
  precision: precisionAtK,
  recall: recallAtK,
  ndcg: ndcgAtK,
  map: averagePrecisionAtK,
};

/**
 * Options of {@linkcode evaluate}.
 *
 * @example
 * ```ts
 * import type { EvaluateOptions } from "./runner.ts";
 * const o: EvaluateOptions = { metrics: ["precision", "recall"], k: 10, breakdown: "user" };
 * console.log(o.k); // 10
 * ```
 */
export interface EvaluateOptions {
  /** Metrics to compute (default: rmse+mae when the model predicts; precision, recall, ndcg, map, coverage when it ranks). */
  readonly metrics?: readonly MetricName[];
  /** Top-k cut-off (default 10). */
  readonly k?: number;
  /** Also report by train interaction count of the "user" or the "item". */
  readonly breakdown?: "user" | "item";
  /** Bucket lower bounds (default {@linkcode DEFAULT_BUCKETS}). */
  readonly buckets?: readonly number[];
  /** Sampled negatives per test interaction for "hitRate" (default 100). */
  readonly negatives?: number;
  /** Seed for negative sampling (default 42). */
  readonly seed?: number;
  /** Fit the model on `split.train` first (default true). */
  readonly fit?: boolean;
  /**
   * Which items may be ranked: `"all"` (default) or `"test-items"`, the items
   * that occur in the test set — the cold-item protocol, where held-out items
   * are ranked among the other cold items. Other items are neither
   * recommended nor counted as AUC or sampled negatives.
   */
  readonly candidates?: "all" | "test-items";
  /**
   * With an item breakdown, what each bucket's items are ranked among:
   * `"all"` candidates (default; a bucket's NDCG then also says how often its
   * items reach the top k at all) or only the candidates of the same `"bucket"`
   * (how well the model orders items with that much history against each
   * other — for bucket 0 the cold-item protocol's question).
   */
  readonly bucketCandidates?: "all" | "bucket";
}

/**
 * Metric values of one breakdown bucket.
 *
 * @example
 * ```ts
 * import type { BucketResult } from "./runner.ts";
 * const b: BucketResult = { label: "1–5", min: 1, max: 5, units: { ratings: 3 }, metrics: { rmse: 1.1 } };
 * console.log(b.label); // "1–5"
 * ```
 */
export interface BucketResult {
  /** E.g. "6–20". */
  readonly label: string;
  /** Lowest count in the bucket. */
  readonly min: number;
  /** Highest count, or null for the open last bucket. */
  readonly max: number | null;
  /** What was scored in the bucket: `ratings` (rating metrics), `users` (top-k metrics), `heldOut` (hit rate). */
  readonly units: Record<string, number>;
  /** Metric values in this bucket (NaN when it has no units). */
  readonly metrics: Record<string, number>;
}

/**
 * What {@linkcode evaluate} returns; plain data, safe for JSON.
 *
 * @example
 * ```ts
 * import type { EvaluationResult } from "./runner.ts";
 * const r: EvaluationResult = {
 *   model: "SVD", split: "ml-100k/u1", k: 10, metrics: { rmse: 0.95 },
 *   fitSeconds: 1, evaluateSeconds: 0.1, testUsers: 459, testInteractions: 20000,
 * };
 * console.log(r.metrics.rmse); // 0.95
 * ```
 */
export interface EvaluationResult {
  /** Model name. */
  readonly model: string;
  /** Split name. */
  readonly split: string;
  /** Top-k cut-off used. */
  readonly k: number;
  /** Metric name → value ("precision@10", "rmse", …). */
  readonly metrics: Record<string, number>;
  /** Standard deviation per metric when this is a mean over runs. */
  readonly std?: Record<string, number>;
  /** Number of runs averaged (absent for a single run). */
  readonly runs?: number;
  /** Wall-clock seconds spent in fit (0 when not fitted here). */
  readonly fitSeconds: number;
  /** Wall-clock seconds spent computing the metrics. */
  readonly evaluateSeconds: number;
  /** Users with at least one test interaction. */
  readonly testUsers: number;
  /** Test interactions. */
  readonly testInteractions: number;
  /** Per-bucket values when a breakdown was asked for. */
  readonly breakdown?: { readonly by: "user" | "item"; readonly buckets: BucketResult[] };
}

/**
 * Fits `model` on `split.train` (timed) and computes metrics on `split.test`.
 *
 * @param model the recommender
 * @param split train/test sharing one id space
 * @param options metrics, k, breakdown, sampling
 * @returns the result
 * @throws {Error} when a metric needs a method the model lacks, or ratings the test set lacks
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { randomSplit } from "../data/splits.ts";
 * import { GlobalMean } from "../collab/baselines.ts";
 * import { evaluate } from "./runner.ts";
 * const rows = Array.from({ length: 40 }, (_, n) => [`u${n % 4}`, `i${n % 10}`, 1 + (n % 5)] as const);
 * const result = await evaluate(new GlobalMean(), randomSplit(datasetFromTriples("toy", rows)), {
 *   metrics: ["rmse", "mae"],
 * });
 * console.log(result.metrics.rmse > 0); // true
 * ```
 */
export async function evaluate(
  model: Recommender,
  split: Split,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const k = options.k ?? 10;
  const bounds = options.buckets ?? DEFAULT_BUCKETS;
  const metrics = options.metrics ?? defaultMetrics(model);
  const { train, test } = split;
  let fitSeconds = 0;
  if (options.fit ?? true) {
    const t0 = performance.now();
    await model.fit(train);
    fitSeconds = (performance.now() - t0) / 1000;
  }
  const t0 = performance.now();
  const nUsers = train.users.ids.length;
  const nItems = train.items.ids.length;
  const userCounts = countBy(train.interactions.user, nUsers);
  const itemCounts = countBy(train.interactions.item, nItems);
  const by = options.breakdown;
  const acc = new Accumulator(by ? bounds.length : 0);
  /** The slots a value goes to: overall (-1) and, with a breakdown, its bucket. */
  const slots = (bucket: number) => (bucket >= 0 ? [-1, bucket] : [-1]);
  const userBucket = (u: number) => (by === "user" ? bucketOf(bounds, userCounts[u]) : -1);
  const itemBucket = (i: number) => (by === "item" ? bucketOf(bounds, itemCounts[i]) : -1);
  /** The bucket of a (user, item) test interaction under the chosen breakdown, or -1. */
  const pairBucket = (u: number, i: number) => (by === "user" ? userBucket(u) : itemBucket(i));
  const tx = test.interactions;
  const testByUser = groupBy(tx.user, nUsers);
  const testUsers: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    if (testByUser.offsets[u + 1] > testByUser.offsets[u]) testUsers.push(u);
  }

  const rating = metrics.filter((m) => m === "rmse" || m === "mae");
  if (rating.length > 0) {
    if (!model.predict) {
      throw new Error(
        `${model.name} cannot be scored on ${rating.join(", ")}: it has no predict()`,
      );
    }
    if (!tx.rating) {
      throw new Error(`${split.name}: the test set has no ratings for ${rating.join(", ")}`);
    }
    for (let n = 0; n < tx.length; n++) {
      const err = model.predict(tx.user[n], tx.item[n]) - tx.rating[n];
      for (const slot of slots(pairBucket(tx.user[n], tx.item[n]))) {
        acc.add("se", err * err, slot);
        acc.add("ae", Math.abs(err), slot);
      }
    }
  }

  const ranking = metrics.filter((m) => m !== "rmse" && m !== "mae");
  let coverage = NaN;
  if (ranking.length > 0) {
    if (!model.scoreItems) {
      throw new Error(
        `${model.name} cannot be scored on ${ranking.join(", ")}: it has no scoreItems()`,
      );
    }
    const trainByUser = groupBy(train.interactions.user, nUsers);
    const scores = new Float32Array(nItems);
    // 1 marks an item that is never a candidate; `mask` starts from it for every user.
    const excluded = new Uint8Array(nItems);
    if (options.candidates === "test-items") {
      excluded.fill(1);
      for (let n = 0; n < tx.length; n++) excluded[tx.item[n]] = 0;
    }
    const mask = excluded.slice();
    // Within-bucket ranking needs each item's bucket and a scratch mask.
    const withinBuckets = by === "item" && options.bucketCandidates === "bucket";
    const itemBuckets = withinBuckets
      ? Int32Array.from(itemCounts, (count) => bucketOf(bounds, count))
      : null;
    const bucketMask = new Uint8Array(withinBuckets ? nItems : 0);
    const rng = new Rng(options.seed ?? 42);
    const negatives = options.negatives ?? 100;
    const listMetrics = ranking.filter((m) => LIST_METRICS.includes(m));
    const lists = ranking.includes("coverage")
      ? new Int32Array(testUsers.length * k).fill(-1)
      : null;
    for (let n = 0; n < testUsers.length; n++) {
      const u = testUsers[n];
      model.scoreItems(u, scores);
      const seen = trainItemsOf(trainByUser, train.interactions.item, u);
      const held = trainItemsOf(testByUser, tx.item, u);
      for (const i of seen) mask[i] = 1;
      const list = listMetrics.length > 0 ? topK(scores, k, mask) : new Int32Array(0);
      lists?.set(list, n * k);
      // From here on the mask hides everything the user interacted with: what
      // AUC must not count as negatives, and what negative sampling must avoid.
      for (const i of held) mask[i] = 1;

      // Relevant sets with the slot they count in: all held-out items overall;
      // with an item breakdown also the held-out items of each item bucket.
      const relevantSets: Array<[Set<number>, number]> = [[new Set(held), -1]];
      if (by === "user") relevantSets.push([relevantSets[0][0], userBucket(u)]);
      if (by === "item") {
        const perBucket = new Map<number, Set<number>>();
        for (const i of held) {
          const b = itemBucket(i);
          if (!perBucket.has(b)) perBucket.set(b, new Set());
          perBucket.get(b)!.add(i);
        }
        for (const [b, set] of perBucket) relevantSets.push([set, b]);
      }
      for (const [relevant, slot] of relevantSets) {
        // Within-bucket ranking: items of other buckets are neither listed nor negatives.
        const within = slot >= 0 && itemBuckets !== null;
        if (within) {
          for (let i = 0; i < nItems; i++) bucketMask[i] = itemBuckets[i] === slot ? mask[i] : 1;
        }
        const slotMask = within ? bucketMask : mask;
        const slotList = within && listMetrics.length > 0
          ? topK(scores, k, bucketMask.map((m, i) => (relevant.has(i) ? 0 : m)))
          : list;
        for (const m of listMetrics) {
          if (m !== "coverage") acc.add(m, LIST_METRIC_FUNCTIONS[m](slotList, relevant, k), slot);
        }
        if (ranking.includes("auc")) {
          const auc = userAuc(scores, [...relevant], slotMask);
          if (!Number.isNaN(auc)) acc.add("auc", auc, slot);
        }
        acc.add("users", 1, slot);
      }

      if (ranking.includes("hitRate")) {
        const want = Math.min(negatives, nItems - countMarked(mask));
        for (const i of held) {
          const hit = sampledHit(scores, i, sampleNegatives(rng, mask, want), k);
          for (const slot of slots(pairBucket(u, i))) {
            acc.add("hitRate", hit, slot);
          }
        }
      }
      for (const i of seen) mask[i] = excluded[i];
      for (const i of held) mask[i] = excluded[i];
    }
    if (lists) {
      let trainItems = 0;
      for (let i = 0; i < nItems; i++) if (itemCounts[i] > 0) trainItems++;
      coverage = catalogCoverage(lists, trainItems);
    }
  }

  const summarize = (slot: number) => {
    const out: Record<string, number> = {};
    for (const m of metrics) {
      const key = K_METRICS.includes(m) ? `${m}@${k}` : m;
      if (m === "rmse") out[key] = Math.sqrt(acc.mean("se", slot));
      else if (m === "mae") out[key] = acc.mean("ae", slot);
      else if (m === "coverage") {
        if (slot === -1) out[key] = coverage;
      } else out[key] = acc.mean(m, slot);
    }
    return out;
  };
  const bucketUnits = (slot: number) => {
    const units: Record<string, number> = {};
    if (rating.length > 0) units.ratings = acc.count("se", slot);
    if (ranking.length > 0) units.users = acc.count("users", slot);
    if (ranking.includes("hitRate")) units.heldOut = acc.count("hitRate", slot);
    return units;
  };
  const result: EvaluationResult = {
    model: model.name,
    split: split.name,
    k,
    metrics: summarize(-1),
    fitSeconds,
    evaluateSeconds: (performance.now() - t0) / 1000,
    testUsers: testUsers.length,
    testInteractions: tx.length,
    ...(by
      ? {
        breakdown: {
          by,
          buckets: bounds.map((min, b) => ({
            label: bucketLabel(bounds, b),
            min,
            max: b + 1 < bounds.length ? bounds[b + 1] - 1 : null,
            units: bucketUnits(b),
            metrics: summarize(b),
          })),
        },
      }
      : {}),
  };
  return result;
}

/**
 * The mean (and standard deviation) of several results of one model, e.g.
 * over the five ML-100K folds. Fit and evaluation seconds are averaged too.
 *
 * @param results results with the same model and metric names
 * @param split name for the combined split (default: the first split's name + " (mean of n)")
 * @returns a result with `runs` and `std` set
 * @example
 * ```ts
 * import { meanResult } from "./runner.ts";
 * const base = { model: "m", split: "s", k: 10, fitSeconds: 1, evaluateSeconds: 1, testUsers: 1, testInteractions: 1 };
 * const mean = meanResult([{ ...base, metrics: { rmse: 1 } }, { ...base, metrics: { rmse: 3 } }]);
 * console.log(mean.metrics.rmse, mean.std?.rmse); // 2 1
 * ```
 */
export function meanResult(results: readonly EvaluationResult[], split?: string): EvaluationResult {
  if (results.length === 0) throw new RangeError("meanResult needs at least one result");
  const avg = (f: (r: EvaluationResult) => number) =>
    results.reduce((s, r) => s + f(r), 0) / results.length;
  const metrics: Record<string, number> = {};
  const std: Record<string, number> = {};
  for (const name of Object.keys(results[0].metrics)) {
    const m = avg((r) => r.metrics[name]);
    metrics[name] = m;
    std[name] = Math.sqrt(avg((r) => (r.metrics[name] - m) ** 2));
  }
  return {
    model: results[0].model,
    split: split ?? `${results[0].split} (mean of ${results.length})`,
    k: results[0].k,
    metrics,
    std,
    runs: results.length,
    fitSeconds: avg((r) => r.fitSeconds),
    evaluateSeconds: avg((r) => r.evaluateSeconds),
    testUsers: Math.round(avg((r) => r.testUsers)),
    testInteractions: Math.round(avg((r) => r.testInteractions)),
  };
}

/**
 * Results as a markdown table: one row per result, one column per metric
 * (± std when averaged), then fit seconds; breakdowns follow as their own tables.
 *
 * @param results one or more results
 * @param digits decimals for metric values (default 4)
 * @returns the markdown text
 * @example
 * ```ts
 * import { formatMarkdown } from "./runner.ts";
 * const r = { model: "m", split: "s", k: 10, metrics: { rmse: 0.9 }, fitSeconds: 1, evaluateSeconds: 0, testUsers: 1, testInteractions: 1 };
 * console.log(formatMarkdown([r]).split("\n")[0]); // "| model | split | rmse | fit s |"
 * ```
 */
export function formatMarkdown(results: readonly EvaluationResult[], digits = 4): string {
  const names = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))];
  const cell = (r: EvaluationResult, name: string) => {
    const v = r.metrics[name];
    if (v === undefined) return "";
    const s = r.std?.[name];
    return s === undefined ? fixed(v, digits) : `${fixed(v, digits)} ± ${fixed(s, digits)}`;
  };
  const lines = [
    `| model | split | ${names.join(" | ")} | fit s |`,
    `|${" --- |".repeat(names.length + 3)}`,
    ...results.map((r) =>
      `| ${r.model} | ${r.split} | ${names.map((n) => cell(r, n)).join(" | ")} | ${
        r.fitSeconds.toFixed(2)
      } |`
    ),
  ];
  for (const r of results) {
    if (!r.breakdown) continue;
    const bNames = [...new Set(r.breakdown.buckets.flatMap((b) => Object.keys(b.metrics)))];
    lines.push(
      "",
      `${r.model} on ${r.split}, by ${r.breakdown.by} train interactions:`,
      "",
      `| ${r.breakdown.by} interactions | scored | ${bNames.join(" | ")} |`,
      `|${" --- |".repeat(bNames.length + 2)}`,
      ...r.breakdown.buckets.map((b) =>
        `| ${b.label} | ${Object.entries(b.units).map(([u, n]) => `${n} ${u}`).join(", ")} | ${
          bNames.map((n) => fixed(b.metrics[n], digits)).join(" | ")
        } |`
      ),
    );
  }
  return lines.join("\n");
}

/**
 * Results as pretty JSON (NaN becomes null).
 *
 * @param results one or more results
 * @returns the JSON text
 * @example
 * ```ts
 * import { formatJson } from "./runner.ts";
 * const r = { model: "m", split: "s", k: 10, metrics: { auc: NaN }, fitSeconds: 0, evaluateSeconds: 0, testUsers: 0, testInteractions: 0 };
 * console.log(JSON.parse(formatJson([r]))[0].metrics.auc); // null
 * ```
 */
export function formatJson(results: readonly EvaluationResult[]): string {
  return JSON.stringify(
    results,
    (_key, value) => (typeof value === "number" && !Number.isFinite(value) ? null : value),
    2,
  );
}

function defaultMetrics(model: Recommender): MetricName[] {
  const out: MetricName[] = [];
  if (model.predict) out.push("rmse", "mae");
  if (model.scoreItems) out.push("precision", "recall", "ndcg", "map", "coverage");
  return out;
}

function fixed(v: number | undefined, digits: number): string {
  return v === undefined || Number.isNaN(v) ? "–" : v.toFixed(digits);
}

function countMarked(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

/** `want` distinct items with a zero mask entry, by rejection sampling. */
function sampleNegatives(rng: Rng, interacted: Uint8Array, want: number): Int32Array {
  const out = new Int32Array(want);
  const picked = new Set<number>();
  let n = 0;
  while (n < want) {
    const j = rng.int(interacted.length);
    if (interacted[j] || picked.has(j)) continue;
    picked.add(j);
    out[n++] = j;
  }
  return out;
}

/** Sums and counts per metric, overall (slot -1) and per bucket. */
class Accumulator {
  #sums = new Map<string, Float64Array>();
  #counts = new Map<string, Float64Array>();
  readonly #slots: number;
  constructor(buckets: number) {
    this.#slots = buckets + 1;
  }
  add(name: string, value: number, slot: number): void {
    let sums = this.#sums.get(name);
    let counts = this.#counts.get(name);
    if (!sums || !counts) {
      this.#sums.set(name, sums = new Float64Array(this.#slots));
      this.#counts.set(name, counts = new Float64Array(this.#slots));
    }
    sums[slot + 1] += value;
    counts[slot + 1]++;
  }
  count(name: string, slot: number): number {
    return this.#counts.get(name)?.[slot + 1] ?? 0;
  }
  /** The mean of the values added; NaN when none were. */
  mean(name: string, slot: number): number {
    const n = this.count(name, slot);
    return n === 0 ? NaN : this.#sums.get(name)![slot + 1] / n;
  }
}
