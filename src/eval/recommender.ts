/**
 * The contract every hwer model implements so the evaluation harness, the
 * CLI and the server can use it.
 *
 * @module
 */
import type { Dataset } from "../data/types.ts";

/**
 * Options passed to {@linkcode Recommender.fit}.
 *
 * @example
 * ```ts
 * import type { FitOptions } from "./recommender.ts";
 * const o: FitOptions = { onEpoch: (epoch, total) => console.log(`${epoch}/${total}`) };
 * console.log(typeof o.onEpoch); // "function"
 * ```
 */
export interface FitOptions {
  /** Called after each training epoch (1-based) of an iterative model. */
  readonly onEpoch?: (epoch: number, total: number) => void;
}

/**
 * A model that learns from a train dataset and then scores items.
 *
 * Ids are the dense indices of the train dataset's user and item tables
 * (shared by every part of a `Split`). A model implements
 * `predict` (a rating estimate, for RMSE/MAE), `scoreItems` (a score per
 * item, higher is better, for ranking), or both. Randomness comes from a
 * `seed` option of the model's constructor.
 *
 * @example
 * ```ts
 * import type { Recommender } from "./recommender.ts";
 * import type { Dataset } from "../data/types.ts";
 * class Constant implements Recommender {
 *   readonly name = "constant";
 *   fit(_train: Dataset): void {}
 *   predict(_user: number, _item: number): number {
 *     return 3;
 *   }
 * }
 * console.log(new Constant().predict(0, 0)); // 3
 * ```
 */
export interface Recommender {
  /** A short name for reports, e.g. "SVD". */
  readonly name: string;
  /**
   * Learns from the train dataset. May be called again to retrain from scratch.
   *
   * @param train the interactions to learn from, with the shared entity tables
   * @param options progress callbacks
   */
  fit(train: Dataset, options?: FitOptions): void | Promise<void>;
  /**
   * A rating estimate for one (user, item) pair, clipped to the rating scale
   * where the model knows one.
   *
   * @param user dense user index
   * @param item dense item index
   * @returns the estimate
   */
  predict?(user: number, item: number): number;
  /**
   * Writes a score for every item (higher = recommend first) into `out`,
   * whose length is the number of items. Train items are not excluded here;
   * ranking does that.
   *
   * @param user dense user index
   * @param out the buffer to fill, one entry per item
   */
  scoreItems?(user: number, out: Float32Array): void;
}
