/**
 * The compute layer: one {@linkcode Backend} interface with a CPU reference
 * and a WebGPU implementation, and {@linkcode selectBackend} to pick one.
 *
 * @example
 * ```ts
 * import { selectBackend } from "./mod.ts";
 * const { backend } = await selectBackend("cpu");
 * const items = backend.upload({ rows: 3, cols: 2, data: new Float32Array([1, 0, 0, 1, 1, 1]) });
 * const top = await backend.cosineTopK(items, items, { k: 2 });
 * console.log([...top.indices]); // [0, 2, 1, 2, 2, 0]
 * backend.destroy();
 * ```
 *
 * @module
 */
export type {
  Activation,
  AdamOptions,
  Backend,
  BackendName,
  CosineTopKOptions,
  DenseGradients,
  ExclusionCsr,
  Matrix,
  Tensor,
  TopKResult,
} from "./backend.ts";
export { CpuBackend } from "./cpu/backend.ts";
export { WebGpuBackend } from "./webgpu/backend.ts";
export {
  describeAdapter,
  GpuContext,
  type GpuContextOptions,
  isFallbackAdapter,
  type Kernel,
  type KernelBinding,
  type KernelSpec,
  requestGpuAdapter,
} from "./webgpu/context.ts";
export {
  GpuDeviceLostError,
  GpuError,
  GpuOperationError,
  GpuShaderError,
  GpuUnavailableError,
} from "./errors.ts";
export {
  type BackendPreference,
  type BackendSelection,
  selectBackend,
  type SelectBackendOptions,
} from "./select.ts";
export { type RowSegments, segmentRows } from "./segments.ts";
