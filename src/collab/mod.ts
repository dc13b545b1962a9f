/**
 * The collaborative stage: triplet-trained user and item embeddings
 * (`TripletRecommender`, `trainTripletEmbeddings`), and baselines with
 * Surprise's defaults: global mean, BaselineOnly (ALS biases), popularity, NMF
 * and Funk SVD, and the tuned rating model `FactorRatingModel` (SVD++ with side
 * priors). Each implements the `Recommender` interface of the harness.
 *
 * ```ts ignore
 * import { SVD } from "./mod.ts";
 * const model = new SVD({ seed: 42 });
 * ```
 *
 * @module
 */
export * from "./baselines.ts";
export * from "./factor_rating.ts";
export * from "./nmf.ts";
export * from "./svd.ts";
export * from "./triplet.ts";
