/**
 * The compute interface every hwer stage calls. Two implementations exist: the
 * CPU reference (`CpuBackend`) and WebGPU (`WebGpuBackend`); both compute the
 * same functions and are tested against each other.
 *
 * @module
 */

/**
 * A dense row-major float32 matrix in host memory.
 *
 * @example
 * ```ts
 * import type { Matrix } from "./backend.ts";
 * const m: Matrix = { rows: 2, cols: 3, data: new Float32Array(6) };
 * console.log(m.data.length === m.rows * m.cols); // true
 * ```
 */
export interface Matrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** `rows * cols` values, row after row. */
  readonly data: Float32Array;
}

/**
 * A matrix owned by a backend: on the CPU a host array, on WebGPU a device
 * buffer that stays on the device between ops until downloaded or disposed.
 *
 * @example
 * ```ts
 * import { CpuBackend } from "./cpu/backend.ts";
 * const backend = new CpuBackend();
 * const t = backend.upload({ rows: 1, cols: 2, data: new Float32Array([3, 4]) });
 * console.log(t.rows, t.cols, t.backend); // 1 2 "cpu"
 * backend.dispose(t);
 * ```
 */
export interface Tensor {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** Name of the backend that owns the tensor. */
  readonly backend: BackendName;
  /** A label for errors and GPU debugging. */
  readonly label: string;
}

/**
 * Names of the available backends.
 *
 * @example
 * ```ts
 * import type { BackendName } from "./backend.ts";
 * const name: BackendName = "cpu";
 * console.log(name); // "cpu"
 * ```
 */
export type BackendName = "cpu" | "webgpu";

/**
 * Per-query exclusion lists in CSR form: the items of query `q` are
 * `indices[offsets[q] .. offsets[q + 1])`. Typically the items a user already saw.
 * Order and duplicates inside a row do not matter.
 *
 * @example
 * ```ts
 * import type { ExclusionCsr } from "./backend.ts";
 * // query 0 excludes items 2 and 5, query 1 excludes nothing
 * const ex: ExclusionCsr = { offsets: new Int32Array([0, 2, 2]), indices: new Int32Array([2, 5]) };
 * console.log(ex.offsets.length); // 3
 * ```
 */
export interface ExclusionCsr {
  /** `queries + 1` non-decreasing offsets into `indices`, starting at 0. */
  readonly offsets: Int32Array | Uint32Array;
  /** Item indices, each in `[0, items)`. */
  readonly indices: Int32Array | Uint32Array;
}

/**
 * Options of {@linkcode Backend.cosineTopK}.
 *
 * @example
 * ```ts
 * import type { CosineTopKOptions } from "./backend.ts";
 * const options: CosineTopKOptions = { k: 10 };
 * console.log(options.k); // 10
 * ```
 */
export interface CosineTopKOptions {
  /** How many items per query, ≥ 1. Results have `min(k, items)` columns. */
  readonly k: number;
  /** Items never returned for a query. */
  readonly exclude?: ExclusionCsr;
}

/**
 * The k best items for every query, best first.
 *
 * Row `q` of the result is `indices[q * k .. (q + 1) * k)` with its scores at
 * the same positions. Slots that could not be filled because too many items
 * were excluded hold index `-1` and score `-Infinity`.
 *
 * @example
 * ```ts
 * import type { TopKResult } from "./backend.ts";
 * const r: TopKResult = { queries: 1, k: 1, indices: new Int32Array([4]), scores: new Float32Array([0.9]) };
 * console.log(r.indices[0]); // 4
 * ```
 */
export interface TopKResult {
  /** Number of queries (rows). */
  readonly queries: number;
  /** Columns per row: `min(requested k, number of items)`. */
  readonly k: number;
  /** `queries * k` item indices, `-1` for an empty slot. */
  readonly indices: Int32Array;
  /** `queries * k` cosine similarities, `-Infinity` for an empty slot. */
  readonly scores: Float32Array;
}

/**
 * Activation of a dense layer: identity, max(x, 0), tanh, or the logistic function.
 *
 * @example
 * ```ts
 * import type { Activation } from "./backend.ts";
 * const a: Activation = "relu";
 * console.log(a); // "relu"
 * ```
 */
