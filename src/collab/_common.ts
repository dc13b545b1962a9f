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
