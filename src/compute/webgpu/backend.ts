/**
 * The WebGPU backend: tensors live in device buffers and ops run as WGSL
 * compute shaders.
 *
 * @module
 */
import type { Backend, CosineTopKOptions, Matrix, Tensor, TopKResult } from "../backend.ts";
import { validateMatrix, validateTopK } from "../_validate.ts";
import { cosineTopKBlocked } from "../cpu/cosine_topk.ts";
import { GpuContext, type GpuContextOptions } from "./context.ts";
import { gpuCosineTopK, MAX_GPU_TOPK } from "./cosine_topk.ts";
import { BufferUsage } from "./_usage.ts";

const TENSOR_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/** A matrix held in a device buffer. */
class GpuTensor implements Tensor {
  readonly backend = "webgpu" as const;
  disposed = false;
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly buffer: GPUBuffer,
    readonly label: string,
    readonly owner: WebGpuBackend,
  ) {}
}

/**
 * Runs ops as WGSL compute shaders on a {@linkcode GpuContext}.
 *
 * @example
 * ```ts ignore
 * import { WebGpuBackend } from "./backend.ts";
 * const gpu = await WebGpuBackend.create();
 * const items = gpu.upload({ rows: 2, cols: 2, data: new Float32Array([1, 0, 0, 1]) });
 * const top = await gpu.cosineTopK(items, items, { k: 1 });
 * console.log([...top.indices]); // [0, 1]
 * gpu.destroy();
 * ```
 */
export class WebGpuBackend implements Backend {
  /** Always `"webgpu"`. */
  readonly name = "webgpu" as const;
  /** The context every op runs on. */
  readonly context: GpuContext;

  /**
   * Wraps an existing context (the backend then owns it and destroys it).
   *
   * @param context a context from {@linkcode GpuContext.create}
   */
  constructor(context: GpuContext) {
    this.context = context;
  }

  /**
   * Creates a context and a backend on it.
   *
   * @param options adapter choice
   * @returns the backend
   * @throws {GpuUnavailableError} without an adapter or device
   * @example
   * ```ts ignore
   * import { WebGpuBackend } from "./backend.ts";
   * const gpu = await WebGpuBackend.create();
   * gpu.destroy();
   * ```
   */
  static async create(options?: GpuContextOptions): Promise<WebGpuBackend> {
    return new WebGpuBackend(await GpuContext.create(options));
  }

  /**
   * "WebGPU on " and the adapter's name.
   *
   * @example
   * ```ts ignore
   * console.log((await WebGpuBackend.create()).description); // e.g. "WebGPU on llvmpipe (…)"
   * ```
   */
  get description(): string {
    return `WebGPU on ${this.context.adapterDescription}`;
  }

  /**
   * Copies the matrix into a new device buffer.
   *
   * @param matrix finite values
   * @param label a name for errors and GPU debugging
   * @returns the device tensor
   * @example
   * ```ts ignore
   * const t = gpu.upload({ rows: 1, cols: 4, data: new Float32Array(4) }, "zeros");
   * ```
   */
  upload(matrix: Matrix, label = "tensor"): Tensor {
    validateMatrix(matrix, label);
    const buffer = this.context.acquireBuffer(
      matrix.data.byteLength,
      TENSOR_USAGE,
      `tensor:${label}`,
    );
    this.context.write(buffer, matrix.data);
    return new GpuTensor(matrix.rows, matrix.cols, buffer, label, this);
  }

  /**
   * Copies a device tensor back to the host.
   *
   * @param tensor a tensor of this backend
   * @returns the values
   * @example
   * ```ts ignore
   * const m = await gpu.download(t);
   * ```
   */
  async download(tensor: Tensor): Promise<Matrix> {
    const t = this.#own(tensor);
    const bytes = t.rows * t.cols * 4;
    const ctx = this.context;
    const staging = ctx.acquireBuffer(
      bytes,
      BufferUsage.MAP_READ | BufferUsage.COPY_DST,
      "download",
    );
    try {
      ctx.copy(t.buffer, 0, staging, 0, bytes);
      const data = new Float32Array(await ctx.read("download", staging, bytes));
      return { rows: t.rows, cols: t.cols, data };
    } finally {
      ctx.releaseBuffer(staging);
    }
  }

  /**
   * Returns the tensor's buffer to the pool.
   *
   * @param tensor a tensor of this backend
   * @example
   * ```ts ignore
   * gpu.dispose(t);
   * ```
   */
  dispose(tensor: Tensor): void {
    const t = this.#own(tensor);
    t.disposed = true;
    this.context.releaseBuffer(t.buffer);
  }

  /**
   * Cosine top-k on the GPU (see {@linkcode Backend.cosineTopK}). Beyond
   * k = 2048 the selection is a full sort and runs on the CPU.
   *
   * @param queries m × d
   * @param items n × d
   * @param options k and exclusions
   * @returns indices and scores, best first
   * @example
   * ```ts ignore
   * const top = await gpu.cosineTopK(queries, items, { k: 10 });
   * ```
   */
  async cosineTopK(
    queries: Tensor,
    items: Tensor,
    options: CosineTopKOptions,
  ): Promise<TopKResult> {
    const q = this.#own(queries), x = this.#own(items);
    const k = validateTopK(q, x, options);
    if (k <= MAX_GPU_TOPK) return gpuCosineTopK(this.context, q, x, k, options.exclude);
    const [hostQueries, hostItems] = await Promise.all([this.download(q), this.download(x)]);
    return cosineTopKBlocked(hostQueries, hostItems, k, options.exclude);
  }

  /**
   * Destroys the context and its device.
   *
   * @example
   * ```ts ignore
   * gpu.destroy();
   * ```
   */
  destroy(): void {
    this.context.destroy();
  }

  #own(tensor: Tensor): GpuTensor {
    this.context.assertUsable();
    if (!(tensor instanceof GpuTensor) || tensor.owner !== this) {
      throw new TypeError(
        `tensor "${tensor.label}" belongs to another backend (${tensor.backend})`,
      );
    }
    if (tensor.disposed) throw new Error(`tensor "${tensor.label}" was disposed`);
    return tensor;
  }
}
