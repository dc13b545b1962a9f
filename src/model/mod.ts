/**
 * The model layer: the hybrid recommender and model files (safetensors
 * tensors plus a JSON manifest, written atomically).
 *
 * ```ts ignore
 * import { HybridRecommender } from "./mod.ts";
 * const model = new HybridRecommender();
 * ```
 *
 * @module
 */
export * from "./hybrid.ts";
export * from "./safetensors.ts";
export * from "./manifest.ts";
