/**
 * Typed errors of the compute layer, so callers can tell a missing GPU from a
 * broken shader from a lost device.
 *
 * @module
 */

/**
 * Base class of every WebGPU failure hwer reports.
 *
 * @example
 * ```ts
 * import { GpuError } from "./errors.ts";
 * const e = new GpuError("something failed");
 * console.log(e instanceof Error, e.name); // true "GpuError"
 * ```
 */
export class GpuError extends Error {
  /**
   * Creates the error.
   *
   * @param message what went wrong
   * @param options the underlying cause, if any
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * No WebGPU adapter or device could be obtained.
 *
 * @example
 * ```ts
 * import { GpuUnavailableError } from "./errors.ts";
 * console.log(new GpuUnavailableError("no adapter").name); // "GpuUnavailableError"
 * ```
 */
export class GpuUnavailableError extends GpuError {}

/**
 * A shader failed validation or compilation. Carries the shader's label and the
 * compiler's message (with line and column).
 *
 * @example
 * ```ts
 * import { GpuShaderError } from "./errors.ts";
 * const e = new GpuShaderError("hwer:cosine_scores", "parsing error at 3:1");
 * console.log(e.shaderLabel); // "hwer:cosine_scores"
 * ```
 */
export class GpuShaderError extends GpuError {
  /**
   * Creates the error.
   *
   * @param shaderLabel the label of the shader module or pipeline
   * @param detail the validation message from the WebGPU implementation
   */
  constructor(readonly shaderLabel: string, readonly detail: string) {
    super(`shader "${shaderLabel}" is invalid: ${detail}`);
  }
}

/**
 * A GPU command failed validation or ran out of memory.
 *
 * @example
 * ```ts
 * import { GpuOperationError } from "./errors.ts";
 * const e = new GpuOperationError("cosineTopK", "buffer too large");
 * console.log(e.operation); // "cosineTopK"
 * ```
 */
export class GpuOperationError extends GpuError {
  /**
   * Creates the error.
   *
   * @param operation the hwer operation that was running
   * @param detail the WebGPU implementation's message
   */
  constructor(readonly operation: string, readonly detail: string) {
    super(`${operation} failed on the GPU: ${detail}`);
  }
}

/**
 * The GPU device was lost (destroyed, driver reset, …); the context is unusable.
 *
 * @example
 * ```ts
 * import { GpuDeviceLostError } from "./errors.ts";
 * const e = new GpuDeviceLostError("destroyed", "device was destroyed");
 * console.log(e.reason); // "destroyed"
 * ```
 */
export class GpuDeviceLostError extends GpuError {
  /**
   * Creates the error.
   *
   * @param reason `"destroyed"` or `"unknown"`, from `GPUDeviceLostInfo`
   * @param detail the implementation's message
   */
  constructor(readonly reason: string, readonly detail: string) {
    super(`the GPU device was lost (${reason}): ${detail}; create a new context`);
  }
}
