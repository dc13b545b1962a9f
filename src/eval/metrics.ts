/**
 * Evaluation metrics, following Microsoft Recommenders' definitions (rating
 * and top-k metrics), the NCF protocol (hit rate among sampled negatives)
 * and LightFM's per-user AUC. Each doc comment states the formula.
 *
 * @module
 */

/**
 * Root mean squared error: √(Σ (r − r̂)² / n).
 *
 * @param actual true ratings
 * @param predicted estimates, same length
 * @returns the RMSE (NaN for no pairs)
 * @example
 * ```ts
 * import { rmse } from "./metrics.ts";
 * console.log(rmse([1, 2], [2, 4])); // 1.5811388300841898
 * ```
 */
export function rmse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths(actual, predicted);
  let sum = 0;
  for (let k = 0; k < actual.length; k++) sum += (actual[k] - predicted[k]) ** 2;
  return Math.sqrt(sum / actual.length);
}

/**
 * Mean absolute error: Σ |r − r̂| / n.
 *
 * @param actual true ratings
 * @param predicted estimates, same length
 * @returns the MAE (NaN for no pairs)
 * @example
 * ```ts
 * import { mae } from "./metrics.ts";
 * console.log(mae([1, 2], [2, 4])); // 1.5
 * ```
 */
export function mae(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkLengths(actual, predicted);
  let sum = 0;
  for (let k = 0; k < actual.length; k++) sum += Math.abs(actual[k] - predicted[k]);
  return sum / actual.length;
}

/**
 * Precision at k for one user: |top-k ∩ relevant| / k (Microsoft
 * Recommenders divides by k even when the list is shorter).
 *
 * @param recommended the user's list, best first (-1 entries ignored)
 * @param relevant the user's relevant (held-out) items
 * @param k cut-off
 * @returns a value in [0, 1]
 * @example
 * ```ts
 * import { precisionAtK } from "./metrics.ts";
 * console.log(precisionAtK([3, 1, 2], new Set([1, 9]), 2)); // 0.5
 * ```
 */
export function precisionAtK(
  recommended: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k: number,
): number {
  return hitsAtK(recommended, relevant, k) / k;
}

/**
 * Recall at k for one user: |top-k ∩ relevant| / |relevant|.
 *
 * @param recommended the user's list, best first
 * @param relevant the user's relevant items (non-empty)
 * @param k cut-off
 * @returns a value in [0, 1]
 * @example
 * ```ts
 * import { recallAtK } from "./metrics.ts";
 * console.log(recallAtK([3, 1, 2], new Set([1, 9]), 2)); // 0.5
 * ```
 */
export function recallAtK(
  recommended: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k: number,
): number {
  return hitsAtK(recommended, relevant, k) / relevant.size;
}

/**
 * NDCG at k for one user with binary relevance: DCG / IDCG where
 * DCG = Σ_{rank r ≤ k, item relevant} 1 / log₂(r + 1) and
 * IDCG = Σ_{r=1}^{min(k, |relevant|)} 1 / log₂(r + 1).
 *
 * @param recommended the user's list, best first
 * @param relevant the user's relevant items (non-empty)
 * @param k cut-off
 * @returns a value in [0, 1]
 * @example
 * ```ts
 * import { ndcgAtK } from "./metrics.ts";
 * console.log(ndcgAtK([1, 2], new Set([1]), 2)); // 1
 * ```
 */
export function ndcgAtK(
  recommended: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k: number,
): number {
  let dcg = 0;
  const n = Math.min(k, recommended.length);
  for (let r = 0; r < n; r++) if (relevant.has(recommended[r])) dcg += 1 / Math.log2(r + 2);
  let idcg = 0;
  const ideal = Math.min(k, relevant.size);
  for (let r = 0; r < ideal; r++) idcg += 1 / Math.log2(r + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}

/**
 * Average precision at k for one user, as Microsoft Recommenders' `map_at_k`:
 * AP = (1 / |relevant|) Σ_{rank r ≤ k, item relevant} (hits within the first r) / r.
 * (The divisor is |relevant|, not min(k, |relevant|), which is what their
 * published ML-100k table used.) MAP is its mean over users.
 *
 * @param recommended the user's list, best first
 * @param relevant the user's relevant items (non-empty)
 * @param k cut-off
 * @returns a value in [0, 1]
 * @example
 * ```ts
 * import { averagePrecisionAtK } from "./metrics.ts";
 * console.log(averagePrecisionAtK([1, 5, 2], new Set([1, 2]), 3)); // (1/1 + 2/3) / 2
 * ```
 */
export function averagePrecisionAtK(
  recommended: ArrayLike<number>,
  relevant: ReadonlySet<number>,
  k: number,
): number {
  let hits = 0;
  let sum = 0;
  const n = Math.min(k, recommended.length);
  for (let r = 0; r < n; r++) {
    if (relevant.has(recommended[r])) {
      hits++;
      sum += hits / (r + 1);
    }
  }
  return relevant.size === 0 ? 0 : sum / relevant.size;
}

/**
 * Per-user AUC as LightFM's `auc_score`: the share of (positive, negative)
 * pairs the model orders correctly, where positives are the user's held-out
 * items and negatives all items neither held out nor excluded (train items):
 * AUC_u = (1/|P|) Σ_{p∈P} (|{n ∈ N : s_n < s_p}| + ½ |{n ∈ N : s_n = s_p}|) / |N|.
 * A tie counts half (the Mann–Whitney statistic), so a model that scores every
 * item alike gets 0.5, not 1.
 *
 * @param scores one score per item
 * @param positives the user's held-out items
 * @param excluded mask of items that are neither positive nor negative (train items)
 * @returns the AUC, or NaN when there is no positive or no negative
 * @example
 * ```ts
 * import { userAuc } from "./metrics.ts";
 * console.log(userAuc(Float32Array.of(0.9, 0.1, 0.5), [0], new Uint8Array(3))); // 1
 * ```
 */
export function userAuc(
  scores: Float32Array,
  positives: ArrayLike<number>,
  excluded?: Uint8Array,
): number {
  if (positives.length === 0) return NaN;
  const isPositive = new Uint8Array(scores.length);
  for (let k = 0; k < positives.length; k++) isPositive[positives[k]] = 1;
  const negatives: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (!isPositive[i] && !(excluded && excluded[i])) negatives.push(scores[i]);
  }
  if (negatives.length === 0) return NaN;
  const sorted = Float64Array.from(negatives).sort();
  let sum = 0;
  for (let k = 0; k < positives.length; k++) {
    const s = scores[positives[k]];
    const below = firstIndex(sorted, (v) => v >= s);
    const notAbove = firstIndex(sorted, (v) => v > s);
    sum += (below + 0.5 * (notAbove - below)) / sorted.length;
  }
  return sum / positives.length;
}

