/**
 * Evaluation: the `Recommender` contract, metrics (Microsoft Recommenders'
 * definitions, the NCF sampled protocol, LightFM's AUC), top-k ranking that
 * never returns train items, and the experiment runner with markdown and
 * JSON output.
 *
 * ```ts ignore
 * import { evaluate, formatMarkdown } from "./mod.ts";
 * const result = await evaluate(model, split, { metrics: ["precision", "ndcg"], k: 10 });
 * console.log(formatMarkdown([result]));
 * ```
 *
 * @module
 */
export type { FitOptions, Recommender } from "./recommender.ts";
export {
  averagePrecisionAtK,
  bucketLabel,
  bucketOf,
  catalogCoverage,
  DEFAULT_BUCKETS,
  mae,
  ndcgAtK,
  precisionAtK,
  recallAtK,
  rmse,
  sampledHit,
  userAuc,
} from "./metrics.ts";
export { type Recommendations, recommendTopK, topK } from "./ranking.ts";
export {
  ALL_METRICS,
  type BucketResult,
  evaluate,
  type EvaluateOptions,
  type EvaluationResult,
  formatJson,
  formatMarkdown,
  meanResult,
  type MetricName,
} from "./runner.ts";
