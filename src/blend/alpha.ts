/**
 * α: how much an entity's hybrid vector leans on content. Each entity's vector
 * is normalise(α · tower(content) + (1 − α) · id embedding), with α chosen by
 * how much history the entity has:
 *
 * - an **alpha tree**: α per bucket of n (training interactions), the bucket
 *   boundaries found by a greedy search over split points on validation data;
 * - a **smooth** curve α(n) = k / (k + n);
 * - **life-cycle stages**: α per stage, the stage given by a function of n and
 *   the days since the entity's first interaction (new, growing, mature).
 *
 * @module
 */
import { bucketOf } from "../eval/metrics.ts";

/**
 * Lifecycle stage names used by {@linkcode defaultStage}.
 *
 * @example
 * ```ts
 * import type { LifecycleStage } from "./alpha.ts";
 * const s: LifecycleStage = "growing";
 * console.log(s); // "growing"
 * ```
 */
export type LifecycleStage = "new" | "growing" | "mature";

/**
 * The default stage function: "new" under 5 interactions or under 30 days
 * since the first, "mature" from 50 interactions and 180 days, else "growing".
 * Without timestamps (`days` NaN) only n decides.
 *
 * @param n training interactions
 * @param days days since the first interaction (NaN when unknown)
 * @returns the stage
 * @example
 * ```ts
 * import { defaultStage } from "./alpha.ts";
 * console.log(defaultStage(0, NaN), defaultStage(20, 400), defaultStage(80, 400)); // "new" "growing" "mature"
 * ```
 */
export function defaultStage(n: number, days: number): LifecycleStage {
  if (n < 5 || days < 30) return "new";
  if (n >= 50 && !(days < 180)) return "mature";
  return "growing";
}

/**
 * A fitted α rule for one kind of entity (users or items), plain JSON.
 *
 * @example
 * ```ts
 * import type { AlphaRule } from "./alpha.ts";
 * const rule: AlphaRule = { kind: "buckets", lowerBounds: [0, 5, 50], alphas: [1, 0.5, 0.1] };
 * console.log(rule.kind); // "buckets"
 * ```
 */
export type AlphaRule =
  | {
    readonly kind: "buckets";
    readonly lowerBounds: readonly number[];
    readonly alphas: readonly number[];
  }
  | { readonly kind: "smooth"; readonly k: number }
  | { readonly kind: "stages"; readonly alphas: Readonly<Record<LifecycleStage, number>> };

/**
 * α for an entity with `n` interactions and `days` since its first one.
 *
 * @param rule the fitted rule
 * @param n training interactions
 * @param days days since the first interaction (NaN when unknown)
 * @returns α in [0, 1]
 * @example
 * ```ts
 * import { alphaFor } from "./alpha.ts";
 * console.log(alphaFor({ kind: "smooth", k: 5 }, 5, NaN)); // 0.5
 * console.log(alphaFor({ kind: "buckets", lowerBounds: [0, 10], alphas: [0.9, 0.2] }, 12, NaN)); // 0.2
 * ```
 */
export function alphaFor(rule: AlphaRule, n: number, days: number): number {
  switch (rule.kind) {
    case "smooth":
      return rule.k / (rule.k + n) || 0;
    case "stages":
      return rule.alphas[defaultStage(n, days)];
    case "buckets":
      return rule.alphas[bucketOf(rule.lowerBounds, n)];
  }
}

/** The α values tried for each bucket. */
export const ALPHA_GRID: readonly number[] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/**
 * Per-entity validation gains for every α of {@linkcode ALPHA_GRID}: row e is
 * entity e's contribution to the objective (e.g. its NDCG@10) at each α.
 * When entities' α values do not interact (users: a user's α changes only that
 * user's ranking), any bucketing is scored by summing rows.
 *
 * @example
 * ```ts
 * import type { AlphaGains } from "./alpha.ts";
 * const g: AlphaGains = { entities: 1, gains: new Float64Array(11), counts: Int32Array.of(3), days: Float64Array.of(NaN), weight: Float64Array.of(1) };
 * console.log(g.entities); // 1
 * ```
 */
