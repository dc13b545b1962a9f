/**
 * Datasets for hwer: the dataset model (entity tables with typed feature
 * columns, interactions as typed arrays), loaders for MovieLens and a generic
 * CSV/TSV format, a cached downloader, and seeded splits.
 *
 * ```ts ignore
 * import { loadMovieLens100k, stratifiedSplit } from "./mod.ts";
 * const ds = await loadMovieLens100k("../shared/data/ml-100k");
 * const split = stratifiedSplit(ds, { trainRatio: 0.75, seed: 42 });
 * ```
 *
 * @module
 */
export * from "./types.ts";
export type { PathLike, TextEncoding } from "./_text.ts";
export * from "./dataset.ts";
export * from "./columns.ts";
export * from "./movielens.ts";
export * from "./generic.ts";
export * from "./fetch.ts";
export * from "./splits.ts";
