/**
 * The rating model of the hybrid: biased matrix factorisation with implicit
 * feedback (SVD++), optional side vectors that act as the prior of every
 * user's and item's parameters, and an ensemble of independently seeded
 * members stored as one wider factorisation.
 *
 * @module
 */
import type { Matrix } from "../compute/backend.ts";
import { countBy, groupBy } from "../data/dataset.ts";
import type { Dataset } from "../data/types.ts";
import type { FitOptions, Recommender } from "../eval/recommender.ts";
import { cholesky, choleskySolve } from "../util/matrix.ts";
import { Rng } from "../util/random.ts";
import { notFitted, requireRatings } from "./_common.ts";

/**
 * Options of {@linkcode FactorRatingModel}. The defaults were tuned on a
 * validation slice carved from ML-100k's u1.base (never on a test set).
 *
 * @example
 * ```ts
 * import type { FactorRatingOptions } from "./factor_rating.ts";
 * const o: FactorRatingOptions = { factors: 20, epochs: 30, members: 1, seed: 7 };
 * console.log(o.members); // 1
 * ```
 */
export interface FactorRatingOptions {
  /** Latent factors of each member (default 100). */
  readonly factors?: number;
  /** SGD passes over the train ratings (default 40). */
  readonly epochs?: number;
  /** Learning rate γ of the factors at the first epoch (default 0.012). */
  readonly learningRate?: number;
  /** Learning rate of the biases at the first epoch (default 0.005). */
  readonly biasLearningRate?: number;
  /**
   * Factor by which both learning rates shrink after each epoch (default
   * 0.95): the total step is bounded, so more epochs converge instead of overfitting.
   */
  readonly learningRateDecay?: number;
  /** λ of the user and item factors, towards their side prior (default 0.07). */
  readonly regularization?: number;
  /** λ of the biases, towards their side prior (default 0.02). */
  readonly biasRegularization?: number;
  /** Learn the SVD++ implicit term |N(u)|^-½ Σ_{j∈N(u)} y_j (default true). */
  readonly implicit?: boolean;
  /** λ of the implicit factors y_j, applied once per user visit (default 0.3). */
  readonly implicitRegularization?: number;
  /** Ridge penalty of the side-vector → prior maps (default 1). */
  readonly sideRidge?: number;
  /** Independently seeded models whose predictions are averaged (default 1). */
  readonly members?: number;
  /** Standard deviation of the normal factor initialisation (default 0.02). */
  readonly initStd?: number;
  /** Seed of the initialisation and of the visiting order (default 42). */
  readonly seed?: number;
  /** Clip predictions to the train rating scale (default true). */
  readonly clip?: boolean;
}

/**
 * Options of {@linkcode FactorRatingModel.fit}: progress plus optional side
 * vectors, one row per user / item of the train dataset's tables.
 *
 * @example
 * ```ts
 * import type { FactorRatingFitOptions } from "./factor_rating.ts";
 * const o: FactorRatingFitOptions = {
 *   itemSide: { rows: 2, cols: 2, data: Float32Array.of(1, 0, 0, 1) },
 * };
 * console.log(o.itemSide?.rows); // 2
 * ```
 */
export interface FactorRatingFitOptions extends FitOptions {
  /** users × d_u side vectors (e.g. the hybrid's blended user vectors). */
  readonly userSide?: Matrix;
  /** items × d_i side vectors (e.g. the hybrid's blended item vectors). */
  readonly itemSide?: Matrix;
}

/**
 * The hyper-parameters a fitted {@linkcode FactorRatingModel} was trained
 * with, every default filled in.
 *
 * @example
 * ```ts
 * import type { FactorRatingHyperparameters } from "./factor_rating.ts";
 * const h: FactorRatingHyperparameters = {
 *   factors: 8, epochs: 10, learningRate: 0.01, biasLearningRate: 0.01, learningRateDecay: 1,
 *   regularization: 0.05, biasRegularization: 0.02, implicit: false, implicitRegularization: 0.05,
 *   sideRidge: 1, members: 1, initStd: 0.1, seed: 1, clip: true,
 * };
 * console.log(h.factors); // 8
 * ```
 */
export type FactorRatingHyperparameters = {
  readonly [K in keyof FactorRatingOptions]-?: NonNullable<FactorRatingOptions[K]>;
};

/**
 * Everything but the tensors that {@linkcode FactorRatingModel.fromTensors}
 * needs; plain JSON.
 *
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { type FactorRatingConfig, FactorRatingModel } from "./factor_rating.ts";
 * const model = new FactorRatingModel({ factors: 2, epochs: 3 });
 * model.fit(datasetFromTriples("toy", [["a", "x", 5], ["b", "y", 1]], { min: 1, max: 5 }));
 * const config: FactorRatingConfig = JSON.parse(JSON.stringify(model.config()));
 * console.log(config.format); // "hwer.FactorRatingModel"
 * ```
 */