export type Activation = "linear" | "relu" | "tanh" | "sigmoid";

/**
 * Gradients of a dense layer `Y = act(X W + b)`.
 *
 * @example
 * ```ts
 * import type { DenseGradients } from "./backend.ts";
 * const keys: (keyof DenseGradients)[] = ["inputs", "weights", "bias"];
 * console.log(keys.length); // 3
 * ```
 */
export interface DenseGradients {
  /** ∂L/∂X (batch × in), or null when not asked for (the first layer). */
  readonly inputs: Tensor | null;
  /** ∂L/∂W (in × out). */
  readonly weights: Tensor;
  /** ∂L/∂b (1 × out). */
  readonly bias: Tensor;
}

/**
 * Adam hyper-parameters (Kingma & Ba), with decoupled weight decay.
 *
 * @example
 * ```ts
 * import type { AdamOptions } from "./backend.ts";
 * const adam: AdamOptions = { learningRate: 1e-3 };
 * console.log(adam.learningRate); // 0.001
 * ```
 */
export interface AdamOptions {
  /** Step size. */
  readonly learningRate: number;
  /** First-moment decay, default 0.9. */
  readonly beta1?: number;
  /** Second-moment decay, default 0.999. */
  readonly beta2?: number;
  /** Denominator guard, default 1e-8. */
  readonly epsilon?: number;
  /** Decoupled weight decay λ (AdamW), default 0. */
  readonly weightDecay?: number;
}

/**
 * The operations hwer's stages run. Implementations must agree with the CPU
 * backend within the tolerance their tests state.
 *
 * @example
 * ```ts
 * import { CpuBackend } from "./cpu/backend.ts";
 * import type { Backend } from "./backend.ts";
 * const backend: Backend = new CpuBackend();
 * const items = backend.upload({ rows: 3, cols: 2, data: new Float32Array([1, 0, 0, 1, 1, 1]) });
 * const queries = backend.upload({ rows: 1, cols: 2, data: new Float32Array([1, 0]) });
 * const top = await backend.cosineTopK(queries, items, { k: 2 });
 * console.log([...top.indices]); // [0, 2]
 * backend.destroy();
 * ```
 */
export interface Backend {
  /** Which implementation this is. */
  readonly name: BackendName;
  /** A human-readable description, e.g. the adapter's name. */
  readonly description: string;

  /**
   * Copies a host matrix to the backend. Values must be finite.
   *
   * @param matrix the values to copy
   * @param label a name used in errors and GPU debugging
   * @returns a tensor owned by this backend
   */
  upload(matrix: Matrix, label?: string): Tensor;

  /**
   * Copies a tensor back to host memory.
   *
   * @param tensor a tensor of this backend
   * @returns a new host matrix
   */
  download(tensor: Tensor): Promise<Matrix>;

  /**
   * Releases a tensor; using it afterwards throws.
   *
   * @param tensor a tensor of this backend
   */
  dispose(tensor: Tensor): void;

  /**
   * For every query row, the `k` items with the highest cosine similarity, best
   * first, ties to the lower item index. A zero vector has similarity 0 with
   * everything. Excluded items are never returned.
   *
   * @param queries m × d
   * @param items n × d
   * @param options k and exclusions
   * @returns the indices and scores
   */
  cosineTopK(queries: Tensor, items: Tensor, options: CosineTopKOptions): Promise<TopKResult>;

  /**
   * A new tensor of zeros.
   *
   * @param rows number of rows
   * @param cols number of columns
   * @param label a name for errors and GPU debugging
   * @returns the tensor
   */
  zeros(rows: number, cols: number, label?: string): Tensor;

  /**
   * Rows of `source` picked by index, in the given order (a mini-batch).
   *
   * @param source the full matrix
   * @param rows row indices, each in `[0, source.rows)`
   * @param label a name for the result
   * @returns a `rows.length × source.cols` tensor
   */
  gatherRows(source: Tensor, rows: Int32Array, label?: string): Promise<Tensor>;

