/**
 * The fusion autoencoder: heterogeneous feature groups (text vectors, one-hot,
 * idf multi-hot, numeric transforms) concatenated and squeezed through a
 * bottleneck whose activations are the entity's content vector. It trains on
 * any {@linkcode Backend}; on WebGPU a whole epoch stays on the device and the
 * loss is read back once per epoch.
 *
 * @module
 */
import type { Activation, Backend, Matrix, Tensor } from "../compute/backend.ts";
import { Rng } from "../util/random.ts";

/**
 * Options of {@linkcode FusionAutoencoder.train}.
 *
 * @example
 * ```ts
 * import type { FusionOptions } from "./fusion.ts";
 * const options: FusionOptions = { contentDims: 32, epochs: 20, seed: 1 };
 * console.log(options.contentDims); // 32
 * ```
 */
export interface FusionOptions {
  /** Width of the bottleneck = the content vector. Default 64. */
  readonly contentDims?: number;
  /** Encoder hidden widths (the decoder mirrors them). Default `[max(2·contentDims, 128)]`. */
  readonly hiddenDims?: readonly number[];
  /** Hidden-layer activation. Default `"tanh"`. */
  readonly activation?: Activation;
  /** Passes over the data. Default 60. */
  readonly epochs?: number;
  /** Rows per Adam step. Default 64. */
  readonly batchSize?: number;
  /** Adam step size. Default 2e-3. */
  readonly learningRate?: number;
  /** Decoupled weight decay. Default 1e-5. */
  readonly weightDecay?: number;
  /** Seed for initial weights and batch order. Default 42. */
  readonly seed?: number;
  /** Called after every epoch. */
  readonly onProgress?: (progress: FusionProgress) => void;
}

/**
 * One epoch's report.
 *
 * @example
 * ```ts
 * import type { FusionProgress } from "./fusion.ts";
 * const p: FusionProgress = { stage: "fusion", epoch: 1, epochs: 10, loss: 0.2 };
 * console.log(p.stage); // "fusion"
 * ```
 */
export interface FusionProgress {
  /** Always `"fusion"`. */
  readonly stage: "fusion";
  /** 1-based epoch just finished. */
  readonly epoch: number;
  /** Total epochs. */
  readonly epochs: number;
  /** Mean reconstruction MSE over the epoch's batches. */
  readonly loss: number;
}

/**
 * One dense layer's host weights.
 *
 * @example
 * ```ts
 * import type { DenseLayer } from "./fusion.ts";
 * const layer: DenseLayer = {
 *   weights: { rows: 2, cols: 1, data: new Float32Array(2) },
 *   bias: { rows: 1, cols: 1, data: new Float32Array(1) },
 *   activation: "linear",
 * };
 * console.log(layer.activation); // "linear"
 * ```
 */
export interface DenseLayer {
  /** in × out. */
  readonly weights: Matrix;
  /** 1 × out. */
  readonly bias: Matrix;
  /** The non-linearity after the affine map. */
  readonly activation: Activation;
}

/**
 * A trained fusion autoencoder. `encode` maps feature rows to content vectors.
 *
 * @example
 * ```ts
 * import { CpuBackend } from "../compute/cpu/backend.ts";
 * import { FusionAutoencoder } from "./fusion.ts";
 * const backend = new CpuBackend();
 * const features = { rows: 4, cols: 3, data: new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0]) };
 * const model = await FusionAutoencoder.train(backend, features, { contentDims: 2, hiddenDims: [4], epochs: 3 });
 * const vectors = await model.encode(backend, features);
 * console.log(vectors.rows, vectors.cols); // 4 2
 * ```
 */
export class FusionAutoencoder {
  /** Encoder layers, input to bottleneck. */
  readonly encoder: readonly DenseLayer[];
  /** Decoder layers, bottleneck to reconstruction. */
  readonly decoder: readonly DenseLayer[];
  /** Mean reconstruction MSE of each epoch. */
  readonly losses: readonly number[];