export type FactorRatingConfig = {
  /** Always "hwer.FactorRatingModel". */
  readonly format: "hwer.FactorRatingModel";
  /** Layout version of the tensors (1). */
  readonly version: 1;
  /** μ, the global mean train rating. */
  readonly mean: number;
  /** The clipping range, or null when predictions are not clipped. */
  readonly scale: { readonly min: number; readonly max: number } | null;
  /** Stored factor width: members × factors. */
  readonly width: number;
  /** Users, including those folded in after fit. */
  readonly users: number;
  /** Items, including those folded in after fit. */
  readonly items: number;
  /** Width of the user side vectors, or null when fitted without them. */
  readonly userSideDims: number | null;
  /** Width of the item side vectors, or null when fitted without them. */
  readonly itemSideDims: number | null;
  /** Whether implicit factors y_j are stored (SVD++). */
  readonly implicit: boolean;
  /** The hyper-parameters of the fit. */
  readonly hyperparameters: FactorRatingHyperparameters;
};

/**
 * A named tensor of {@linkcode FactorRatingModel.toTensors}.
 *
 * @example
 * ```ts
 * import type { FactorRatingTensor } from "./factor_rating.ts";
 * const t: FactorRatingTensor = { shape: [2], data: Float32Array.of(0.1, -0.2) };
 * console.log(t.shape[0] === t.data.length); // true
 * ```
 */
export interface FactorRatingTensor {
  /** Dimensions, outermost first. */
  readonly shape: number[];
  /** Row-major elements. */
  readonly data: Float32Array;
}

/** Defaults, tuned on a 20 % validation slice of u1.base (train only; never a test set). */
const DEFAULTS: FactorRatingHyperparameters = {
  factors: 100,
  epochs: 40,
  learningRate: 0.012,
  biasLearningRate: 0.005,
  learningRateDecay: 0.95,
  regularization: 0.07,
  biasRegularization: 0.02,
  implicit: true,
  implicitRegularization: 0.3,
  sideRidge: 1,
  members: 1,
  initStd: 0.02,
  seed: 42,
  clip: true,
};

/**
 * SVD++ with side priors, fitted by SGD:
 *
 * r̂_ui = μ + b_u + b_i + q_iᵀ(p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j)
 *
 * where N(u) is the set of items u rated in train (never test). With side
 * vectors s_u, s_i the regularisers pull b_i and q_i towards an affine map of
 * s_i (and b_u, p_u towards one of s_u) instead of towards 0; the maps are
 * refitted by ridge regression on the known entities after every epoch. So
 * an item with few ratings is shrunk towards what its content predicts, and
 * an item with none (or one added later by {@linkcode foldInItem}) gets
 * exactly that prediction. Without side vectors the priors are 0 and this is
 * plain SVD++.
 *
 * SGD visits users in a fresh random order each epoch and each user's ratings
 * in random order; the implicit factors get one summed step per user (the
 * usual fast SVD++), so an epoch costs O(ratings · factors). `members`
 * independently seeded models are averaged; their factors are stored side by
 * side, so the ensemble predicts, serialises and folds in like one model.
 *
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { FactorRatingModel } from "./factor_rating.ts";
 * const ds = datasetFromTriples("toy", [["a", "x", 5], ["a", "y", 1], ["b", "x", 4]], { min: 1, max: 5 });
 * const model = new FactorRatingModel({ factors: 4, epochs: 50, seed: 1 });
 * model.fit(ds);
 * console.log(model.predict(0, 0) > model.predict(0, 1)); // true
 * ```
 */
export class FactorRatingModel implements Recommender {
  /** Report name. */
  readonly name: string = "FactorRating";
  readonly #h: FactorRatingHyperparameters;
  #state: State | undefined;