  /**
   * A dense layer's forward pass, `Y = act(X W + b)`.
   *
   * @param inputs X, batch × in
   * @param weights W, in × out
   * @param bias b, 1 × out
   * @param activation the non-linearity
   * @returns Y, batch × out
   */
  denseForward(
    inputs: Tensor,
    weights: Tensor,
    bias: Tensor,
    activation: Activation,
  ): Promise<Tensor>;

  /**
   * A dense layer's backward pass from the upstream gradient ∂L/∂Y:
   * `dZ = ∂L/∂Y ⊙ act'(Y)`, `∂L/∂W = Xᵀ dZ`, `∂L/∂b = Σ_rows dZ`, `∂L/∂X = dZ Wᵀ`.
   *
   * @param inputs X, batch × in
   * @param weights W, in × out
   * @param outputs Y from the forward pass, batch × out
   * @param outputGradient ∂L/∂Y, batch × out
   * @param activation the forward pass's activation
   * @param wantInputGradient whether to compute ∂L/∂X
   * @returns the gradients
   */
  denseBackward(
    inputs: Tensor,
    weights: Tensor,
    outputs: Tensor,
    outputGradient: Tensor,
    activation: Activation,
    wantInputGradient: boolean,
  ): Promise<DenseGradients>;

  /**
   * Mean squared error `L = Σ (p − t)² / count`: returns ∂L/∂p and adds L to
   * `lossTotal[0]`, so a training loop reads its loss back once per epoch.
   *
   * @param prediction p
   * @param expected t, same shape
   * @param lossTotal a 1 × 1 accumulator
   * @returns ∂L/∂p = 2 (p − t) / count
   */
  mseLoss(prediction: Tensor, expected: Tensor, lossTotal: Tensor): Promise<Tensor>;

  /**
   * One Adam step in place on `parameter`, with its moment tensors.
   *
   * @param parameter updated in place
   * @param gradient same shape
   * @param firstMoment m, same shape, updated in place (start from zeros)
   * @param secondMoment v, same shape, updated in place (start from zeros)
   * @param step 1 for the first step (bias correction)
   * @param options learning rate and decays
   */
  adamStep(
    parameter: Tensor,
    gradient: Tensor,
    firstMoment: Tensor,
    secondMoment: Tensor,
    step: number,
    options: AdamOptions,
  ): Promise<void>;

  /**
   * Per-triplet gradients of the weighted triplet loss on cosine distance
   * `d = 1 − cos`: `L = mean_t max(0, w_p · d(a, p) − d(a, n) / w_n + margin)`.
   * Adds L to `lossTotal[0]`. A zero vector has cosine 0 with everything and a
   * pair involving it contributes no gradient.
   *
   * @param triplets 3B × E, rows stacked as [anchors; positives; negatives]
   * @param weights 2·B values: (w_p, w_n) of each triplet, all > 0
   * @param margin the margin
   * @param lossTotal a 1 × 1 accumulator
   * @returns 3B × E gradients, stacked like `triplets`
   */
  tripletGradients(
    triplets: Tensor,
    weights: Float32Array,
    margin: number,
    lossTotal: Tensor,
  ): Promise<Tensor>;

  /**
   * Adds up rows by segment, in a fixed order (no atomics):
   * `out[k] = Σ rows[order[j]]` for j in `[offsets[k], offsets[k + 1])`.
   *
   * @param rows the rows to add
   * @param offsets K + 1 bounds into `order`
   * @param order row indices grouped by segment
   * @returns K × cols
   */
  segmentSum(rows: Tensor, offsets: Int32Array, order: Int32Array): Promise<Tensor>;

  /**
   * Adam on some rows of a table only (lazy Adam), in place.
   *
   * @param table the table
   * @param rows distinct row indices
   * @param gradient rows.length × cols
   * @param firstMoment table-shaped m
   * @param secondMoment table-shaped v
   * @param step 1-based step number
   * @param options hyper-parameters
   */
  adamRows(
    table: Tensor,
    rows: Int32Array,
    gradient: Tensor,
    firstMoment: Tensor,
    secondMoment: Tensor,
    step: number,
    options: AdamOptions,
  ): Promise<void>;

  /** Releases everything the backend holds; the backend is unusable afterwards. */
  destroy(): void;
}
