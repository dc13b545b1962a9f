/**
 * Seeded, deterministic train/test splits. Every split keeps the dataset's
 * user and item tables (same dense ids), and keeps interactions in their
 * original order inside train and test.
 *
 * @module
 */
import { Rng } from "../util/random.ts";
import { groupBy, selectInteractions, withInteractions } from "./dataset.ts";
import type { Dataset, Split, SplitKind } from "./types.ts";

/** Seed used when a split is given none. */
export const DEFAULT_SPLIT_SEED = 42;

/**
 * Options of {@linkcode randomSplit}.
 *
 * @example
 * ```ts
 * import type { RandomSplitOptions } from "./splits.ts";
 * const o: RandomSplitOptions = { testFraction: 0.1, seed: 7 };
 * console.log(o.seed); // 7
 * ```
 */
export interface RandomSplitOptions {
  /** Share of interactions held out (default 0.2). */
  readonly testFraction?: number;
  /** Seed (default 42). */
  readonly seed?: number;
}

/**
 * Holds out a uniformly random `round(testFraction · n)` interactions.
 *
 * @param dataset the dataset to split
 * @param options fraction and seed
 * @returns the split, kind "random"
 * @example
 * ```ts
 * import { datasetFromTriples } from "./dataset.ts";
 * import { randomSplit } from "./splits.ts";
 * const ds = datasetFromTriples("toy", Array.from({ length: 10 }, (_, i) => ["u", `i${i}`, 1] as const));
 * console.log(randomSplit(ds, { testFraction: 0.3 }).test.interactions.length); // 3
 * ```
 */
export function randomSplit(dataset: Dataset, options: RandomSplitOptions = {}): Split {
  const fraction = checkFraction(options.testFraction ?? 0.2, "testFraction");
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const n = dataset.interactions.length;
  const order = new Rng(seed).shuffle(Int32Array.from({ length: n }, (_, k) => k));
  const isTest = new Uint8Array(n);
  const nTest = Math.round(fraction * n);
  for (let k = 0; k < nTest; k++) isTest[order[k]] = 1;
  return fromMask(dataset, isTest, "random", `random-${fraction}-seed${seed}`);
}

/**
 * Options of {@linkcode stratifiedSplit}.
 *
 * @example
 * ```ts
 * import type { StratifiedSplitOptions } from "./splits.ts";
 * const o: StratifiedSplitOptions = { trainRatio: 0.75, seed: 42 };
 * console.log(o.trainRatio); // 0.75
 * ```
 */
export interface StratifiedSplitOptions {
  /** Share of each user's interactions kept for training (default 0.75). */
  readonly trainRatio?: number;
  /** Seed (default 42). */
  readonly seed?: number;
  /** Split per "user" (default) or per "item". */
  readonly by?: "user" | "item";
}

/**
 * Per-user stratified split as Microsoft Recommenders' `python_stratified_split`:
 * each user's interactions are shuffled and the first `round(trainRatio · n_u)`
 * (Python rounding, half to even) go to train, the rest to test, so every
 * user appears on both sides in the same proportion.
 *
 * @param dataset the dataset to split
 * @param options ratio, seed and grouping
 * @returns the split, kind "stratified"
 * @example
 * ```ts
 * import { datasetFromTriples } from "./dataset.ts";
 * import { stratifiedSplit } from "./splits.ts";
 * const rows = Array.from({ length: 8 }, (_, i) => [`u${i % 2}`, `i${i}`, 1] as const);
 * const split = stratifiedSplit(datasetFromTriples("toy", rows));
 * console.log(split.train.interactions.length, split.test.interactions.length); // 6 2
 * ```
 */
export function stratifiedSplit(dataset: Dataset, options: StratifiedSplitOptions = {}): Split {
  const ratio = checkFraction(options.trainRatio ?? 0.75, "trainRatio");
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const by = options.by ?? "user";
  const x = dataset.interactions;
  const keys = by === "user" ? x.user : x.item;
  const size = by === "user" ? dataset.users.ids.length : dataset.items.ids.length;
  const { offsets, positions } = groupBy(keys, size);
  const rng = new Rng(seed);
  const isTest = new Uint8Array(x.length);
  for (let e = 0; e < size; e++) {
    const group = positions.subarray(offsets[e], offsets[e + 1]);
    if (group.length === 0) continue;
    rng.shuffle(group);
    const nTrain = roundHalfEven(ratio * group.length);
    for (let k = nTrain; k < group.length; k++) isTest[group[k]] = 1;
  }
  return fromMask(dataset, isTest, "stratified", `stratified-${by}-${ratio}-seed${seed}`);
}