  /**
   * Wraps trained layers (as from {@linkcode FusionAutoencoder.train} or a saved model).
   *
   * @param encoder input → bottleneck layers
   * @param decoder bottleneck → reconstruction layers
   * @param losses per-epoch training loss
   */
  constructor(
    encoder: readonly DenseLayer[],
    decoder: readonly DenseLayer[],
    losses: readonly number[] = [],
  ) {
    if (encoder.length === 0) {
      throw new RangeError("FusionAutoencoder needs at least one encoder layer");
    }
    for (const [i, layer] of [...encoder, ...decoder].entries()) {
      const next = [...encoder, ...decoder][i + 1];
      if (next && next.weights.rows !== layer.weights.cols) {
        throw new RangeError(
          `FusionAutoencoder layer ${
            i + 1
          } takes ${next.weights.rows} inputs but layer ${i} gives ${layer.weights.cols}`,
        );
      }
    }
    this.encoder = encoder;
    this.decoder = decoder;
    this.losses = losses;
  }

  /**
   * Width of the feature rows it takes.
   *
   * @example
   * ```ts ignore
   * console.log(model.inputDims);
   * ```
   */
  get inputDims(): number {
    return this.encoder[0].weights.rows;
  }

  /**
   * Width of the content vectors it gives.
   *
   * @example
   * ```ts ignore
   * console.log(model.contentDims); // 64
   * ```
   */
  get contentDims(): number {
    return this.encoder[this.encoder.length - 1].weights.cols;
  }

