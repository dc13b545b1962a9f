/**
 * The CPU backend: TypeScript kernels on Float32Array, with WebAssembly SIMD
 * kernels for cosine top-k and dense layers where the runtime has SIMD. The
 * TypeScript kernels define what every op computes; other backends and the
 * SIMD kernels are tested against them.
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
import { adamRowsCpu, segmentSumCpu, tripletGradientsCpu } from "./triplet.ts";
import { cosineTopKBlocked } from "./cosine_topk.ts";
import {
  type CpuKernel,
  denseBackwardBlocked,
  denseForwardBlocked,
  denseSimdAvailable,
} from "./dense.ts";
import { adamConstants, adamStepCpu, gatherRowsCpu, mseLossCpu } from "./nn.ts";

/** A host-memory tensor. */
class CpuTensor implements Tensor {
  readonly backend = "cpu" as const;
  disposed = false;
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly data: Float32Array,
    readonly label: string,
  ) {}
}

/**
 * Runs every op on the calling thread: cosine top-k and dense layers in
 * WebAssembly SIMD (float32 sums) where the runtime has it, the rest in
 * TypeScript. `kernel: "typescript"` runs the TypeScript reference kernels
 * (float64 sums) throughout, e.g. to compare or benchmark them.
 *
 * @example
 * ```ts
 * import { CpuBackend } from "./backend.ts";
 * const cpu = new CpuBackend();
 * const items = cpu.upload({ rows: 2, cols: 2, data: new Float32Array([1, 0, 0, 1]) });
 * const top = await cpu.cosineTopK(items, items, { k: 1 });
 * console.log([...top.indices]); // [0, 1]
 * console.log(new CpuBackend({ kernel: "typescript" }).description); // "TypeScript on the CPU"
 * ```
 */
export class CpuBackend implements Backend {
  /** Always `"cpu"`. */
  readonly name = "cpu" as const;
  /**
   * `"TypeScript and WebAssembly SIMD on the CPU"`, or `"TypeScript on the CPU"`
   * with `kernel: "typescript"` or where the runtime lacks SIMD.
   */
  readonly description: string;
  readonly #kernel: CpuKernel;
  #destroyed = false;

  /**
   * A CPU backend.
   *
   * @param options `kernel`: `"auto"` (default: WebAssembly SIMD where available),
   *   `"simd"` (throws here when the runtime lacks it) or `"typescript"`
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const reference = new CpuBackend({ kernel: "typescript" });
   * console.log(reference.name); // "cpu"
   * ```
   */
  constructor(options: { readonly kernel?: "auto" | "simd" | "typescript" } = {}) {
    const kernel = options.kernel ?? "auto";
    if (!["auto", "simd", "typescript"].includes(kernel)) {
      throw new RangeError(`CpuBackend: kernel must be auto, simd or typescript, got ${kernel}`);
    }
    const simd = kernel !== "typescript" && denseSimdAvailable();
    if (kernel === "simd" && !simd) {
      throw new Error("CpuBackend: WebAssembly SIMD is not available here");
    }
    this.#kernel = kernel;
    this.description = simd
      ? "TypeScript and WebAssembly SIMD on the CPU"
      : "TypeScript on the CPU";
  }

  /**
   * Copies the matrix (the caller may reuse its array).
   *
   * @param matrix finite values
   * @param label a name for errors
   * @returns a CPU tensor
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const t = new CpuBackend().upload({ rows: 1, cols: 1, data: new Float32Array([1]) }, "one");
   * console.log(t.label); // "one"
   * ```
   */
  upload(matrix: Matrix, label = "tensor"): Tensor {
    this.#checkAlive();
    validateMatrix(matrix, label);
    return new CpuTensor(matrix.rows, matrix.cols, matrix.data.slice(), label);
  }

  /**
   * Returns a copy of the tensor's values.
   *
   * @param tensor a tensor of this backend
   * @returns the values
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * const m = await cpu.download(cpu.upload({ rows: 1, cols: 2, data: new Float32Array([1, 2]) }));
   * console.log([...m.data]); // [1, 2]
   * ```
   */
  download(tensor: Tensor): Promise<Matrix> {
    const t = this.#own(tensor);
    return Promise.resolve({ rows: t.rows, cols: t.cols, data: t.data.slice() });
  }

  /**
   * Marks the tensor as released.
   *
   * @param tensor a tensor of this backend
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * cpu.dispose(cpu.upload({ rows: 0, cols: 0, data: new Float32Array() }));
   * ```
   */
  dispose(tensor: Tensor): void {
    this.#own(tensor).disposed = true;
  }