  /**
   * Creates an untrained model.
   *
   * @param options hyper-parameters (tuned defaults)
   */
  constructor(options: FactorRatingOptions = {}) {
    const h = { ...DEFAULTS };
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined) (h as Record<string, unknown>)[key] = value;
    }
    for (const key of ["factors", "epochs", "members"] as const) {
      if (!Number.isInteger(h[key]) || h[key] < 1) {
        throw new RangeError(`FactorRatingModel: ${key} must be a positive integer, got ${h[key]}`);
      }
    }
    for (
      const key of [
        "learningRate",
        "biasLearningRate",
        "learningRateDecay",
        "regularization",
        "biasRegularization",
        "implicitRegularization",
        "sideRidge",
        "initStd",
      ] as const
    ) {
      if (!(h[key] >= 0) || !Number.isFinite(h[key])) {
        throw new RangeError(
          `FactorRatingModel: ${key} must be a finite number ≥ 0, got ${h[key]}`,
        );
      }
    }
    this.#h = h;
  }

  /**
   * Trains every member by SGD from a fresh seeded initialisation.
   *
   * @param train the train dataset (explicit ratings)
   * @param options per-epoch callback (counts epochs over all members) and side vectors
   * @throws {RangeError} when a side matrix does not have one row per user / item
   * @example
   * ```ts
   * import { datasetFromTriples } from "../data/dataset.ts";
   * import { FactorRatingModel } from "./factor_rating.ts";
   * const ds = datasetFromTriples("toy", [["a", "x", 5], ["a", "y", 1], ["b", "x", 4]], { min: 1, max: 5 });
   * const model = new FactorRatingModel({ factors: 2, epochs: 10 });
   * model.fit(ds, { itemSide: { rows: 2, cols: 2, data: Float32Array.of(1, 0, 0, 1) } });
   * console.log(model.config().itemSideDims); // 2
   * ```
   */
  fit(train: Dataset, options: FactorRatingFitOptions = {}): void {
    const { ratings, mean, scale } = requireRatings(train, this.name);
    const nUsers = train.users.ids.length;
    const nItems = train.items.ids.length;
    const userSide = checkSide(options.userSide, nUsers, "userSide");
    const itemSide = checkSide(options.itemSide, nItems, "itemSide");
    const h = this.#h;
    const x = train.interactions;
    const data: TrainData = {
      ratings,
      item: x.item,
      mean,
      nUsers,
      nItems,
      byUser: groupBy(x.user, nUsers),
      userCount: countBy(x.user, nUsers),
      itemCount: countBy(x.item, nItems),
      userRidge: userSide && new RidgeMap(userSide, countBy(x.user, nUsers), h.sideRidge),
      itemRidge: itemSide && new RidgeMap(itemSide, countBy(x.item, nItems), h.sideRidge),
    };
    const rng = new Rng(h.seed);
    const total = h.epochs * h.members;
    const members: Member[] = [];
    for (let m = 0; m < h.members; m++) {
      members.push(
        trainMember(data, h, rng.fork(), (e) => options.onEpoch?.(m * h.epochs + e, total)),
      );
    }
    this.#state = combine(members, data, h, {
      mean,
      scale: h.clip && scale ? { min: scale.min, max: scale.max } : null,
    });
  }

  /**
   * μ + b_u + b_i + v_iᵀz_u, clipped to the rating scale.
   *
   * @param user dense user index (train table or {@linkcode foldInUser})
   * @param item dense item index (train table or {@linkcode foldInItem})
   * @returns the estimate
   * @example
   * ```ts
   * import { datasetFromTriples } from "../data/dataset.ts";
   * import { FactorRatingModel } from "./factor_rating.ts";
   * const ds = datasetFromTriples("toy", [["a", "x", 5], ["a", "y", 1], ["b", "x", 4]], { min: 1, max: 5 });
   * const model = new FactorRatingModel({ factors: 2, epochs: 10 });
   * model.fit(ds);
   * const r = model.predict(1, 1);
   * console.log(r >= 1 && r <= 5); // true
   * ```
   */
  predict(user: number, item: number): number {
    return this.estimate(user, item);
  }

  /**
   * Unclipped estimates for the first `out.length` items.
   *
   * @param user dense user index
   * @param out one score per item
   * @example
   * ```ts
   * import { datasetFromTriples } from "../data/dataset.ts";
   * import { FactorRatingModel } from "./factor_rating.ts";
   * const ds = datasetFromTriples("toy", [["a", "x", 5], ["a", "y", 1], ["b", "x", 4]], { min: 1, max: 5 });
   * const model = new FactorRatingModel({ factors: 2, epochs: 10 });
   * model.fit(ds);
   * const scores = new Float32Array(2);
   * model.scoreItems(1, scores);
   * console.log(scores[0] > scores[1]); // true
   * ```
   */
  scoreItems(user: number, out: Float32Array): void {
    const s = this.#fitted();
    checkIndex(user, s.users, "user");
    if (out.length > s.items) {
      throw new RangeError(`FactorRatingModel: ${out.length} scores asked, ${s.items} items`);
    }
    const w = s.width;
    const base = s.mean + s.userBias[user];
    for (let i = 0; i < out.length; i++) {
      out[i] = base + s.itemBias[i] + dot(s.userFactors, user * w, s.itemFactors, i * w, w);
    }
  }

  /**
   * A clipped estimate where either side may be a known index or a side
   * vector of an entity the model has never seen (its free bias and factors
   * are 0, so it gets the prior its side vector maps to).
   *
   * @param user dense user index, or a user side vector
   * @param item dense item index, or an item side vector
   * @returns the estimate
   * @throws {Error} for a side vector when the model was fitted without that kind of side vector
   * @example
   * ```ts
   * import { datasetFromTriples } from "../data/dataset.ts";
   * import { FactorRatingModel } from "./factor_rating.ts";
   * const ds = datasetFromTriples("toy", [["a", "x", 5], ["a", "y", 1], ["b", "x", 4]], { min: 1, max: 5 });
   * const model = new FactorRatingModel({ factors: 2, epochs: 20 });
   * model.fit(ds, { itemSide: { rows: 2, cols: 2, data: Float32Array.of(1, 0, 0, 1) } });
   * const r = model.estimate(0, Float32Array.of(1, 0));
   * console.log(r >= 1 && r <= 5); // true
   * ```
   */
  estimate(user: number | Float32Array, item: number | Float32Array): number {
    const s = this.#fitted();
    const w = s.width;
    // (bias, factor array, offset) of a fitted row, or the side prior of an unseen entity.
    const parts = (
      x: number | Float32Array,
      kind: "user" | "item",
    ): [number, Float32Array, number] => {
      const [count, bias, factors, side] = kind === "user"
        ? [s.users, s.userBias, s.userFactors, s.userSide]
        : [s.items, s.itemBias, s.itemFactors, s.itemSide];
      if (typeof x !== "number") return [...sidePrior(side, x, w, kind), 0];
      checkIndex(x, count, kind);
      return [bias[x], factors, x * w];
    };
    const [ub, uv, uo] = parts(user, "user");
    const [ib, iv, io] = parts(item, "item");
    const est = s.mean + ub + ib + dot(uv, uo, iv, io, w);
    const scale = s.scale;
    if (!scale) return est;
    return est < scale.min ? scale.min : est > scale.max ? scale.max : est;
  }

  /**
   * Adds an item known only by its side vector; its free bias and factors
   * are 0, so it predicts from its side prior (b = wᵀs, v = As).
   *
   * @param side the item's side vector (same width as at fit)
   * @returns the new dense item index
   * @throws {Error} when the model was fitted without item side vectors
   * @example
   * ```ts
   * import { datasetFromTriples } from "../data/dataset.ts";
   * import { FactorRatingModel } from "./factor_rating.ts";
   * const ds = datasetFromTriples("toy", [["a", "x", 5], ["a", "y", 1]], { min: 1, max: 5 });
   * const model = new FactorRatingModel({ factors: 2, epochs: 5 });
   * model.fit(ds, { itemSide: { rows: 2, cols: 1, data: Float32Array.of(1, -1) } });
   * console.log(model.foldInItem(Float32Array.of(1))); // 2
   * ```
   */
  foldInItem(side: Float32Array): number {
    const s = this.#fitted();
    const [bias, factors] = sidePrior(s.itemSide, side, s.width, "item");
    const index = s.items;
    s.itemBias = grow(s.itemBias, index + 1);
    s.itemFactors = grow(s.itemFactors, (index + 1) * s.width);
    s.itemBias[index] = bias;
    s.itemFactors.set(factors, index * s.width);
    // An implicit factor y of 0: the new item adds nothing to the users who rate it.
    if (s.implicitFactors) s.implicitFactors = grow(s.implicitFactors, (index + 1) * s.width);
    s.items = index + 1;
    return index;
  }

  /**
   * Adds a user known by a side vector and/or the items they rated: free
   * bias and factors 0, so z = (side prior) + |N|^-½ Σ_{j∈N} y_j.
   *
   * @param side the user's side vector, or null (only the prior's intercept)
   * @param items dense indices of items the user rated (the SVD++ implicit term)
   * @returns the new dense user index
   * @throws {Error} for a side vector when the model was fitted without user side vectors
   * @example
   * ```ts
   * import { datasetFromTriples } from "../data/dataset.ts";
   * import { FactorRatingModel } from "./factor_rating.ts";
   * const ds = datasetFromTriples("toy", [["a", "x", 5], ["b", "y", 1]], { min: 1, max: 5 });
   * const model = new FactorRatingModel({ factors: 2, epochs: 5 });
   * model.fit(ds);
   * console.log(model.foldInUser(null, [0])); // 2
   * ```
   */
  foldInUser(side: Float32Array | null, items: ArrayLike<number> = []): number {
    const s = this.#fitted();
    const w = s.width;
    let bias = 0;
    let factors: Float32Array = new Float32Array(w);
    if (side || s.userSide) {
      // Without a side vector a user gets the prior's intercept (the map of an all-zero vector).
      [bias, factors] = sidePrior(
        s.userSide,
        side ?? new Float32Array(s.userSide!.dims),
        w,
        "user",
      );
    }
    if (items.length > 0 && s.implicitFactors) {
      const norm = 1 / Math.sqrt(items.length);
      const sum = new Float64Array(w);
      for (let n = 0; n < items.length; n++) {
        checkIndex(items[n], s.items, "item");
        const o = items[n] * w;
        for (let t = 0; t < w; t++) sum[t] += s.implicitFactors[o + t];
      }
      for (let t = 0; t < w; t++) factors[t] += norm * sum[t];
    }
    const index = s.users;
    s.userBias = grow(s.userBias, index + 1);
    s.userFactors = grow(s.userFactors, (index + 1) * w);
    s.userBias[index] = bias;
    s.userFactors.set(factors, index * w);
    s.users = index + 1;
    return index;
  }

  /**
   * The JSON half of the serialised model (see {@linkcode toTensors}).
   *
   * @returns the configuration
   * @example
   * ```ts
   * import { datasetFromTriples } from "../data/dataset.ts";
   * import { FactorRatingModel } from "./factor_rating.ts";
   * const model = new FactorRatingModel({ factors: 2, epochs: 3 });
   * model.fit(datasetFromTriples("toy", [["a", "x", 5], ["b", "y", 1]], { min: 1, max: 5 }));
   * console.log(model.config().width); // 2
   * ```
   */
  config(): FactorRatingConfig {
    const s = this.#fitted();
    return {
      format: "hwer.FactorRatingModel",
      version: 1,
      mean: s.mean,
      scale: s.scale,
      width: s.width,
      users: s.users,
      items: s.items,
      userSideDims: s.userSide?.dims ?? null,
      itemSideDims: s.itemSide?.dims ?? null,
      implicit: s.implicitFactors !== null,
      hyperparameters: { ...this.#h },
    };
  }

  /**
   * The fitted parameters as float32 tensors: `userBias` [users],
   * `itemBias` [items], `userFactors` [users, width] (the full z_u, implicit
   * term included), `itemFactors` [items, width], and when present
   * `implicitFactors` [items, width], `userSideMap` / `itemSideMap`
   * [d + 1, width + 1] (column 0 the bias, last row the intercept).
   *
   * @returns name → tensor (copies)
   * @example
   * ```ts
   * import { datasetFromTriples } from "../data/dataset.ts";
   * import { FactorRatingModel } from "./factor_rating.ts";
   * const model = new FactorRatingModel({ factors: 2, epochs: 3 });
   * model.fit(datasetFromTriples("toy", [["a", "x", 5], ["b", "y", 1]], { min: 1, max: 5 }));
   * console.log(model.toTensors().itemFactors.shape); // [2, 2]
   * ```
   */
  toTensors(): Record<string, FactorRatingTensor> {
    const s = this.#fitted();
    const w = s.width;
    const out: Record<string, FactorRatingTensor> = {
      userBias: { shape: [s.users], data: s.userBias.slice(0, s.users) },
      itemBias: { shape: [s.items], data: s.itemBias.slice(0, s.items) },
      userFactors: { shape: [s.users, w], data: s.userFactors.slice(0, s.users * w) },
      itemFactors: { shape: [s.items, w], data: s.itemFactors.slice(0, s.items * w) },
    };
    if (s.implicitFactors) {
      out.implicitFactors = {
        shape: [s.items, w],
        data: s.implicitFactors.slice(0, s.items * w),
      };
    }
    if (s.userSide) {
      out.userSideMap = { shape: [s.userSide.dims + 1, w + 1], data: s.userSide.map.slice() };
    }
    if (s.itemSide) {
      out.itemSideMap = { shape: [s.itemSide.dims + 1, w + 1], data: s.itemSide.map.slice() };
    }
    return out;
  }

  /**
   * Restores a model saved with {@linkcode config} and {@linkcode toTensors};
   * it predicts exactly as the original.
   *
   * @param config the configuration
   * @param tensors the tensors (any array of numbers is copied into float32)
   * @returns the fitted model
   * @throws {Error} when the configuration or a tensor's shape does not match
   * @example
   * ```ts
   * import { datasetFromTriples } from "../data/dataset.ts";
   * import { FactorRatingModel } from "./factor_rating.ts";
   * const model = new FactorRatingModel({ factors: 2, epochs: 3 });
   * model.fit(datasetFromTriples("toy", [["a", "x", 5], ["b", "y", 1]], { min: 1, max: 5 }));
   * const copy = FactorRatingModel.fromTensors(model.config(), model.toTensors());
   * console.log(copy.predict(0, 1) === model.predict(0, 1)); // true
   * ```
   */
  static fromTensors(
    config: FactorRatingConfig,
    tensors: Record<
      string,
      { readonly shape: readonly number[]; readonly data: ArrayLike<number> }
    >,
  ): FactorRatingModel {
    if (config.format !== "hwer.FactorRatingModel" || config.version !== 1) {
      throw new Error(
        `FactorRatingModel.fromTensors: unsupported config ${config.format} v${config.version}`,
      );
    }
    const { width: w, users, items } = config;
    const take = (name: string, shape: number[]): Float32Array => {
      const t = tensors[name];
      if (!t) throw new Error(`FactorRatingModel.fromTensors: tensor ${name} is missing`);
      if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
        throw new Error(
          `FactorRatingModel.fromTensors: ${name} has shape [${t.shape}], expected [${shape}]`,
        );
      }
      return Float32Array.from(t.data);
    };
    const side = (name: string, dims: number | null): SideMap | null =>
      dims === null ? null : { dims, map: take(name, [dims + 1, w + 1]) };
    const model = new FactorRatingModel(config.hyperparameters);
    model.#state = {
      mean: config.mean,
      scale: config.scale,
      width: w,
      users,
      items,
      userBias: take("userBias", [users]),
      itemBias: take("itemBias", [items]),
      userFactors: take("userFactors", [users, w]),
      itemFactors: take("itemFactors", [items, w]),
      implicitFactors: config.implicit ? take("implicitFactors", [items, w]) : null,
      userSide: side("userSideMap", config.userSideDims),
      itemSide: side("itemSideMap", config.itemSideDims),
    };
    return model;
  }

  #fitted(): State {
    if (!this.#state) notFitted(this.name);
    return this.#state;
  }
}

