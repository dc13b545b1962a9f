/**
 * Funk SVD trained by SGD, as Surprise's `SVD`.
 *
 * @module
 */
import { countBy, groupBy } from "../data/dataset.ts";
import type { Dataset, RatingScale } from "../data/types.ts";
import type { FitOptions, Recommender } from "../eval/recommender.ts";
import { Rng } from "../util/random.ts";
import {
  clip,
  factorEstimate,
  type FactorState,
  knownMask,
  notFitted,
  requireRatings,
} from "./_common.ts";

/**
 * Options of {@linkcode SVD}; defaults are Surprise's.
 *
 * @example
 * ```ts
 * import type { SVDOptions } from "./svd.ts";
 * const o: SVDOptions = { factors: 50, epochs: 30, seed: 1 };
 * console.log(o.factors); // 50
 * ```
 */
export interface SVDOptions {
  /** Latent factors (default 100). */
  readonly factors?: number;
  /** SGD passes over the train ratings (default 20). */
  readonly epochs?: number;
  /** Learning rate γ for every parameter (default 0.005). */
  readonly learningRate?: number;
  /** Regularisation λ for every parameter (default 0.02). */
  readonly regularization?: number;
  /** Use μ, b_u, b_i (default true); false is probabilistic MF. */
  readonly biased?: boolean;
  /** Mean of the normal factor initialisation (default 0). */
  readonly initMean?: number;
  /** Standard deviation of the normal factor initialisation (default 0.1). */
  readonly initStd?: number;
  /** Seed of the initialisation (default 42). */
  readonly seed?: number;
  /** Clip predictions to the train rating scale (default true, as Surprise). */
  readonly clip?: boolean;
}

/**
 * Funk SVD as Surprise implements it: r̂_ui = μ + b_u + b_i + q_iᵀp_u, fitted
 * by SGD over the train ratings grouped by user (Surprise's order, no
 * shuffling), with e = r − r̂ and
 * b_u += γ(e − λb_u), b_i += γ(e − λb_i), p_u += γ(e·q_i − λp_u),
 * q_i += γ(e·p_u − λq_i). Biases start at 0, factors at N(0, 0.1²). A user
 * or item without train ratings contributes no bias and no factor term; with
 * `biased: false` such a prediction is impossible and Surprise answers μ.
 *
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { SVD } from "./svd.ts";
 * const ds = datasetFromTriples("toy", [["a", "x", 5], ["a", "y", 1], ["b", "x", 4]], { min: 1, max: 5 });
 * const model = new SVD({ factors: 4, epochs: 50, seed: 1 });
 * model.fit(ds);
 * console.log(model.predict(0, 0) > model.predict(0, 1)); // true
 * ```
 */
export class SVD implements Recommender {
  /** Report name. */
  readonly name: string = "SVD";
  readonly #factors: number;
  readonly #epochs: number;
  readonly #lr: number;
  readonly #reg: number;
  readonly #biased: boolean;
  readonly #initMean: number;
  readonly #initStd: number;
  readonly #seed: number;
  readonly #clip: boolean;
  #scale: RatingScale | undefined;
  #state: FactorState | undefined;
  /** b_u after fit. */
  userBias: Float64Array = new Float64Array(0);
  /** b_i after fit. */
  itemBias: Float64Array = new Float64Array(0);
  /** p_u after fit, row-major users × factors. */
  userFactors: Float64Array = new Float64Array(0);
  /** q_i after fit, row-major items × factors. */
  itemFactors: Float64Array = new Float64Array(0);

  /**
   * Creates an untrained model.
   *
   * @param options hyper-parameters (Surprise defaults)
   */
  constructor(options: SVDOptions = {}) {
    this.#factors = options.factors ?? 100;
    this.#epochs = options.epochs ?? 20;
    this.#lr = options.learningRate ?? 0.005;
    this.#reg = options.regularization ?? 0.02;
    this.#biased = options.biased ?? true;
    this.#initMean = options.initMean ?? 0;
    this.#initStd = options.initStd ?? 0.1;
    this.#seed = options.seed ?? 42;
    this.#clip = options.clip ?? true;
  }

  /**
   * Trains by SGD from a fresh seeded initialisation.
   *
   * @param train the train dataset (explicit ratings)
   * @param options per-epoch callback
   */
  fit(train: Dataset, options: FitOptions = {}): void {
    const { ratings, mean, scale } = requireRatings(train, this.name);
    this.#scale = this.#clip ? scale : undefined;
    const x = train.interactions;
    const nUsers = train.users.ids.length;
    const nItems = train.items.ids.length;
    const f = this.#factors;
    const rng = new Rng(this.#seed);
    const pu = new Float64Array(nUsers * f);
    const qi = new Float64Array(nItems * f);
    for (let k = 0; k < pu.length; k++) pu[k] = this.#initMean + this.#initStd * rng.normal();
    for (let k = 0; k < qi.length; k++) qi[k] = this.#initMean + this.#initStd * rng.normal();
    const bu = new Float64Array(nUsers);
    const bi = new Float64Array(nItems);
    const mu = this.#biased ? mean : 0;
    const lr = this.#lr;
    const reg = this.#reg;
    const { positions } = groupBy(x.user, nUsers);
    for (let epoch = 0; epoch < this.#epochs; epoch++) {
      for (let p = 0; p < positions.length; p++) {
        const k = positions[p];
        const u = x.user[k];
        const i = x.item[k];
        const uo = u * f;
        const io = i * f;
        let dot = 0;
        for (let t = 0; t < f; t++) dot += qi[io + t] * pu[uo + t];
        const err = ratings[k] - (mu + bu[u] + bi[i] + dot);
        if (this.#biased) {
          bu[u] += lr * (err - reg * bu[u]);
          bi[i] += lr * (err - reg * bi[i]);
        }
        for (let t = 0; t < f; t++) {
          const puf = pu[uo + t];
          const qif = qi[io + t];
          pu[uo + t] = puf + lr * (err * qif - reg * puf);
          qi[io + t] = qif + lr * (err * puf - reg * qif);
        }
      }
      options.onEpoch?.(epoch + 1, this.#epochs);
    }
    this.userBias = bu;
    this.itemBias = bi;
    this.userFactors = pu;
    this.itemFactors = qi;
    this.#state = {
      mean,
      biased: this.#biased,
      factors: f,
      userKnown: knownMask(countBy(x.user, nUsers)),
      itemKnown: knownMask(countBy(x.item, nItems)),
      userBias: bu,
      itemBias: bi,
      userFactors: pu,
      itemFactors: qi,
    };
  }

  /**
   * μ + b_u + b_i + q_iᵀp_u (parts of unknown entities omitted), clipped;
   * unbiased: q_iᵀp_u, or μ when the user or item is unknown.
   *
   * @param user dense user index
   * @param item dense item index
   * @returns the estimate
   */
  predict(user: number, item: number): number {
    return clip(this.#estimate(user, item), this.#scale);
  }

  /**
   * Unclipped estimates for every item.
   *
   * @param user dense user index
   * @param out one score per item
   */
  scoreItems(user: number, out: Float32Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.#estimate(user, i);
  }

  #estimate(user: number, item: number): number {
    if (!this.#state) notFitted(this.name);
    return factorEstimate(this.#state, user, item);
  }
}
