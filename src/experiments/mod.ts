/**
 * The experiment table: content-based, NMF, content + NMF, content + triplet
 * (global α and the alpha tree) next to Random and Popularity, on ML-100k
 * warm and cold-item and ml-latest-small warm, with NDCG@10, P@10, R@10, AUC,
 * RMSE and fit time; plus a generated movie catalogue with planted tastes for
 * demos and CI. `hwer experiments` is the command that runs it.
 *
 * @example
 * ```ts
 * import { formatExperimentsMarkdown, runExperiments, syntheticMovieDataset } from "./mod.ts";
 * const report = await runExperiments({
 *   datasets: [syntheticMovieDataset({ users: 80, items: 120, seed: 7 })],
 *   models: ["random", "popularity"],
 *   seed: 7,
 * });
 * console.log(formatExperimentsMarkdown(report).startsWith("# hwer experiments")); // true
 * ```
 *
 * @module
 */
export * from "./models.ts";
export * from "./protocols.ts";
export * from "./runner.ts";
export * from "./format.ts";
export * from "./synthetic.ts";