/** A fitted side → prior map: (dims + 1) × (width + 1), column 0 the bias, last row the intercept. */
interface SideMap {
  readonly dims: number;
  readonly map: Float32Array;
}

/** The predictor: float32 parameters (so a round trip is exact), grown by fold-in. */
interface State {
  readonly mean: number;
  readonly scale: { readonly min: number; readonly max: number } | null;
  readonly width: number;
  users: number;
  items: number;
  userBias: Float32Array;
  itemBias: Float32Array;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  implicitFactors: Float32Array | null;
  readonly userSide: SideMap | null;
  readonly itemSide: SideMap | null;
}

/** What every member trains on. */
interface TrainData {
  readonly ratings: Float32Array;
  readonly item: Int32Array;
  readonly mean: number;
  readonly nUsers: number;
  readonly nItems: number;
  readonly byUser: { readonly offsets: Int32Array; readonly positions: Int32Array };
  readonly userCount: Int32Array;
  readonly itemCount: Int32Array;
  readonly userRidge: RidgeMap | undefined;
  readonly itemRidge: RidgeMap | undefined;
}

/** One trained member, float64. */
interface Member {
  readonly userBias: Float64Array;
  readonly itemBias: Float64Array;
  /** z_u = p_u + implicit term. */
  readonly userFactors: Float64Array;
  readonly itemFactors: Float64Array;
  readonly implicitFactors: Float64Array | null;
  readonly userMap: Float64Array | null;
  readonly itemMap: Float64Array | null;
}

