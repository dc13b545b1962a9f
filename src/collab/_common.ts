// Private helpers shared by the baseline models.
import type { Dataset, RatingScale } from "../data/types.ts";

/** Train ratings as float64 plus the scale and global mean; throws without ratings. */
export function requireRatings(train: Dataset, model: string): {
  ratings: Float32Array;
  mean: number;
  scale: RatingScale | undefined;
} {
  const ratings = train.interactions.rating;
  if (!ratings) throw new Error(`${model} needs explicit ratings; ${train.name} has none`);
  if (ratings.length === 0) throw new Error(`${model}: ${train.name} has no interactions`);
  let sum = 0;
  for (let k = 0; k < ratings.length; k++) sum += ratings[k];
  return { ratings, mean: sum / ratings.length, scale: train.ratingScale };
}

/** Clips an estimate to the rating scale, as Surprise does for every prediction. */
export function clip(value: number, scale: RatingScale | undefined): number {
  if (!scale) return value;
  return value < scale.min ? scale.min : value > scale.max ? scale.max : value;
}

/** Throws a clear error when a model is used before fit(). */
export function notFitted(model: string): never {
  throw new Error(`${model}: call fit() before predicting`);
}

/** The fitted state shared by the factor models (SVD, NMF). */
export interface FactorState {
  readonly mean: number;
  readonly biased: boolean;
  readonly factors: number;
  readonly userKnown: Uint8Array;
  readonly itemKnown: Uint8Array;
  readonly userBias: Float64Array;
  readonly itemBias: Float64Array;
  readonly userFactors: Float64Array;
  readonly itemFactors: Float64Array;
}

/**
 * Surprise's estimate for SVD and NMF. Biased: μ + b_u + b_i + q_iᵀp_u, each
 * term only for a known user/item (one with train ratings). Unbiased: q_iᵀp_u
 * when both are known, else the prediction is impossible and Surprise answers μ.
 */
export function factorEstimate(state: FactorState, user: number, item: number): number {
  const knownUser = state.userKnown[user] === 1;
  const knownItem = state.itemKnown[item] === 1;
  if (!state.biased && !(knownUser && knownItem)) return state.mean;
  let est = 0;
  if (state.biased) {
    est = state.mean;
    if (knownUser) est += state.userBias[user];
    if (knownItem) est += state.itemBias[item];
  }
  if (knownUser && knownItem) {
    const f = state.factors;
    const uo = user * f;
    const io = item * f;
    for (let t = 0; t < f; t++) est += state.itemFactors[io + t] * state.userFactors[uo + t];
  }
  return est;
}

/** 1 for each entity with at least one train interaction, else 0. */
export function knownMask(counts: Int32Array): Uint8Array {
  return Uint8Array.from(counts, (c) => (c > 0 ? 1 : 0));
}