/**
 * Options of {@linkcode coldItemSplit} and {@linkcode coldUserSplit}.
 *
 * @example
 * ```ts
 * import type { ColdSplitOptions } from "./splits.ts";
 * const o: ColdSplitOptions = { fraction: 0.1 };
 * console.log(o.fraction); // 0.1
 * ```
 */
export interface ColdSplitOptions {
  /** Share of the entities (those with interactions) held out (default 0.2). */
  readonly fraction?: number;
  /** Seed (default 42). */
  readonly seed?: number;
}

/**
 * Holds out `round(fraction · m)` of the m items that have interactions,
 * with all their interactions: test items never occur in train.
 *
 * @param dataset the dataset to split
 * @param options fraction and seed
 * @returns the split, kind "cold-item"
 * @example
 * ```ts
 * import { datasetFromTriples } from "./dataset.ts";
 * import { coldItemSplit } from "./splits.ts";
 * const ds = datasetFromTriples("toy", [["a", "x"], ["b", "x"], ["a", "y"], ["b", "z"]]);
 * const split = coldItemSplit(ds, { fraction: 1 / 3 });
 * const trainItems = new Set(split.train.interactions.item);
 * console.log(split.test.interactions.item.every((i) => !trainItems.has(i))); // true
 * ```
 */
export function coldItemSplit(dataset: Dataset, options: ColdSplitOptions = {}): Split {
  return coldSplit(dataset, options, "item");
}

/**
 * Holds out `round(fraction · m)` of the m users that have interactions,
 * with all their interactions: test users never occur in train.
 *
 * @param dataset the dataset to split
 * @param options fraction and seed
 * @returns the split, kind "cold-user"
 * @example
 * ```ts
 * import { datasetFromTriples } from "./dataset.ts";
 * import { coldUserSplit } from "./splits.ts";
 * const ds = datasetFromTriples("toy", [["a", "x"], ["b", "x"], ["c", "y"], ["d", "z"]]);
 * console.log(coldUserSplit(ds, { fraction: 0.5 }).test.interactions.length); // 2
 * ```
 */
export function coldUserSplit(dataset: Dataset, options: ColdSplitOptions = {}): Split {
  return coldSplit(dataset, options, "user");
}

function coldSplit(dataset: Dataset, options: ColdSplitOptions, by: "user" | "item"): Split {
  const fraction = checkFraction(options.fraction ?? 0.2, "fraction");
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const x = dataset.interactions;
  const keys = by === "user" ? x.user : x.item;
  const size = by === "user" ? dataset.users.ids.length : dataset.items.ids.length;
  const seen = new Uint8Array(size);
  for (let k = 0; k < x.length; k++) seen[keys[k]] = 1;
  const active: number[] = [];
  for (let e = 0; e < size; e++) if (seen[e]) active.push(e);
  new Rng(seed).shuffle(active);
  const held = new Uint8Array(size);
  const nHeld = Math.round(fraction * active.length);
  for (let k = 0; k < nHeld; k++) held[active[k]] = 1;
  const isTest = new Uint8Array(x.length);
  for (let k = 0; k < x.length; k++) isTest[k] = held[keys[k]];
  const kind: SplitKind = by === "user" ? "cold-user" : "cold-item";
  return fromMask(dataset, isTest, kind, `${kind}-${fraction}-seed${seed}`);
}

/**
 * Options of {@linkcode leaveLastOutSplit}.
 *
 * @example
 * ```ts
 * import type { LeaveLastOutOptions } from "./splits.ts";
 * const o: LeaveLastOutOptions = { count: 1 };
 * console.log(o.count); // 1
 * ```
 */
export interface LeaveLastOutOptions {
  /** How many latest interactions per user go to test (default 1). */
  readonly count?: number;
  /** Users with at most this many interactions stay wholly in train (default `count`). */
  readonly minTrain?: number;
}

/**
 * Holds out each user's latest `count` interactions by timestamp (ties: the
 * later line is later). Users with no more than `count` interactions stay in
 * train. Deterministic; needs timestamps.
 *
 * @param dataset the dataset to split (must have timestamps)
 * @param options how many to hold out
 * @returns the split, kind "leave-last-out"
 * @throws {Error} when the dataset has no timestamps
 * @example
 * ```ts
 * import { datasetFromTriples } from "./dataset.ts";
 * import { leaveLastOutSplit } from "./splits.ts";
 * const ds = datasetFromTriples("toy", [["a", "x", 1, 30], ["a", "y", 1, 10], ["a", "z", 1, 20]]);
 * const split = leaveLastOutSplit(ds);
 * console.log(split.test.items.ids[split.test.interactions.item[0]]); // "x"
 * ```
 */