function trainMember(
  data: TrainData,
  h: FactorRatingHyperparameters,
  rng: Rng,
  onEpoch: (epoch: number) => void,
): Member {
  const { ratings, item, mean, nUsers, nItems, byUser } = data;
  const f = h.factors;
  const init = (n: number) => {
    const a = new Float64Array(n);
    for (let k = 0; k < n; k++) a[k] = h.initStd * rng.normal();
    return a;
  };
  const pu = init(nUsers * f);
  const qi = init(nItems * f);
  const yj = h.implicit ? init(nItems * f) : null;
  const bu = new Float64Array(nUsers);
  const bi = new Float64Array(nItems);
  // Priors of (b, factors) per entity, row-major (f + 1) wide; 0 without side vectors.
  const userPrior = new Float64Array(nUsers * (f + 1));
  const itemPrior = new Float64Array(nItems * (f + 1));
  let userMap: Float64Array | null = null;
  let itemMap: Float64Array | null = null;
  const refitPriors = () => {
    if (data.userRidge) {
      userMap = data.userRidge.fit(bu, pu, f);
      data.userRidge.apply(userMap, f, userPrior);
    }
    if (data.itemRidge) {
      itemMap = data.itemRidge.fit(bi, qi, f);
      data.itemRidge.apply(itemMap, f, itemPrior);
    }
  };
  const order = Int32Array.from({ length: nUsers }, (_, u) => u);
  const perm = byUser.positions.slice();
  const imp = new Float64Array(f);
  const gy = new Float64Array(f);
  const f1 = f + 1;
  for (let epoch = 0; epoch < h.epochs; epoch++) {
    // The first epoch starts from random factors, which carry no side signal yet.
    if (epoch > 0) refitPriors();
    const decay = Math.pow(h.learningRateDecay, epoch);
    const lr = h.learningRate * decay;
    const lrb = h.biasLearningRate * decay;
    const reg = h.regularization;
    const regb = h.biasRegularization;
    const regy = h.implicitRegularization;
    rng.shuffle(order);
    for (let n = 0; n < nUsers; n++) {
      const u = order[n];
      const start = byUser.offsets[u];
      const stop = byUser.offsets[u + 1];
      if (stop === start) continue;
      shuffleRange(rng, perm, start, stop);
      const uo = u * f;
      const upo = u * f1;
      const norm = 1 / Math.sqrt(stop - start);
      imp.fill(0);
      if (yj) {
        for (let p = start; p < stop; p++) {
          const jo = item[perm[p]] * f;
          for (let t = 0; t < f; t++) imp[t] += yj[jo + t];
        }
        for (let t = 0; t < f; t++) imp[t] *= norm;
        gy.fill(0);
      }
      for (let p = start; p < stop; p++) {
        const k = perm[p];
        const i = item[k];
        const io = i * f;
        const ipo = i * f1;
        let d = 0;
        for (let t = 0; t < f; t++) d += qi[io + t] * (pu[uo + t] + imp[t]);
        const err = ratings[k] - (mean + bu[u] + bi[i] + d);
        bu[u] += lrb * (err - regb * (bu[u] - userPrior[upo]));
        bi[i] += lrb * (err - regb * (bi[i] - itemPrior[ipo]));
        for (let t = 0; t < f; t++) {
          const p0 = pu[uo + t];
          const q0 = qi[io + t];
          pu[uo + t] = p0 + lr * (err * q0 - reg * (p0 - userPrior[upo + 1 + t]));
          qi[io + t] = q0 + lr * (err * (p0 + imp[t]) - reg * (q0 - itemPrior[ipo + 1 + t]));
          gy[t] += err * q0;
        }
      }
      if (yj) {
        for (let p = start; p < stop; p++) {
          const jo = item[perm[p]] * f;
          for (let t = 0; t < f; t++) yj[jo + t] += lr * (norm * gy[t] - regy * yj[jo + t]);
        }
      }
    }
    onEpoch(epoch + 1);
  }
  refitPriors();
  // Entities without train ratings were never visited: they take their prior
  // (0 without side vectors), as a folded-in entity does.
  for (let u = 0; u < nUsers; u++) {
    if (data.userCount[u] > 0) continue;
    bu[u] = userPrior[u * f1];
    for (let t = 0; t < f; t++) pu[u * f + t] = userPrior[u * f1 + 1 + t];
  }
  for (let i = 0; i < nItems; i++) {
    if (data.itemCount[i] > 0) continue;
    bi[i] = itemPrior[i * f1];
    for (let t = 0; t < f; t++) qi[i * f + t] = itemPrior[i * f1 + 1 + t];
    if (yj) yj.fill(0, i * f, (i + 1) * f);
  }
  if (yj) {
    for (let u = 0; u < nUsers; u++) {
      const start = byUser.offsets[u];
      const stop = byUser.offsets[u + 1];
      if (stop === start) continue;
      const norm = 1 / Math.sqrt(stop - start);
      for (let p = start; p < stop; p++) {
        const jo = item[byUser.positions[p]] * f;
        for (let t = 0; t < f; t++) pu[u * f + t] += norm * yj[jo + t];
      }
    }
  }
  return {
    userBias: bu,
    itemBias: bi,
    userFactors: pu,
    itemFactors: qi,
    implicitFactors: yj,
    userMap,
    itemMap,
  };
}

