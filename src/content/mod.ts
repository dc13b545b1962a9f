/**
 * The content stage: fastText text vectors (`text.ts`), encoders for
 * categorical, multi-categorical and numeric columns (`features.ts`), the
 * fusion autoencoder that squeezes them into one content vector
 * (`fusion.ts`), per-table content models (`entity_content.ts`) and the
 * content-only recommender (`recommender.ts`).
 *
 * ```ts ignore
 * import { ContentRecommender } from "./mod.ts";
 * const model = new ContentRecommender();
 * await model.fit(split.train);
 * ```
 *
 * @module
 */
export * from "./text.ts";
export * from "./features.ts";
export * from "./fusion.ts";
export * from "./entity_content.ts";
export * from "./recommender.ts";
export type { SavedState, StateTensor } from "../util/state.ts";
