/**
 * The WebGPU backend: tensors live in device buffers and ops run as WGSL
 * compute shaders.
 *
 * @module
 */
import type {
  Activation,
  AdamOptions,
  Backend,
  CosineTopKOptions,
  DenseGradients,
  Matrix,
  Tensor,
  TopKResult,
} from "../backend.ts";
import {
  expectShape,
  validateAdamRows,
  validateDense,
  validateMatrix,
  validateRowIndices,
  validateSegments,
  validateShape,
  validateTopK,
  validateTriplets,
} from "../_validate.ts";
import { gpuAdamRows, gpuSegmentSum, gpuTripletGradients } from "./triplet.ts";
import { adamConstants } from "../cpu/nn.ts";
import {
  allocateMatrix,
  gpuAdamStep,
  gpuDenseBackward,
  gpuDenseForward,
  gpuGatherRows,
  gpuMseLoss,
} from "./nn.ts";
import type { DeviceMatrix } from "./cosine_topk.ts";
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
   * A new device tensor of zeros.
   *
   * @param rows number of rows
   * @param cols number of columns
   * @param label a name for errors and GPU debugging
   * @returns the tensor
   * @example
   * ```ts ignore
   * const total = gpu.zeros(1, 1, "loss");
   * ```
   */
  zeros(rows: number, cols: number, label = "zeros"): Tensor {
    validateShape("zeros", rows, cols);
    const matrix = allocateMatrix(this.context, rows, cols, label);
    this.context.write(matrix.buffer, new Float32Array(matrix.buffer.size / 4));
    return this.#wrap(matrix);
  }

  /**
   * Rows picked by index on the device (see {@linkcode Backend.gatherRows}).
   *
   * @param source the full matrix
   * @param rows row indices
   * @param label a name for the result
   * @returns the gathered rows
   * @example
   * ```ts ignore
   * const batch = await gpu.gatherRows(features, new Int32Array([4, 1, 7]));
   * ```
   */
  async gatherRows(source: Tensor, rows: Int32Array, label = "gathered"): Promise<Tensor> {
    const s = this.#own(source);
    validateRowIndices("gatherRows", s, rows);
    return this.#wrap(await gpuGatherRows(this.context, s, rows, label));
  }

  /**
   * A dense layer's forward pass on the device (see {@linkcode Backend.denseForward}).
   *
   * @param inputs X
   * @param weights W
   * @param bias b
   * @param activation the non-linearity
   * @returns Y
   * @example
   * ```ts ignore
   * const hidden = await gpu.denseForward(batch, w1, b1, "relu");
   * ```
   */
  async denseForward(
    inputs: Tensor,
    weights: Tensor,
    bias: Tensor,
    activation: Activation,
  ): Promise<Tensor> {
    const x = this.#own(inputs), w = this.#own(weights), b = this.#own(bias);
    validateDense("denseForward", x, w, b, activation);
    return this.#wrap(await gpuDenseForward(this.context, x, w, b, activation));
  }

  /**
   * A dense layer's backward pass on the device (see {@linkcode Backend.denseBackward}).
   *
   * @param inputs X
   * @param weights W
   * @param outputs Y
   * @param outputGradient ∂L/∂Y
   * @param activation the forward activation
   * @param wantInputGradient whether to compute ∂L/∂X
   * @returns the gradients
   * @example
   * ```ts ignore
   * const grads = await gpu.denseBackward(batch, w1, hidden, dHidden, "relu", false);
   * ```
   */
  async denseBackward(
    inputs: Tensor,
    weights: Tensor,
    outputs: Tensor,
    outputGradient: Tensor,
    activation: Activation,
    wantInputGradient: boolean,
  ): Promise<DenseGradients> {
    const x = this.#own(inputs),
      w = this.#own(weights),
      y = this.#own(outputs),
      dy = this.#own(outputGradient);
    validateDense("denseBackward", x, w, {
      rows: 1,
      cols: w.cols,
      backend: "webgpu",
      label: "bias",
    }, activation);
    expectShape("denseBackward", y, x.rows, w.cols);
    expectShape("denseBackward", dy, x.rows, w.cols);
    const g = await gpuDenseBackward(this.context, x, w, y, dy, activation, wantInputGradient);
    return {
      inputs: g.inputs ? this.#wrap(g.inputs) : null,
      weights: this.#wrap(g.weights),
      bias: this.#wrap(g.bias),
    };
  }

  /**
   * Mean squared error on the device (see {@linkcode Backend.mseLoss}).
   *
   * @param prediction p
   * @param expected t
   * @param lossTotal 1 × 1 accumulator
   * @returns ∂L/∂p
   * @example
   * ```ts ignore
   * const grad = await gpu.mseLoss(reconstruction, batch, epochLoss);
   * ```
   */
  async mseLoss(prediction: Tensor, expected: Tensor, lossTotal: Tensor): Promise<Tensor> {
    const p = this.#own(prediction), t = this.#own(expected), total = this.#own(lossTotal);
    expectShape("mseLoss", t, p.rows, p.cols);
    expectShape("mseLoss", total, 1, 1);
    return this.#wrap(await gpuMseLoss(this.context, p, t, total));
  }

  /**
   * One Adam step in place on the device (see {@linkcode Backend.adamStep}).
   *
   * @param parameter updated in place
   * @param gradient same shape
   * @param firstMoment m
   * @param secondMoment v
   * @param step 1-based
   * @param options hyper-parameters
   * @example
   * ```ts ignore
   * await gpu.adamStep(w1, grads.weights, m1, v1, step, { learningRate: 1e-3 });
   * ```
   */
  async adamStep(
    parameter: Tensor,
    gradient: Tensor,
    firstMoment: Tensor,
    secondMoment: Tensor,
    step: number,
    options: AdamOptions,
  ): Promise<void> {
    const p = this.#own(parameter), g = this.#own(gradient);
    const m = this.#own(firstMoment), v = this.#own(secondMoment);
    for (const t of [g, m, v]) expectShape("adamStep", t, p.rows, p.cols);
    adamConstants(step, options);
    await gpuAdamStep(this.context, p, g, m, v, step, options);
  }

  /**
   * Weighted triplet loss gradients on the device (see {@linkcode Backend.tripletGradients}).
   *
   * @param triplets 3B × E, [anchors; positives; negatives]
   * @param weights (w_p, w_n) per triplet
   * @param margin the margin
   * @param lossTotal 1 × 1 accumulator
   * @returns 3B × E gradients
   * @example
   * ```ts ignore
   * const grads = await gpu.tripletGradients(stacked, weights, 0.2, epochLoss);
   * ```
   */
  async tripletGradients(
    triplets: Tensor,
    weights: Float32Array,
    margin: number,
    lossTotal: Tensor,
  ): Promise<Tensor> {
    const x = this.#own(triplets), total = this.#own(lossTotal);
    validateTriplets(x, weights, margin);
    expectShape("tripletGradients", total, 1, 1);
    return this.#wrap(await gpuTripletGradients(this.context, x, weights, margin, total));
  }

  /**
   * Segmented row sums on the device (see {@linkcode Backend.segmentSum}).
   *
   * @param rows the rows
   * @param offsets segment bounds
   * @param order row indices by segment
   * @returns K × cols
   * @example
   * ```ts ignore
   * const sums = await gpu.segmentSum(grads, segments.offsets, segments.order);
   * ```
   */
  async segmentSum(rows: Tensor, offsets: Int32Array, order: Int32Array): Promise<Tensor> {
    const r = this.#own(rows);
    validateSegments(r, offsets, order);
    return this.#wrap(await gpuSegmentSum(this.context, r, offsets, order));
  }

  /**
   * Row-sparse Adam on the device (see {@linkcode Backend.adamRows}).
   *
   * @param table the table
   * @param rows distinct rows
   * @param gradient one row per listed row
   * @param firstMoment m
   * @param secondMoment v
   * @param step 1-based
   * @param options hyper-parameters
   * @example
   * ```ts ignore
   * await gpu.adamRows(itemTable, segments.rows, sums, m, v, step, { learningRate: 0.01 });
   * ```
   */
  async adamRows(
    table: Tensor,
    rows: Int32Array,
    gradient: Tensor,
    firstMoment: Tensor,
    secondMoment: Tensor,
    step: number,
    options: AdamOptions,
  ): Promise<void> {
    const t = this.#own(table), g = this.#own(gradient);
    const m = this.#own(firstMoment), v = this.#own(secondMoment);
    validateAdamRows(t, rows, g, m, v);
    adamConstants(step, options);
    await gpuAdamRows(this.context, t, rows, g, m, v, step, options);
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

  #wrap(matrix: DeviceMatrix): GpuTensor {
    return new GpuTensor(matrix.rows, matrix.cols, matrix.buffer, matrix.label, this);
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