/**
 * Members side by side: the mean of K dot products is one dot product of the
 * concatenated vectors with the user half scaled by 1/K, so every user-side
 * tensor (z, y, user map) is scaled and the item side is concatenated as is.
 */
function combine(
  members: Member[],
  data: TrainData,
  h: FactorRatingHyperparameters,
  head: { mean: number; scale: State["scale"] },
): State {
  const K = members.length;
  const f = h.factors;
  const w = K * f;
  const { nUsers, nItems } = data;
  const concat = (n: number, pick: (m: Member) => Float64Array, scale: number) => {
    const out = new Float32Array(n * w);
    members.forEach((m, k) => {
      const src = pick(m);
      for (let r = 0; r < n; r++) {
        for (let t = 0; t < f; t++) out[r * w + k * f + t] = scale * src[r * f + t];
      }
    });
    return out;
  };
  const average = (n: number, pick: (m: Member) => Float64Array) => {
    const out = new Float64Array(n);
    for (const m of members) {
      const src = pick(m);
      for (let r = 0; r < n; r++) out[r] += src[r];
    }
    return Float32Array.from(out, (v) => v / K);
  };
  const sideMap = (
    ridge: RidgeMap | undefined,
    pick: (m: Member) => Float64Array | null,
    userSide: boolean,
  ) => {
    if (!ridge) return null;
    const rows = ridge.dims + 1;
    const map = new Float32Array(rows * (w + 1));
    const scale = userSide ? 1 / K : 1;
    members.forEach((m, k) => {
      const src = pick(m)!;
      for (let r = 0; r < rows; r++) {
        map[r * (w + 1)] += src[r * (f + 1)] / K;
        for (let t = 0; t < f; t++) {
          map[r * (w + 1) + 1 + k * f + t] = scale * src[r * (f + 1) + 1 + t];
        }
      }
    });
    return { dims: ridge.dims, map };
  };
  return {
    ...head,
    width: w,
    users: nUsers,
    items: nItems,
    userBias: average(nUsers, (m) => m.userBias),
    itemBias: average(nItems, (m) => m.itemBias),
    userFactors: concat(nUsers, (m) => m.userFactors, 1 / K),
    itemFactors: concat(nItems, (m) => m.itemFactors, 1),
    implicitFactors: h.implicit ? concat(nItems, (m) => m.implicitFactors!, 1 / K) : null,
    userSide: sideMap(data.userRidge, (m) => m.userMap, true),
    itemSide: sideMap(data.itemRidge, (m) => m.itemMap, false),
  };
}

