/**
 * hwer — hybrid weighted embedding recommender for Deno.
 *
 * Content embeddings for items and users, enhanced with collaborative signal
 * and blended by how much history each entity has, with the heavy math in
 * WGSL compute shaders (WebGPU) and a TypeScript CPU backend as reference.
 *
 * @example
 * ```ts
 * import { selectBackend } from "./mod.ts";
 * const { backend, reason } = await selectBackend("auto");
 * console.log(reason);
 * const items = backend.upload({ rows: 3, cols: 2, data: new Float32Array([1, 0, 0, 1, 0.8, 0.6]) });
 * const user = backend.upload({ rows: 1, cols: 2, data: new Float32Array([1, 0.1]) });
 * const top = await backend.cosineTopK(user, items, { k: 2 });
 * console.log([...top.indices]); // [0, 2]
 * backend.destroy();
 * ```
 *
 * @module
 */
export * from "./src/compute/mod.ts";
export * from "./src/data/mod.ts";
export * from "./src/eval/mod.ts";
export * from "./src/collab/mod.ts";
export { Rng } from "./src/util/random.ts";
export * from "./src/model/mod.ts";
export * from "./src/blend/mod.ts";
export {
  type AtomicWriteData,
  atomicWriteFile,
  type AtomicWriteOptions,
} from "./src/util/atomic_write.ts";
export type { ProgressInfo, ProgressReporter, ProgressStartOptions } from "./src/cli/progress.ts";
export * from "./src/content/mod.ts";
export * from "./src/experiments/mod.ts";