/** First index in an ascending array where `past(value)` holds (binary search). */
function firstIndex(sorted: Float64Array, past: (value: number) => boolean): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (past(sorted[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Whether a held-out item ranks in the top k among itself and sampled
 * negatives (the NCF protocol, usually 100 negatives): rank = |{n : s_n ≥ s_pos}|
 * (ties count against the held-out item), hit when rank < k.
 *
 * @param scores one score per item
 * @param positive the held-out item
 * @param negatives sampled items the user never interacted with
 * @param k cut-off
 * @returns 1 for a hit, else 0
 * @example
 * ```ts
 * import { sampledHit } from "./metrics.ts";
 * console.log(sampledHit(Float32Array.of(0.2, 0.9, 0.5), 2, [0, 1], 1)); // 0
 * ```
 */
export function sampledHit(
  scores: Float32Array,
  positive: number,
  negatives: ArrayLike<number>,
  k: number,
): number {
  const s = scores[positive];
  let above = 0;
  for (let n = 0; n < negatives.length; n++) if (scores[negatives[n]] >= s) above++;
  return above < k ? 1 : 0;
}

/**
 * Catalogue coverage as Microsoft Recommenders' `catalog_coverage`:
 * |distinct items in all top-k lists| / |distinct items in train|.
 *
 * @param recommended all lists, concatenated (-1 entries ignored)
 * @param trainItemCount number of distinct items with train interactions
 * @returns the coverage (may exceed 1 when cold items are recommended)
 * @example
 * ```ts
 * import { catalogCoverage } from "./metrics.ts";
 * console.log(catalogCoverage([1, 2, 1, -1], 4)); // 0.5
 * ```
 */
export function catalogCoverage(recommended: ArrayLike<number>, trainItemCount: number): number {
  const seen = new Set<number>();
  for (let k = 0; k < recommended.length; k++) if (recommended[k] >= 0) seen.add(recommended[k]);
  return seen.size / trainItemCount;
}

/**
 * Interaction-count buckets used for breakdowns: lower bounds, ascending.
 * The default [0, 1, 6, 21, 51] gives 0, 1–5, 6–20, 21–50, 51+.
 *
 * @example
 * ```ts
 * import { DEFAULT_BUCKETS, bucketLabel } from "./metrics.ts";
 * console.log(DEFAULT_BUCKETS.map((_, b) => bucketLabel(DEFAULT_BUCKETS, b))); // ["0", "1–5", "6–20", "21–50", "51+"]
 * ```
 */
export const DEFAULT_BUCKETS: readonly number[] = [0, 1, 6, 21, 51];

/**
 * The bucket of a count: the last lower bound ≤ count.
 *
 * @param bounds ascending lower bounds starting at 0
 * @param count an interaction count
 * @returns the bucket index
 * @example
 * ```ts
 * import { DEFAULT_BUCKETS, bucketOf } from "./metrics.ts";
 * console.log(bucketOf(DEFAULT_BUCKETS, 7)); // 2
 * ```
 */
export function bucketOf(bounds: readonly number[], count: number): number {
  let b = 0;
  while (b + 1 < bounds.length && count >= bounds[b + 1]) b++;
  return b;
}

/**
 * A bucket's label, e.g. "6–20" or "51+".
 *
 * @param bounds ascending lower bounds
 * @param bucket the bucket index
 * @returns the label
 * @example
 * ```ts
 * import { bucketLabel } from "./metrics.ts";
 * console.log(bucketLabel([0, 1, 6], 1)); // "1–5"
 * ```
 */
export function bucketLabel(bounds: readonly number[], bucket: number): string {
  const lo = bounds[bucket];
  if (bucket + 1 >= bounds.length) return `${lo}+`;
  const hi = bounds[bucket + 1] - 1;
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
}

function hitsAtK(recommended: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  let hits = 0;
  const n = Math.min(k, recommended.length);
  for (let r = 0; r < n; r++) if (relevant.has(recommended[r])) hits++;
  return hits;
}

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`length mismatch: ${a.length} vs ${b.length}`);
}