/**
 * Ridge regression from side vectors (plus an unpenalised intercept) to the
 * (bias, factors) of the entities with train ratings. The Gram matrix does not
 * change during training, so it is factored once.
 */
class RidgeMap {
  readonly dims: number;
  readonly #side: Matrix;
  readonly #rows: Int32Array;
  readonly #chol: Float64Array;

  constructor(side: Matrix, counts: Int32Array, ridge: number) {
    this.dims = side.cols;
    this.#side = side;
    const rows: number[] = [];
    for (let r = 0; r < side.rows; r++) if (counts[r] > 0) rows.push(r);
    this.#rows = Int32Array.from(rows);
    const n = side.cols + 1;
    const gram = new Float64Array(n * n);
    const x = new Float64Array(n);
    for (const r of this.#rows) {
      this.#row(r, x);
      for (let a = 0; a < n; a++) {
        if (x[a] === 0) continue;
        for (let b = 0; b <= a; b++) gram[a * n + b] += x[a] * x[b];
      }
    }
    for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) gram[b * n + a] = gram[a * n + b];
    for (let a = 0; a < n - 1; a++) gram[a * n + a] += ridge;
    // A tiny jitter keeps the intercept solvable when no entity is known.
    gram[n * n - 1] += 1e-9;
    this.#chol = cholesky(gram, n);
  }

  /** The map (dims + 1) × (f + 1) fitted to the current [bias | factors] of the known rows. */
  fit(bias: Float64Array, factors: Float64Array, f: number): Float64Array {
    const n = this.dims + 1;
    const m = f + 1;
    const rhs = new Float64Array(n * m);
    const x = new Float64Array(n);
    for (const r of this.#rows) {
      this.#row(r, x);
      for (let a = 0; a < n; a++) {
        const xa = x[a];
        if (xa === 0) continue;
        rhs[a * m] += xa * bias[r];
        for (let t = 0; t < f; t++) rhs[a * m + 1 + t] += xa * factors[r * f + t];
      }
    }
    return choleskySolve(this.#chol, rhs, n, m);
  }

  /** Writes [s, 1] · map for every row into `out` (rows × (f + 1)). */
  apply(map: Float64Array, f: number, out: Float64Array): void {
    const n = this.dims + 1;
    const m = f + 1;
    const x = new Float64Array(n);
    for (let r = 0; r < this.#side.rows; r++) {
      this.#row(r, x);
      for (let t = 0; t < m; t++) {
        let sum = 0;
        for (let a = 0; a < n; a++) sum += x[a] * map[a * m + t];
        out[r * m + t] = sum;
      }
    }
  }

  #row(r: number, x: Float64Array): void {
    const d = this.dims;
    for (let a = 0; a < d; a++) x[a] = this.#side.data[r * d + a];
    x[d] = 1;
  }
}