  /**
   * Trains on feature rows: Glorot-uniform weights, zero biases, shuffled
   * mini-batches, Adam on the mean squared reconstruction error.
   *
   * @param backend where to compute
   * @param features one row per entity
   * @param options sizes and training settings
   * @returns the trained model
   * @example
   * ```ts ignore
   * const model = await FusionAutoencoder.train(backend, features, { contentDims: 64, epochs: 60 });
   * ```
   */
  static async train(
    backend: Backend,
    features: Matrix,
    options: FusionOptions = {},
  ): Promise<FusionAutoencoder> {
    const contentDims = options.contentDims ?? 64;
    const hiddenDims = options.hiddenDims ?? [Math.max(2 * contentDims, 128)];
    const activation = options.activation ?? "tanh";
    const epochs = options.epochs ?? 60;
    const batchSize = Math.min(options.batchSize ?? 64, Math.max(1, features.rows));
    const adam = {
      learningRate: options.learningRate ?? 2e-3,
      weightDecay: options.weightDecay ?? 1e-5,
    };
    for (
      const [name, value] of [["contentDims", contentDims], ["epochs", epochs], [
        "batchSize",
        batchSize,
      ]] as const
    ) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`FusionAutoencoder: ${name} must be an integer ≥ 1, got ${value}`);
      }
    }
    if (features.rows === 0 || features.cols === 0) {
      throw new RangeError(
        `FusionAutoencoder: no features to train on (${features.rows} × ${features.cols})`,
      );
    }
    const rng = new Rng(options.seed ?? 42);
    // Encoder: input → hidden… → bottleneck (linear); decoder mirrors it back to a linear reconstruction.
    const widths = [
      features.cols,
      ...hiddenDims,
      contentDims,
      ...[...hiddenDims].reverse(),
      features.cols,
    ];
    const bottleneck = hiddenDims.length + 1;
    const layers = widths.slice(1).map((out, i) => {
      const inputs = widths[i];
      const limit = Math.sqrt(6 / (inputs + out));
      const isLinear = i === bottleneck - 1 || i === widths.length - 2;
      return {
        activation: (isLinear ? "linear" : activation) as Activation,
        weights: backend.upload({
          rows: inputs,
          cols: out,
          data: rng.uniformArray(inputs * out, -limit, limit),
        }, `fusion-w${i}`),
        bias: backend.zeros(1, out, `fusion-b${i}`),
      };
    });
    const optimiserState = layers.map((l) => ({
      weights: [
        backend.zeros(l.weights.rows, l.weights.cols),
        backend.zeros(l.weights.rows, l.weights.cols),
      ],
      bias: [backend.zeros(1, l.bias.cols), backend.zeros(1, l.bias.cols)],
    }));
    const data = backend.upload(features, "fusion-features");
    const losses: number[] = [];
    const order = Int32Array.from({ length: features.rows }, (_, i) => i);
    let step = 0;
    try {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        rng.shuffle(order);
        const lossTotal = backend.zeros(1, 1, "fusion-loss");
        let batches = 0;
        for (let start = 0; start < order.length; start += batchSize) {
          const batch = await backend.gatherRows(
            data,
            order.subarray(start, start + batchSize),
            "fusion-batch",
          );
          const activations: Tensor[] = [batch];
          for (const layer of layers) {
            activations.push(
              await backend.denseForward(
                activations.at(-1)!,
                layer.weights,
                layer.bias,
                layer.activation,
              ),
            );
          }
          let upstream = await backend.mseLoss(activations.at(-1)!, batch, lossTotal);
          step++;
          for (let i = layers.length - 1; i >= 0; i--) {
            const layer = layers[i];
            const grads = await backend.denseBackward(
              activations[i],
              layer.weights,
              activations[i + 1],
              upstream,
              layer.activation,
              i > 0,
            );
            backend.dispose(upstream);
            await backend.adamStep(
              layer.weights,
              grads.weights,
              optimiserState[i].weights[0],
              optimiserState[i].weights[1],
              step,
              adam,
            );
            await backend.adamStep(
              layer.bias,
              grads.bias,
              optimiserState[i].bias[0],
              optimiserState[i].bias[1],
              step,
              adam,
            );
            backend.dispose(grads.weights);
            backend.dispose(grads.bias);
            upstream = grads.inputs!;
          }
          for (const t of activations) backend.dispose(t);
          batches++;
        }
        const loss = (await backend.download(lossTotal)).data[0] / batches;
        backend.dispose(lossTotal);
        losses.push(loss);
        options.onProgress?.({ stage: "fusion", epoch, epochs, loss });
      }
      const trained: DenseLayer[] = [];
      for (const layer of layers) {
        trained.push({
          weights: await backend.download(layer.weights),
          bias: await backend.download(layer.bias),
          activation: layer.activation,
        });
      }
      return new FusionAutoencoder(trained.slice(0, bottleneck), trained.slice(bottleneck), losses);
    } finally {
      backend.dispose(data);
      for (const l of layers) backend.dispose(l.weights), backend.dispose(l.bias);
      for (const s of optimiserState) for (const t of [...s.weights, ...s.bias]) backend.dispose(t);
    }
  }

  /**
   * Content vectors (bottleneck activations) of feature rows.
   *
   * @param backend where to compute
   * @param features rows with {@linkcode FusionAutoencoder.inputDims} columns
   * @returns one `contentDims`-wide row per input row
   * @example
   * ```ts ignore
   * const vectors = await model.encode(backend, features);
   * ```
   */
  encode(backend: Backend, features: Matrix): Promise<Matrix> {
    return this.#run(backend, features, this.encoder);
  }

  /**
   * Reconstructions of feature rows through the whole network.
   *
   * @param backend where to compute
   * @param features rows with {@linkcode FusionAutoencoder.inputDims} columns
   * @returns reconstructed rows, same shape
   * @example
   * ```ts ignore
   * const reconstruction = await model.reconstruct(backend, features);
   * ```
   */
  reconstruct(backend: Backend, features: Matrix): Promise<Matrix> {
    return this.#run(backend, features, [...this.encoder, ...this.decoder]);
  }

  async #run(backend: Backend, features: Matrix, layers: readonly DenseLayer[]): Promise<Matrix> {
    if (features.cols !== this.inputDims) {
      throw new RangeError(
        `FusionAutoencoder expects ${this.inputDims} feature columns, got ${features.cols}`,
      );
    }
    const owned: Tensor[] = [];
    try {
      let current = backend.upload(features, "fusion-input");
      owned.push(current);
      for (const layer of layers) {
        const w = backend.upload(layer.weights, "fusion-w"),
          b = backend.upload(layer.bias, "fusion-b");
        owned.push(w, b);
        current = await backend.denseForward(current, w, b, layer.activation);
        owned.push(current);
      }
      return await backend.download(current);
    } finally {
      for (const t of owned) backend.dispose(t);
    }
  }
}
