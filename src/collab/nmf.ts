/**
 * Non-negative matrix factorisation with multiplicative updates, as
 * Surprise's `NMF`.
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
 * Options of {@linkcode NMF}; defaults are Surprise's.
 *
 * @example
 * ```ts
 * import type { NMFOptions } from "./nmf.ts";
 * const o: NMFOptions = { factors: 15, epochs: 50 };
 * console.log(o.epochs); // 50
 * ```
 */
export interface NMFOptions {
  /** Latent factors (default 15). */
  readonly factors?: number;
  /** Passes (default 50). */
  readonly epochs?: number;
  /** λ_u for user factors (default 0.06). */
  readonly regUserFactors?: number;
  /** λ_i for item factors (default 0.06). */
  readonly regItemFactors?: number;
  /** Add μ, b_u, b_i learned by SGD (default false, as Surprise). */
  readonly biased?: boolean;
  /** SGD learning rate of the biases when biased (default 0.005). */
  readonly biasLearningRate?: number;
  /** Regularisation of the biases when biased (default 0.02). */
  readonly biasRegularization?: number;
  /** Lower bound of the uniform factor initialisation (default 0). */
  readonly initLow?: number;
  /** Upper bound of the uniform factor initialisation (default 1). */
  readonly initHigh?: number;
  /** Seed of the initialisation (default 42). */
  readonly seed?: number;
  /** Clip predictions to the train rating scale (default true, as Surprise). */
  readonly clip?: boolean;
}

/**
 * NMF as Surprise implements it (Luo et al. 2014): r̂_ui = q_iᵀp_u with
 * p, q ≥ 0 initialised uniform in [0, 1). Each epoch accumulates, over the
 * train ratings, num_uf = Σ_i q_if·r_ui and den_uf = Σ_i q_if·r̂_ui (and the
 * same for items), then updates every factor multiplicatively:
 * p_uf ← p_uf · num_uf / (den_uf + |I_u|·λ_u·p_uf),
 * q_if ← q_if · num_if / (den_if + |U_i|·λ_i·q_if).
 * A user or item without train ratings makes the prediction impossible, and
 * Surprise then answers the global mean μ. Predictions clipped to the scale.
 *
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { NMF } from "./nmf.ts";
 * const ds = datasetFromTriples("toy", [["a", "x", 5], ["a", "y", 1], ["b", "x", 4]], { min: 1, max: 5 });
 * const model = new NMF({ factors: 2, seed: 1 });
 * model.fit(ds);
 * console.log(model.predict(0, 0) > model.predict(0, 1)); // true
 * ```
 */
export class NMF implements Recommender {
  /** Report name. */
  readonly name: string = "NMF";
  readonly #factors: number;
  readonly #epochs: number;
  readonly #regPu: number;
  readonly #regQi: number;
  readonly #biased: boolean;
  readonly #lrBias: number;
  readonly #regBias: number;
  readonly #initLow: number;
  readonly #initHigh: number;
  readonly #seed: number;
  readonly #clip: boolean;
  #scale: RatingScale | undefined;
  #state: FactorState | undefined;
  /** b_u after fit (zeros unless biased). */
  userBias: Float64Array = new Float64Array(0);
  /** b_i after fit (zeros unless biased). */
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
  constructor(options: NMFOptions = {}) {
    this.#factors = options.factors ?? 15;
    this.#epochs = options.epochs ?? 50;
    this.#regPu = options.regUserFactors ?? 0.06;
    this.#regQi = options.regItemFactors ?? 0.06;
    this.#biased = options.biased ?? false;
    this.#lrBias = options.biasLearningRate ?? 0.005;
    this.#regBias = options.biasRegularization ?? 0.02;
    this.#initLow = options.initLow ?? 0;
    this.#initHigh = options.initHigh ?? 1;
    this.#seed = options.seed ?? 42;
    this.#clip = options.clip ?? true;
  }

  /**
   * Trains by multiplicative updates from a fresh seeded initialisation.
   *
   * @param train the train dataset (explicit, non-negative ratings)
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
    const pu = rng.uniformArray(nUsers * f, this.#initLow, this.#initHigh);
    const qi = rng.uniformArray(nItems * f, this.#initLow, this.#initHigh);
    const p = Float64Array.from(pu);
    const q = Float64Array.from(qi);
    const bu = new Float64Array(nUsers);
    const bi = new Float64Array(nItems);
    const userCount = countBy(x.user, nUsers);
    const itemCount = countBy(x.item, nItems);
    const userNum = new Float64Array(nUsers * f);
    const userDen = new Float64Array(nUsers * f);
    const itemNum = new Float64Array(nItems * f);
    const itemDen = new Float64Array(nItems * f);
    const mu = this.#biased ? mean : 0;
    const { positions } = groupBy(x.user, nUsers);
    for (let epoch = 0; epoch < this.#epochs; epoch++) {
      userNum.fill(0);
      userDen.fill(0);
      itemNum.fill(0);
      itemDen.fill(0);
      for (let n = 0; n < positions.length; n++) {
        const k = positions[n];
        const u = x.user[k];
        const i = x.item[k];
        const r = ratings[k];
        const uo = u * f;
        const io = i * f;
        let dot = 0;
        for (let t = 0; t < f; t++) dot += q[io + t] * p[uo + t];
        const est = mu + bu[u] + bi[i] + dot;
        if (this.#biased) {
          const err = r - est;
          bu[u] += this.#lrBias * (err - this.#regBias * bu[u]);
          bi[i] += this.#lrBias * (err - this.#regBias * bi[i]);
        }
        for (let t = 0; t < f; t++) {
          userNum[uo + t] += q[io + t] * r;
          userDen[uo + t] += q[io + t] * est;
          itemNum[io + t] += p[uo + t] * r;
          itemDen[io + t] += p[uo + t] * est;
        }
      }
      multiplicativeUpdate(p, userNum, userDen, userCount, this.#regPu, f);
      multiplicativeUpdate(q, itemNum, itemDen, itemCount, this.#regQi, f);
      options.onEpoch?.(epoch + 1, this.#epochs);
    }
    this.userBias = bu;
    this.itemBias = bi;
    this.userFactors = p;
    this.itemFactors = q;
    this.#state = {
      mean,
      biased: this.#biased,
      factors: f,
      userKnown: knownMask(userCount),
      itemKnown: knownMask(itemCount),
      userBias: bu,
      itemBias: bi,
      userFactors: p,
      itemFactors: q,
    };
  }

  /**
   * q_iᵀp_u (plus μ + b_u + b_i when biased), clipped; μ when the user or
   * item has no train ratings.
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

/** x ← x · num / (den + count·λ·x) for every row with data, as Surprise's NMF. */
function multiplicativeUpdate(
  factors: Float64Array,
  num: Float64Array,
  den: Float64Array,
  counts: Int32Array,
  reg: number,
  f: number,
): void {
  for (let e = 0; e < counts.length; e++) {
    const n = counts[e];
    if (n === 0) continue; // no data: Surprise has no such row; keep the initial value
    for (let t = e * f; t < (e + 1) * f; t++) {
      if (factors[t] === 0) continue; // Surprise skips zero factors (0/0 otherwise)
      const d = den[t] + n * reg * factors[t];
      factors[t] *= num[t] / d;
    }
  }
}