/** The (bias, factors) a side vector maps to. */
function sidePrior(
  side: SideMap | null,
  vector: Float32Array,
  w: number,
  kind: "user" | "item",
): [number, Float32Array] {
  if (!side) {
    throw new Error(`FactorRatingModel: fitted without ${kind} side vectors, cannot use one`);
  }
  if (vector.length !== side.dims) {
    throw new RangeError(
      `FactorRatingModel: ${kind} side vector has ${vector.length} values, expected ${side.dims}`,
    );
  }
  const m = w + 1;
  const map = side.map;
  const out = new Float64Array(m);
  for (let t = 0; t < m; t++) out[t] = map[side.dims * m + t];
  for (let a = 0; a < side.dims; a++) {
    const xa = vector[a];
    if (xa === 0) continue;
    for (let t = 0; t < m; t++) out[t] += xa * map[a * m + t];
  }
  return [Math.fround(out[0]), Float32Array.from(out.subarray(1))];
}

function checkSide(side: Matrix | undefined, rows: number, name: string): Matrix | undefined {
  if (!side) return undefined;
  if (side.rows !== rows || side.data.length !== side.rows * side.cols || side.cols < 1) {
    throw new RangeError(
      `FactorRatingModel: ${name} is ${side.rows} × ${side.cols} (${side.data.length} values), ` +
        `expected ${rows} rows`,
    );
  }
  return side;
}

function checkIndex(index: number, size: number, kind: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`FactorRatingModel: ${kind} ${index} is not in 0..${size - 1}`);
  }
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let sum = 0;
  for (let t = 0; t < n; t++) sum += a[ao + t] * b[bo + t];
  return sum;
}

function shuffleRange(rng: Rng, a: Int32Array, start: number, stop: number): void {
  for (let i = stop - 1; i > start; i--) {
    const j = start + rng.int(i - start + 1);
    const tmp = a[i];
    a[i] = a[j];
    a[j] = tmp;
  }
}

/** The array with room for `length` values (capacity doubles, so fold-ins are amortised O(1)). */
function grow(a: Float32Array, length: number): Float32Array {
  if (a.length >= length) return a;
  const out = new Float32Array(Math.max(length, 2 * a.length));
  out.set(a);
  return out;
}
