/**
 * Reference baselines: the global mean, Surprise's BaselineOnly (user and
 * item biases by ALS) and item popularity.
 *
 * @module
 */
import { Rng } from "../util/random.ts";
import { countBy, groupBy } from "../data/dataset.ts";
import type { Dataset, RatingScale } from "../data/types.ts";
import type { Recommender } from "../eval/recommender.ts";
import { clip, notFitted, requireRatings } from "./_common.ts";

/**
 * Predicts the mean train rating for every pair: r̂ = μ. Ranks all items
 * equally (ties go to the lower item index).
 *
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { GlobalMean } from "./baselines.ts";
 * const model = new GlobalMean();
 * model.fit(datasetFromTriples("toy", [["a", "x", 2], ["b", "x", 4]]));
 * console.log(model.predict(0, 0)); // 3
 * ```
 */
export class GlobalMean implements Recommender {
  /** Report name. */
  readonly name = "GlobalMean";
  #mean = NaN;

  /**
   * Computes μ, the mean of the train ratings.
   *
   * @param train the train dataset (explicit ratings)
   */
  fit(train: Dataset): void {
    this.#mean = requireRatings(train, this.name).mean;
  }

  /**
   * The global mean.
   *
   * @param _user ignored
   * @param _item ignored
   * @returns μ
   */
  predict(_user: number, _item: number): number {
    if (Number.isNaN(this.#mean)) notFitted(this.name);
    return this.#mean;
  }

  /**
   * Fills every score with μ.
   *
   * @param _user ignored
   * @param out one score per item
   */
  scoreItems(_user: number, out: Float32Array): void {
    out.fill(this.predict(0, 0));
  }
}

/**
 * Options of {@linkcode BaselineOnly}; defaults are Surprise's ALS defaults.
 *
 * @example
 * ```ts
 * import type { BaselineOnlyOptions } from "./baselines.ts";
 * const o: BaselineOnlyOptions = { epochs: 10, regUser: 15, regItem: 10 };
 * console.log(o.epochs); // 10
 * ```
 */
export interface BaselineOnlyOptions {
  /** ALS sweeps (default 10). */
  readonly epochs?: number;
  /** λ for user biases (default 15). */
  readonly regUser?: number;
  /** λ for item biases (default 10). */
  readonly regItem?: number;
  /** Clip predictions to the train rating scale (default true, as Surprise). */
  readonly clip?: boolean;
}

/**
 * Surprise's BaselineOnly with ALS: r̂ = μ + b_u + b_i, where each sweep sets
 * b_i = Σ_{u∈U_i}(r_ui − μ − b_u) / (λ_i + |U_i|), then
 * b_u = Σ_{i∈I_u}(r_ui − μ − b_i) / (λ_u + |I_u|). Unknown users or items
 * (no train ratings) get a zero bias. Predictions clipped to the scale.
 *
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { BaselineOnly } from "./baselines.ts";
 * const ds = datasetFromTriples("toy", [["a", "x", 5], ["a", "y", 1], ["b", "x", 5]], { min: 1, max: 5 });
 * const model = new BaselineOnly();
 * model.fit(ds);
 * console.log(model.predict(1, 0) > model.predict(1, 1)); // true
 * ```
 */
export class BaselineOnly implements Recommender {
  /** Report name. */
  readonly name = "BaselineOnly";
  readonly #epochs: number;
  readonly #regUser: number;
  readonly #regItem: number;
  readonly #clip: boolean;
  #mean = NaN;
  #scale: RatingScale | undefined;
  /** User biases b_u after fit. */
  userBias: Float64Array = new Float64Array(0);
  /** Item biases b_i after fit. */
  itemBias: Float64Array = new Float64Array(0);

  /**
   * The global mean rating μ after fit (NaN before).
   *
   * @example
   * ```ts ignore
   * console.log(model.globalMean); // 3.53 on ML-100k
   * ```
   */
  get globalMean(): number {
    return this.#mean;
  }

  /**
   * Creates an untrained model.
   *
   * @param options sweeps and regularisation (Surprise defaults)
   */
  constructor(options: BaselineOnlyOptions = {}) {
    this.#epochs = options.epochs ?? 10;
    this.#regUser = options.regUser ?? 15;
    this.#regItem = options.regItem ?? 10;
    this.#clip = options.clip ?? true;
  }

  /**
   * Fits the biases by alternating least squares.
   *
   * @param train the train dataset (explicit ratings)
   */
  fit(train: Dataset): void {
    const { ratings, mean, scale } = requireRatings(train, this.name);
    this.#mean = mean;
    this.#scale = this.#clip ? scale : undefined;
    const x = train.interactions;
    const nUsers = train.users.ids.length;
    const nItems = train.items.ids.length;
    const byUser = groupBy(x.user, nUsers);
    const byItem = groupBy(x.item, nItems);
    const bu = new Float64Array(nUsers);
    const bi = new Float64Array(nItems);
    for (let epoch = 0; epoch < this.#epochs; epoch++) {
      for (let i = 0; i < nItems; i++) {
        let dev = 0;
        const start = byItem.offsets[i];
        const stop = byItem.offsets[i + 1];
        for (let p = start; p < stop; p++) {
          const k = byItem.positions[p];
          dev += ratings[k] - mean - bu[x.user[k]];
        }
        bi[i] = dev / (this.#regItem + (stop - start));
      }
      for (let u = 0; u < nUsers; u++) {
        let dev = 0;
        const start = byUser.offsets[u];
        const stop = byUser.offsets[u + 1];
        for (let p = start; p < stop; p++) {
          const k = byUser.positions[p];
          dev += ratings[k] - mean - bi[x.item[k]];
        }
        bu[u] = dev / (this.#regUser + (stop - start));
      }
    }
    this.userBias = bu;
    this.itemBias = bi;
  }

  /**
   * μ + b_u + b_i, clipped.
   *
   * @param user dense user index
   * @param item dense item index
   * @returns the estimate
   */
  predict(user: number, item: number): number {
    if (Number.isNaN(this.#mean)) notFitted(this.name);
    return clip(this.#mean + (this.userBias[user] ?? 0) + (this.itemBias[item] ?? 0), this.#scale);
  }

  /**
   * Scores every item by μ + b_u + b_i (unclipped, so ties stay rare).
   *
   * @param user dense user index
   * @param out one score per item
   */
  scoreItems(user: number, out: Float32Array): void {
    if (Number.isNaN(this.#mean)) notFitted(this.name);
    const base = this.#mean + (this.userBias[user] ?? 0);
    for (let i = 0; i < out.length; i++) out[i] = base + this.itemBias[i];
  }
}

/**
 * Options of {@linkcode Popularity}.
 *
 * @example
 * ```ts
 * import type { PopularityOptions } from "./baselines.ts";
 * const o: PopularityOptions = { minRating: 4 };
 * console.log(o.minRating); // 4
 * ```
 */
export interface PopularityOptions {
  /** Count only interactions rated at least this (default: count all). */
  readonly minRating?: number;
}

/**
 * Recommends the most interacted-with items: score(u, i) = |{train
 * interactions on i}|, the same for every user (ties to the lower item index).
 *
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { Popularity } from "./baselines.ts";
 * const model = new Popularity();
 * model.fit(datasetFromTriples("toy", [["a", "x"], ["b", "y"], ["c", "y"]]));
 * const scores = new Float32Array(2);
 * model.scoreItems(0, scores);
 * console.log(Array.from(scores)); // [1, 2]
 * ```
 */
export class Popularity implements Recommender {
  /** Report name. */
  readonly name = "Popularity";
  readonly #minRating: number | undefined;
  /** Train interaction count per item after fit. */
  counts: Float32Array | undefined;

  /**
   * Creates an untrained model.
   *
   * @param options an optional rating threshold
   */
  constructor(options: PopularityOptions = {}) {
    this.#minRating = options.minRating;
  }

  /**
   * Counts train interactions per item.
   *
   * @param train the train dataset
   */
  fit(train: Dataset): void {
    const x = train.interactions;
    const nItems = train.items.ids.length;
    if (this.#minRating === undefined || !x.rating) {
      this.counts = Float32Array.from(countBy(x.item, nItems));
      return;
    }
    const counts = new Float32Array(nItems);
    for (let k = 0; k < x.length; k++) if (x.rating[k] >= this.#minRating) counts[x.item[k]]++;
    this.counts = counts;
  }

  /**
   * Copies the item counts into `out`.
   *
   * @param _user ignored: popularity is the same for everyone
   * @param out one score per item
   */
  scoreItems(_user: number, out: Float32Array): void {
    if (!this.counts) notFitted(this.name);
    out.set(this.counts.subarray(0, out.length));
  }
}

/**
 * Options of {@linkcode RandomRecommender}.
 *
 * @example
 * ```ts
 * import type { RandomRecommenderOptions } from "./baselines.ts";
 * const options: RandomRecommenderOptions = { seed: 7 };
 * console.log(options.seed); // 7
 * ```
 */
export interface RandomRecommenderOptions {
  /** Seed of the scores (default 42). */
  readonly seed?: number;
}

/**
 * Scores items uniformly at random: the floor every ranking model must beat.
 * A user's scores depend only on the seed and the user, so they are the same
 * on every call.
 *
 * @example
 * ```ts
 * import { RandomRecommender } from "./baselines.ts";
 * const model = new RandomRecommender({ seed: 1 });
 * const a = new Float32Array(3), b = new Float32Array(3);
 * model.scoreItems(0, a);
 * model.scoreItems(0, b);
 * console.log(a.every((v, i) => v === b[i])); // true
 * ```
 */
export class RandomRecommender implements Recommender {
  /** Report name. */
  readonly name = "Random";
  readonly #seed: number;

  /**
   * Creates the model.
   *
   * @param options the seed
   */
  constructor(options: RandomRecommenderOptions = {}) {
    this.#seed = options.seed ?? 42;
  }

  /** Nothing to learn. */
  fit(): void {}

  /**
   * Fills `out` with uniform random scores.
   *
   * @param user dense user index
   * @param out one score per item
   */
  scoreItems(user: number, out: Float32Array): void {
    const rng = new Rng(this.#seed * 1_000_003 + user);
    for (let i = 0; i < out.length; i++) out[i] = rng.next();
  }
}