export interface AlphaGains {
  /** Number of entities. */
  readonly entities: number;
  /** entities × ALPHA_GRID.length gains. */
  readonly gains: Float64Array;
  /** Training interactions per entity. */
  readonly counts: Int32Array;
  /** Days since each entity's first interaction (NaN when unknown). */
  readonly days: Float64Array;
  /** 1 for entities that contribute to the objective (e.g. have validation items), else 0. */
  readonly weight: Float64Array;
}

/**
 * Options of {@linkcode fitAlphaTree}.
 *
 * @example
 * ```ts
 * import type { AlphaTreeOptions } from "./alpha.ts";
 * const o: AlphaTreeOptions = { maxBuckets: 4, minEntities: 30 };
 * console.log(o.maxBuckets); // 4
 * ```
 */
export interface AlphaTreeOptions {
  /** Candidate lower bounds of buckets. Default 1, 2, 3, 5, 10, 20, 35, 50, 100, 200. */
  readonly candidates?: readonly number[];
  /** Most buckets. Default 5. */
  readonly maxBuckets?: number;
  /** Fewest contributing entities per bucket. Default 20. */
  readonly minEntities?: number;
  /** Smallest mean gain improvement that justifies a split. Default 1e-4. */
  readonly minGain?: number;
}

/**
 * Fits an alpha tree from per-entity gains: starting from one bucket, it
 * greedily adds the split point (from the candidates) that most improves the
 * summed gain — each bucket taking its best α — until no split helps enough.
 *
 * @param gains per-entity gains at each α
 * @param options candidates and limits
 * @returns a "buckets" rule
 * @example
 * ```ts
 * import { ALPHA_GRID, fitAlphaTree } from "./alpha.ts";
 * // Two entities: the cold one prefers α = 1, the warm one α = 0.
 * const gains = new Float64Array(2 * ALPHA_GRID.length);
 * ALPHA_GRID.forEach((a, j) => { gains[j] = a; gains[ALPHA_GRID.length + j] = 1 - a; });
 * const rule = fitAlphaTree({ entities: 2, gains, counts: Int32Array.of(0, 50), days: new Float64Array(2), weight: Float64Array.of(1, 1) }, { minEntities: 1 });
 * console.log(rule); // { kind: "buckets", lowerBounds: [0, 50], alphas: [1, 0] } (bound at the first candidate that separates them)
 * ```
 */
export function fitAlphaTree(gains: AlphaGains, options: AlphaTreeOptions = {}): AlphaRule {
  const candidates = [...(options.candidates ?? [1, 2, 3, 5, 10, 20, 35, 50, 100, 200])].sort((
    a,
    b,
  ) => a - b);
  const maxBuckets = options.maxBuckets ?? 5, minEntities = options.minEntities ?? 20;
  const minGain = options.minGain ?? 1e-4;
  const total = gains.weight.reduce((s, w) => s + w, 0) || 1;
  let bounds = [0];
  let best = scoreBuckets(gains, bounds, minEntities);
  while (bounds.length < maxBuckets) {
    let bestSplit: { bounds: number[]; score: ReturnType<typeof scoreBuckets> } | null = null;
    for (const c of candidates) {
      if (bounds.includes(c)) continue;
      const trial = [...bounds, c].sort((a, b) => a - b);
      const score = scoreBuckets(gains, trial, minEntities);
      if (score.valid && (!bestSplit || score.sum > bestSplit.score.sum)) {
        bestSplit = { bounds: trial, score };
      }
    }
    if (!bestSplit || (bestSplit.score.sum - best.sum) / total < minGain) break;
    bounds = bestSplit.bounds;
    best = bestSplit.score;
  }
  return { kind: "buckets", lowerBounds: bounds, alphas: best.alphas };
}