  /**
   * Cosine top-k with the 4 × 4 register-blocked kernel (SIMD or TypeScript).
   *
   * @param queries m × d
   * @param items n × d
   * @param options k and exclusions
   * @returns indices and scores, best first
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * const items = cpu.upload({ rows: 3, cols: 1, data: new Float32Array([1, -1, 2]) });
   * const top = await cpu.cosineTopK(items, items, { k: 3 });
   * console.log([...top.indices.slice(0, 3)]); // [0, 2, 1]
   * ```
   */
  cosineTopK(queries: Tensor, items: Tensor, options: CosineTopKOptions): Promise<TopKResult> {
    const q = this.#own(queries), x = this.#own(items);
    const k = validateTopK(q, x, options);
    return Promise.resolve(cosineTopKBlocked(q, x, k, options.exclude, this.#kernel));
  }

  /**
   * A new tensor of zeros.
   *
   * @param rows number of rows
   * @param cols number of columns
   * @param label a name for errors
   * @returns the tensor
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * console.log(new CpuBackend().zeros(2, 3).cols); // 3
   * ```
   */
  zeros(rows: number, cols: number, label = "zeros"): Tensor {
    this.#checkAlive();
    validateShape("zeros", rows, cols);
    return new CpuTensor(rows, cols, new Float32Array(rows * cols), label);
  }

  /**
   * Rows picked by index (see {@linkcode Backend.gatherRows}).
   *
   * @param source the full matrix
   * @param rows row indices
   * @param label a name for the result
   * @returns the gathered rows
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * const t = await cpu.gatherRows(cpu.upload({ rows: 2, cols: 1, data: new Float32Array([1, 2]) }), new Int32Array([1]));
   * console.log([...(await cpu.download(t)).data]); // [2]
   * ```
   */
  gatherRows(source: Tensor, rows: Int32Array, label = "gathered"): Promise<Tensor> {
    const s = this.#own(source);
    validateRowIndices("gatherRows", s, rows);
    return Promise.resolve(this.#wrap(gatherRowsCpu(s, rows), label));
  }

  /**
   * A dense layer's forward pass (see {@linkcode Backend.denseForward}), in
   * WebAssembly SIMD unless the backend runs the TypeScript kernels.
   *
   * @param inputs X
   * @param weights W
   * @param bias b
   * @param activation the non-linearity
   * @returns Y
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * const up = (r: number, c: number, v: number[]) => cpu.upload({ rows: r, cols: c, data: new Float32Array(v) });
   * const y = await cpu.denseForward(up(1, 2, [1, -2]), up(2, 1, [1, 1]), up(1, 1, [0]), "relu");
   * console.log([...(await cpu.download(y)).data]); // [0]
   * ```
   */
  denseForward(
    inputs: Tensor,
    weights: Tensor,
    bias: Tensor,
    activation: Activation,
  ): Promise<Tensor> {
    const x = this.#own(inputs), w = this.#own(weights), b = this.#own(bias);
    validateDense("denseForward", x, w, b, activation);
    return Promise.resolve(
      this.#wrap(denseForwardBlocked(x, w, b, activation, this.#kernel), "dense-output"),
    );
  }

  /**
   * A dense layer's backward pass (see {@linkcode Backend.denseBackward}), its
   * two matrix products in WebAssembly SIMD unless the backend runs the
   * TypeScript kernels.
   *
   * @param inputs X
   * @param weights W
   * @param outputs Y
   * @param outputGradient ∂L/∂Y
   * @param activation the forward activation
   * @param wantInputGradient whether to compute ∂L/∂X
   * @returns the gradients
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * const up = (r: number, c: number, v: number[]) => cpu.upload({ rows: r, cols: c, data: new Float32Array(v) });
   * const g = await cpu.denseBackward(up(1, 1, [2]), up(1, 1, [3]), up(1, 1, [6]), up(1, 1, [1]), "linear", false);
   * console.log([...(await cpu.download(g.weights)).data]); // [2]
   * ```
   */
  denseBackward(
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
    validateDense(
      "denseBackward",
      x,
      w,
      { rows: 1, cols: w.cols, backend: "cpu", label: "bias" },
      activation,
    );
    expectShape("denseBackward", y, x.rows, w.cols);
    expectShape("denseBackward", dy, x.rows, w.cols);
    const g = denseBackwardBlocked(x, w, y, dy, activation, wantInputGradient, this.#kernel);
    return Promise.resolve({
      inputs: g.inputs ? this.#wrap(g.inputs, "input-gradient") : null,
      weights: this.#wrap(g.weights, "weight-gradient"),
      bias: this.#wrap(g.bias, "bias-gradient"),
    });
  }

  /**
   * Mean squared error and its gradient (see {@linkcode Backend.mseLoss}).
   *
   * @param prediction p
   * @param expected t
   * @param lossTotal 1 × 1 accumulator
   * @returns ∂L/∂p
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * const total = cpu.zeros(1, 1);
   * await cpu.mseLoss(cpu.upload({ rows: 1, cols: 1, data: new Float32Array([3]) }), cpu.zeros(1, 1), total);
   * console.log((await cpu.download(total)).data[0]); // 9
   * ```
   */
  mseLoss(prediction: Tensor, expected: Tensor, lossTotal: Tensor): Promise<Tensor> {
    const p = this.#own(prediction), t = this.#own(expected), total = this.#own(lossTotal);
    expectShape("mseLoss", t, p.rows, p.cols);
    expectShape("mseLoss", total, 1, 1);
    return Promise.resolve(this.#wrap(mseLossCpu(p, t, total), "mse-gradient"));
  }

  /**
   * One Adam step in place (see {@linkcode Backend.adamStep}).
   *
   * @param parameter updated in place
   * @param gradient same shape
   * @param firstMoment m
   * @param secondMoment v
   * @param step 1-based
   * @param options hyper-parameters
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * const p = cpu.upload({ rows: 1, cols: 1, data: new Float32Array([1]) });
   * const g = cpu.upload({ rows: 1, cols: 1, data: new Float32Array([1]) });
   * await cpu.adamStep(p, g, cpu.zeros(1, 1), cpu.zeros(1, 1), 1, { learningRate: 0.5 });
   * console.log((await cpu.download(p)).data[0]); // 0.5
   * ```
   */
  adamStep(
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
    adamStepCpu(p, g, m, v, step, options);
    return Promise.resolve();
  }

  /**
   * Weighted triplet loss gradients (see {@linkcode Backend.tripletGradients}).
   *
   * @param triplets 3B × E, [anchors; positives; negatives]
   * @param weights (w_p, w_n) per triplet
   * @param margin the margin
   * @param lossTotal 1 × 1 accumulator
   * @returns 3B × E gradients
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * const triplet = cpu.upload({ rows: 3, cols: 2, data: new Float32Array([1, 0, 0, 1, 1, 0]) });
   * const g = await cpu.tripletGradients(triplet, new Float32Array([1, 1]), 0.1, cpu.zeros(1, 1));
   * console.log(g.rows); // 3
   * ```
   */
  tripletGradients(
    triplets: Tensor,
    weights: Float32Array,
    margin: number,
    lossTotal: Tensor,
  ): Promise<Tensor> {
    const x = this.#own(triplets), total = this.#own(lossTotal);
    validateTriplets(x, weights, margin);
    expectShape("tripletGradients", total, 1, 1);
    return Promise.resolve(
      this.#wrap(tripletGradientsCpu(x, weights, margin, total), "triplet-gradients"),
    );
  }

  /**
   * Segmented row sums (see {@linkcode Backend.segmentSum}).
   *
   * @param rows the rows
   * @param offsets segment bounds
   * @param order row indices by segment
   * @returns K × cols
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * const rows = cpu.upload({ rows: 2, cols: 1, data: new Float32Array([1, 2]) });
   * const s = await cpu.segmentSum(rows, new Int32Array([0, 2]), new Int32Array([1, 0]));
   * console.log([...(await cpu.download(s)).data]); // [3]
   * ```
   */
  segmentSum(rows: Tensor, offsets: Int32Array, order: Int32Array): Promise<Tensor> {
    const r = this.#own(rows);
    validateSegments(r, offsets, order);
    return Promise.resolve(this.#wrap(segmentSumCpu(r, offsets, order), "segment-sums"));
  }

  /**
   * Row-sparse Adam in place (see {@linkcode Backend.adamRows}).
   *
   * @param table the table
   * @param rows distinct rows
   * @param gradient one row per listed row
   * @param firstMoment m
   * @param secondMoment v
   * @param step 1-based
   * @param options hyper-parameters
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * const cpu = new CpuBackend();
   * const table = cpu.upload({ rows: 2, cols: 1, data: new Float32Array([1, 1]) });
   * const g = cpu.upload({ rows: 1, cols: 1, data: new Float32Array([1]) });
   * await cpu.adamRows(table, new Int32Array([0]), g, cpu.zeros(2, 1), cpu.zeros(2, 1), 1, { learningRate: 0.5 });
   * console.log([...(await cpu.download(table)).data]); // [0.5, 1]
   * ```
   */
  adamRows(
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
    adamRowsCpu(t, rows, g, m, v, step, options);
    return Promise.resolve();
  }

  /**
   * Marks the backend as destroyed.
   *
   * @example
   * ```ts
   * import { CpuBackend } from "./backend.ts";
   * new CpuBackend().destroy();
   * ```
   */
  destroy(): void {
    this.#destroyed = true;
  }

  #wrap(matrix: Matrix, label: string): CpuTensor {
    return new CpuTensor(matrix.rows, matrix.cols, matrix.data, label);
  }

  #checkAlive(): void {
    if (this.#destroyed) throw new Error("the cpu backend was destroyed");
  }

  #own(tensor: Tensor): CpuTensor {
    this.#checkAlive();
    if (!(tensor instanceof CpuTensor)) {
      throw new TypeError(
        `tensor "${tensor.label}" belongs to the ${tensor.backend} backend, not cpu`,
      );
    }
    if (tensor.disposed) throw new Error(`tensor "${tensor.label}" was disposed`);
    return tensor;
  }
}