export function leaveLastOutSplit(dataset: Dataset, options: LeaveLastOutOptions = {}): Split {
  const count = options.count ?? 1;
  const minTrain = options.minTrain ?? count;
  const x = dataset.interactions;
  const ts = x.timestamp;
  if (!ts) throw new Error(`leaveLastOutSplit: dataset ${dataset.name} has no timestamps`);
  const { offsets, positions } = groupBy(x.user, dataset.users.ids.length);
  const isTest = new Uint8Array(x.length);
  for (let u = 0; u < dataset.users.ids.length; u++) {
    const group = Array.from(positions.subarray(offsets[u], offsets[u + 1]));
    if (group.length <= minTrain) continue;
    group.sort((a, b) => ts[b] - ts[a] || b - a);
    for (let k = 0; k < Math.min(count, group.length); k++) isTest[group[k]] = 1;
  }
  return fromMask(dataset, isTest, "leave-last-out", `leave-last-${count}-out`);
}

/**
 * Options of {@linkcode kFoldSplits}.
 *
 * @example
 * ```ts
 * import type { KFoldOptions } from "./splits.ts";
 * const o: KFoldOptions = { folds: 5, seed: 1 };
 * console.log(o.folds); // 5
 * ```
 */
export interface KFoldOptions {
  /** Number of folds (default 5). */
  readonly folds?: number;
  /** Seed (default 42). */
  readonly seed?: number;
}

/**
 * K-fold cross-validation as Surprise's `KFold`: interactions are shuffled
 * once and cut into `folds` contiguous parts; fold f tests on part f.
 *
 * @param dataset the dataset to split
 * @param options number of folds and seed
 * @returns one split per fold, kind "random"
 * @example
 * ```ts
 * import { datasetFromTriples } from "./dataset.ts";
 * import { kFoldSplits } from "./splits.ts";
 * const ds = datasetFromTriples("toy", Array.from({ length: 10 }, (_, i) => ["u", `i${i}`, 1] as const));
 * console.log(kFoldSplits(ds, { folds: 5 }).map((s) => s.test.interactions.length)); // [2, 2, 2, 2, 2]
 * ```
 */
export function kFoldSplits(dataset: Dataset, options: KFoldOptions = {}): Split[] {
  const folds = options.folds ?? 5;
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  if (!Number.isInteger(folds) || folds < 2) {
    throw new RangeError(`folds must be an integer ≥ 2, got ${folds}`);
  }
  const n = dataset.interactions.length;
  const order = new Rng(seed).shuffle(Int32Array.from({ length: n }, (_, k) => k));
  const splits: Split[] = [];
  for (let f = 0; f < folds; f++) {
    // Same fold sizes as Surprise/scikit-learn: the first n % folds folds get one extra.
    const start = f * Math.floor(n / folds) + Math.min(f, n % folds);
    const stop = start + Math.floor(n / folds) + (f < n % folds ? 1 : 0);
    const isTest = new Uint8Array(n);
    for (let k = start; k < stop; k++) isTest[order[k]] = 1;
    splits.push(fromMask(dataset, isTest, "random", `fold${f + 1}of${folds}-seed${seed}`));
  }
  return splits;
}

/**
 * Carves a validation set out of a split's train set for tuning; the test set
 * is untouched. `carve` splits the train set, e.g. with a stratified split.
 *
 * @param split the split whose train set to carve
 * @param carve makes a split of the train set; its test part becomes validation
 * @returns the split with a smaller train set and a validation set
 * @example
 * ```ts
 * import { datasetFromTriples } from "./dataset.ts";
 * import { randomSplit, withValidation } from "./splits.ts";
 * const ds = datasetFromTriples("toy", Array.from({ length: 20 }, (_, i) => ["u", `i${i}`, 1] as const));
 * const split = withValidation(randomSplit(ds), (train) => randomSplit(train, { testFraction: 0.25 }));
 * console.log(split.train.interactions.length, split.validation?.interactions.length); // 12 4
 * ```
 */
export function withValidation(split: Split, carve: (train: Dataset) => Split): Split {
  const inner = carve(split.train);
  return {
    name: `${split.name}+validation(${inner.kind})`,
    kind: split.kind,
    train: inner.train,
    test: split.test,
    validation: inner.test,
  };
}

function fromMask(dataset: Dataset, isTest: Uint8Array, kind: SplitKind, tag: string): Split {
  const train: number[] = [];
  const test: number[] = [];
  for (let k = 0; k < isTest.length; k++) (isTest[k] ? test : train).push(k);
  const name = `${dataset.name}/${tag}`;
  const x = dataset.interactions;
  return {
    name,
    kind,
    train: withInteractions(dataset, selectInteractions(x, train), `${name}/train`),
    test: withInteractions(dataset, selectInteractions(x, test), `${name}/test`),
  };
}

function checkFraction(value: number, what: string): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${what} must be in [0, 1], got ${value}`);
  return value;
}

/** Rounds half to even, as Python's round() does. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
