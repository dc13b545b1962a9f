/**
 * The blend stage: α by interaction history (alpha tree, smooth α(n),
 * life-cycle stages), fitted on validation gains.
 *
 * ```ts
 * import { alphaFor } from "./mod.ts";
 * console.log(alphaFor({ kind: "smooth", k: 5 }, 5, NaN)); // 0.5
 * ```
 *
 * @module
 */
export * from "./alpha.ts";