/**
 * Fits the smooth rule α(n) = k / (k + n) by a search over k.
 *
 * @param gains per-entity gains at each α (interpolated between grid points)
 * @returns a "smooth" rule
 * @example
 * ```ts
 * import { ALPHA_GRID, fitSmoothAlpha } from "./alpha.ts";
 * const gains = new Float64Array(ALPHA_GRID.length).map((_, j) => -Math.abs(ALPHA_GRID[j] - 0.5));
 * const rule = fitSmoothAlpha({ entities: 1, gains, counts: Int32Array.of(10), days: Float64Array.of(NaN), weight: Float64Array.of(1) });
 * console.log(rule.kind); // "smooth"
 * ```
 */
export function fitSmoothAlpha(gains: AlphaGains): AlphaRule {
  let best = { k: 1, sum: -Infinity };
  for (const k of [0.25, 0.5, 1, 2, 3, 5, 8, 12, 20, 35, 50, 100, 200]) {
    let sum = 0;
    for (let e = 0; e < gains.entities; e++) {
      if (!gains.weight[e]) continue;
      sum += interpolate(gains, e, k / (k + gains.counts[e]));
    }
    if (sum > best.sum) best = { k, sum };
  }
  return { kind: "smooth", k: best.k };
}

/**
 * Fits one α per life-cycle stage ({@linkcode defaultStage}).
 *
 * @param gains per-entity gains at each α
 * @returns a "stages" rule
 * @example
 * ```ts
 * import { ALPHA_GRID, fitStageAlphas } from "./alpha.ts";
 * const gains = new Float64Array(ALPHA_GRID.length).map((_, j) => ALPHA_GRID[j]);
 * const rule = fitStageAlphas({ entities: 1, gains, counts: Int32Array.of(0), days: Float64Array.of(NaN), weight: Float64Array.of(1) });
 * console.log(rule.kind === "stages" && rule.alphas.new); // 1
 * ```
 */
export function fitStageAlphas(gains: AlphaGains): AlphaRule {
  const stages: LifecycleStage[] = ["new", "growing", "mature"];
  const sums = stages.map(() => new Float64Array(ALPHA_GRID.length));
  for (let e = 0; e < gains.entities; e++) {
    if (!gains.weight[e]) continue;
    const s = stages.indexOf(defaultStage(gains.counts[e], gains.days[e]));
    for (let j = 0; j < ALPHA_GRID.length; j++) {
      sums[s][j] += gains.gains[e * ALPHA_GRID.length + j];
    }
  }
  const alphas = Object.fromEntries(
    stages.map((stage, s) => [stage, ALPHA_GRID[argmax(sums[s])]]),
  ) as Record<
    LifecycleStage,
    number
  >;
  return { kind: "stages", alphas };
}

function scoreBuckets(gains: AlphaGains, bounds: readonly number[], minEntities: number) {
  const g = ALPHA_GRID.length;
  const sums = bounds.map(() => new Float64Array(g));
  const members = new Int32Array(bounds.length);
  for (let e = 0; e < gains.entities; e++) {
    if (!gains.weight[e]) continue;
    const b = bucketOf(bounds, gains.counts[e]);
    members[b]++;
    for (let j = 0; j < g; j++) sums[b][j] += gains.weight[e] * gains.gains[e * g + j];
  }
  const alphas = sums.map((s) => ALPHA_GRID[argmax(s)]);
  const sum = sums.reduce((acc, s) => acc + Math.max(...s), 0);
  const valid = bounds.length === 1 || members.every((m) => m >= minEntities);
  return { alphas, sum, valid };
}

function interpolate(gains: AlphaGains, e: number, alpha: number): number {
  const g = ALPHA_GRID.length, x = alpha * (g - 1);
  const j = Math.min(g - 2, Math.floor(x)), f = x - j;
  return (1 - f) * gains.gains[e * g + j] + f * gains.gains[e * g + j + 1];
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
