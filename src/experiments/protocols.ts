/**
 * The evaluation protocols of the experiment table: warm (per-user stratified
 * 75/25, top-10 from all unseen items) and cold-item (20 % of items held out
 * with all their interactions, ranked among the held-out items only, as
 * `hwer eval --split cold-item`).
 *
 * @module
 */
import { coldItemSplit, stratifiedSplit } from "../data/splits.ts";
import type { Dataset, Split } from "../data/types.ts";

/**
 * Protocol ids, as `hwer eval --split` names them.
 *
 * @example
 * ```ts
 * import type { ExperimentProtocol } from "./protocols.ts";
 * const p: ExperimentProtocol = "cold-item";
 * console.log(p); // "cold-item"
 * ```
 */
export type ExperimentProtocol = "stratified" | "cold-item";

/**
 * How one protocol splits a dataset and which items it ranks.
 *
 * @example
 * ```ts
 * import { PROTOCOL_DEFINITIONS } from "./protocols.ts";
 * console.log(PROTOCOL_DEFINITIONS["cold-item"].candidates); // "test-items"
 * ```
 */
export interface ProtocolDefinition {
  /** The protocol id. */
  readonly id: ExperimentProtocol;
  /** Section title in the table. */
  readonly title: string;
  /** Which items are ranked: all (minus the user's train items) or only the test items. */
  readonly candidates: "all" | "test-items";
  /**
   * Makes the split.
   *
   * @param dataset the whole dataset
   * @param seed the split seed
   * @returns train and test sharing one id space
   */
  split(dataset: Dataset, seed: number): Split;
}

/**
 * The protocols by id.
 *
 * @example
 * ```ts
 * import { syntheticMovieDataset } from "./synthetic.ts";
 * import { PROTOCOL_DEFINITIONS } from "./protocols.ts";
 * const split = PROTOCOL_DEFINITIONS.stratified.split(syntheticMovieDataset({ users: 20, items: 30 }), 1);
 * console.log(split.kind); // "stratified"
 * ```
 */
export const PROTOCOL_DEFINITIONS: Readonly<Record<ExperimentProtocol, ProtocolDefinition>> = Object
  .freeze({
    stratified: {
      id: "stratified",
      title: "per-user stratified 75/25, top-10 from unseen items",
      candidates: "all",
      split: (dataset: Dataset, seed: number) =>
        stratifiedSplit(dataset, { trainRatio: 0.75, seed }),
    },
    "cold-item": {
      id: "cold-item",
      title: "cold items (20 % held out), ranked among the held-out items",
      candidates: "test-items",
      split: (dataset: Dataset, seed: number) => coldItemSplit(dataset, { fraction: 0.2, seed }),
    },
  });

/**
 * Every protocol id, in table order.
 *
 * @example
 * ```ts
 * import { EXPERIMENT_PROTOCOLS } from "./protocols.ts";
 * console.log(EXPERIMENT_PROTOCOLS); // ["stratified", "cold-item"]
 * ```
 */
export const EXPERIMENT_PROTOCOLS: readonly ExperimentProtocol[] = Object.freeze([
  "stratified",
  "cold-item",
]);

/**
 * The protocols a dataset gets when none are asked for: ml-latest-small is
 * run warm only (its cold-item run is long and adds little beyond ML-100k's);
 * every other dataset gets both.
 *
 * @param name the dataset's name ("ml-100k", "ml-latest-small", or any other)
 * @returns protocol ids
 * @example
 * ```ts
 * import { defaultExperimentProtocols } from "./protocols.ts";
 * console.log(defaultExperimentProtocols("ml-latest-small")); // ["stratified"]
 * console.log(defaultExperimentProtocols("ml-100k")); // ["stratified", "cold-item"]
 * ```
 */
export function defaultExperimentProtocols(name: string): ExperimentProtocol[] {
  return name === "ml-latest-small" ? ["stratified"] : [...EXPERIMENT_PROTOCOLS];
}
