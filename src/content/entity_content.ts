/**
 * Content vectors for one entity table (items or users): fastText sentence
 * vectors of the entity's text, the encoded categorical / multi-categorical /
 * numeric groups, concatenated and fused by the autoencoder into one
 * `contentDims`-wide vector per entity. A fitted model embeds new entities
 * from their features alone.
 *
 * @module
 */
import type { Activation, Backend, Matrix } from "../compute/backend.ts";
import { CpuBackend } from "../compute/cpu/backend.ts";
import type { EntityTable } from "../data/types.ts";
import { type EntityFeatures, FeatureEncoder, type FeatureEncoderOptions } from "./features.ts";
import {
  type DenseLayer,
  FusionAutoencoder,
  type FusionOptions,
  type FusionProgress,
} from "./fusion.ts";
import { matrixTensor, type SavedState, stateMatrix, stateObject } from "../util/state.ts";
import {
  FastTextModel,
  planEntityDocuments,
  TextEmbedder,
  type TextEmbeddingOptions,
  type TextTrainingProgress,
  trainTextEmbeddings,
} from "./text.ts";

/**
 * Options of {@linkcode EntityContentModel.fit}.
 *
 * @example
 * ```ts
 * import type { EntityContentOptions } from "./entity_content.ts";
 * const options: EntityContentOptions = { text: { dims: 32, epochs: 5 }, fusion: { contentDims: 32 } };
 * console.log(options.fusion && options.fusion.contentDims); // 32
 * ```
 */
export interface EntityContentOptions {
  /** fastText options, or false to skip text. Default `{ dims: 64, epochs: 20 }`. */
  readonly text?: TextEmbeddingOptions | false;
  /** Which non-text columns to encode and how. */
  readonly features?: FeatureEncoderOptions;
  /**
   * Weight of the text group against one encoded column group (each encoded
   * group has mean squared row norm 1/G over the table). Default 2: the text
   * vector summarises several columns (title words, genres, year).
   */
  readonly textWeight?: number;
  /** Fusion autoencoder options, or false to use the concatenated groups as they are. */
  readonly fusion?: FusionOptions | false;
  /** Seed for fastText and the autoencoder (unless they set their own). Default 42. */
  readonly seed?: number;
  /** Where the autoencoder trains. Default: a CPU backend. */
  readonly backend?: Backend;
  /** Progress of fastText and of the fusion epochs. */
  readonly onProgress?: (progress: TextTrainingProgress | FusionProgress) => void;
}

/**
 * A fitted content model for one entity table.
 *
 * @example
 * ```ts ignore
 * import { EntityContentModel } from "./entity_content.ts";
 * import { loadMovieLens100k } from "../data/mod.ts";
 * const ds = await loadMovieLens100k("ml-100k");
 * const { model, vectors } = await EntityContentModel.fit(ds.items);
 * const cold = await model.embed({ title: "Toy Story 3", genres: ["Animation", "Children's"], year: 2010 });
 * console.log(vectors.cols === cold.length); // true
 * ```
 */
export class EntityContentModel {
  /** The text embedder, or null when the table has no text to use or text is off. */
  readonly text: TextEmbedder | null;
  /** The encoder of non-text columns, or null when there are none. */
  readonly encoder: FeatureEncoder | null;
  /** Scale applied to unit-length text vectors. */
  readonly textScale: number;
  /** The fusion autoencoder, or null when fusion is off. */
  readonly fusion: FusionAutoencoder | null;

  /**
   * Assembles a model from fitted parts (as {@linkcode EntityContentModel.fit} or a loader does).
   *
   * @param parts the text embedder, feature encoder, text scale and autoencoder
   */
  constructor(parts: {
    text: TextEmbedder | null;
    encoder: FeatureEncoder | null;
    textScale: number;
    fusion: FusionAutoencoder | null;
  }) {
    if (!parts.text && !parts.encoder) {
      throw new Error("EntityContentModel needs text or encoded features");
    }
    this.text = parts.text;
    this.encoder = parts.encoder;
    this.textScale = parts.textScale;
    this.fusion = parts.fusion;
  }

  /**
   * Width of the content vectors.
   *
   * @example
   * ```ts ignore
   * console.log(model.dims); // 64
   * ```
   */
  get dims(): number {
    return this.fusion ? this.fusion.contentDims : this.inputDims;
  }

  /**
   * Width of the concatenated feature rows (text group plus encoded groups).
   *
   * @example
   * ```ts ignore
   * console.log(model.inputDims);
   * ```
   */
  get inputDims(): number {
    return (this.text?.dims ?? 0) + (this.encoder?.cols ?? 0);
  }

  /**
   * Fits text embeddings, the feature encoder and the autoencoder on a table,
   * and returns the table's content vectors. Null when the table has nothing
   * to build content from (no text and no encodable column).
   *
   * @param table the entities and their feature columns
   * @param options text, features, fusion, seed and backend
   * @returns the model and one content vector per entity, or null
   * @example
   * ```ts ignore
   * const fitted = await EntityContentModel.fit(dataset.items, { fusion: { contentDims: 64 } });
   * ```
   */
  static async fit(
    table: EntityTable,
    options: EntityContentOptions = {},
  ): Promise<{ model: EntityContentModel; vectors: Matrix } | null> {
    const seed = options.seed ?? 42;
    const hasText = options.text !== false &&
      planEntityDocuments(table, options.text || {}).columns.length > 0;
    let text: TextEmbedder | null = null;
    let textVectors: Float32Array | null = null;
    if (hasText) {
      const trained = await trainTextEmbeddings(table, {
        dims: 64,
        epochs: 20,
        seed,
        onProgress: options.onProgress,
        ...(options.text || {}),
      });
      text = trained.embedder;
      textVectors = trained.vectors;
    }
    const fitted = FeatureEncoder.fit(table, options.features);
    const encoder = fitted.cols > 0 ? fitted : null;
    if (!text && !encoder) return null;
    const groups = Math.max(1, encoder?.groups.length ?? 0);
    const textScale = Math.sqrt((options.textWeight ?? 2) / groups);
    const partial = new EntityContentModel({ text, encoder, textScale, fusion: null });
    const inputs = partial.#assemble(
      table.ids.length,
      textVectors,
      encoder?.encodeTable(table).data ?? null,
    );
    if (options.fusion === false) return { model: partial, vectors: inputs };
    const backend = options.backend ?? new CpuBackend();
    const fusion = await FusionAutoencoder.train(backend, inputs, {
      seed,
      onProgress: options.onProgress,
      ...(options.fusion ?? {}),
    });
    const model = new EntityContentModel({ text, encoder, textScale, fusion });
    return { model, vectors: await fusion.encode(backend, inputs) };
  }

  /**
   * The concatenated feature rows of a table (text group first).
   *
   * @param table entities with the fitted table's columns
   * @returns rows × inputDims
   * @example
   * ```ts ignore
   * const inputs = model.featureRows(dataset.items);
   * ```
   */
  featureRows(table: EntityTable): Matrix {
    return this.#assemble(
      table.ids.length,
      this.text ? this.text.embedTable(table) : null,
      this.encoder ? this.encoder.encodeTable(table).data : null,
    );
  }

  /**
   * Content vectors of a table's entities.
   *
   * @param table entities with the fitted table's columns
   * @param backend where the autoencoder runs (default CPU)
   * @returns rows × dims
   * @example
   * ```ts ignore
   * const vectors = await model.embedTable(dataset.items);
   * ```
   */
  async embedTable(table: EntityTable, backend: Backend = new CpuBackend()): Promise<Matrix> {
    const inputs = this.featureRows(table);
    return this.fusion ? await this.fusion.encode(backend, inputs) : inputs;
  }

  /**
   * The content vector of one new entity from its features alone.
   *
   * @param features column name → value (unknown categories encode as zeros)
   * @param backend where the autoencoder runs (default CPU)
   * @returns a `dims`-wide vector
   * @example
   * ```ts ignore
   * const v = await model.embed({ title: "Heat", genres: ["Action", "Crime"], year: 1995 });
   * ```
   */
  async embed(
    features: EntityFeatures,
    backend: Backend = new CpuBackend(),
  ): Promise<Float32Array> {
    const inputs = this.#assemble(
      1,
      this.text ? this.text.embed(features) : null,
      this.encoder ? this.encoder.encode(features) : null,
    );
    return this.fusion ? (await this.fusion.encode(backend, inputs)).data : inputs.data;
  }

  /**
   * The model as JSON, tensors and files: the text embedder's plan (and the
   * fastText model as `fasttext.bin`), the encoder's vocabularies and
   * statistics, and the autoencoder's layers.
   *
   * @returns the state; {@linkcode EntityContentModel.fromState} restores it
   * @example
   * ```ts ignore
   * const again = await EntityContentModel.fromState(model.exportState());
   * ```
   */
  exportState(): SavedState {
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    const layers = (role: "encoder" | "decoder", list: readonly DenseLayer[]) =>
      list.map((layer, i) => {
        tensors[`fusion.${role}.${i}.weight`] = matrixTensor(layer.weights);
        tensors[`fusion.${role}.${i}.bias`] = matrixTensor(layer.bias);
        return layer.activation;
      });
    const fusion = this.fusion
      ? {
        encoder: layers("encoder", this.fusion.encoder),
        decoder: layers("decoder", this.fusion.decoder),
      }
      : null;
    return {
      json: {
        textScale: this.textScale,
        text: this.text ? this.text.toJSON() : null,
        encoder: this.encoder ? this.encoder.toJSON() : null,
        fusion,
      },
      tensors,
      files: this.text ? { "fasttext.bin": this.text.model.toBytes() } : {},
    };
  }

  /**
   * Restores a model from {@linkcode EntityContentModel.exportState}: it
   * embeds exactly as the saved one did.
   *
   * @param state the saved state
   * @param owner names the model in errors (e.g. "items")
   * @returns the model
   * @example
   * ```ts ignore
   * const model = await EntityContentModel.fromState(state, "items");
   * ```
   */
  static async fromState(state: SavedState, owner = "content"): Promise<EntityContentModel> {
    const json = stateObject(state.json, owner);
    let text: TextEmbedder | null = null;
    if (json.text) {
      const bytes = state.files["fasttext.bin"];
      if (!bytes) throw new Error(`${owner}: the saved state has text but no fasttext.bin`);
      text = TextEmbedder.fromJSON(
        json.text,
        await FastTextModel.fromBytes(bytes, `${owner} fasttext.bin`),
      );
    }
    const encoder = json.encoder ? FeatureEncoder.fromJSON(json.encoder) : null;
    let fusion: FusionAutoencoder | null = null;
    if (json.fusion) {
      const f = stateObject(json.fusion, `${owner} fusion`);
      const layers = (role: "encoder" | "decoder") => {
        const activations = f[role];
        if (!Array.isArray(activations)) {
          throw new Error(`${owner}: fusion.${role} should list activations`);
        }
        return activations.map((activation, i): DenseLayer => ({
          weights: stateMatrix(state, `fusion.${role}.${i}.weight`, owner),
          bias: stateMatrix(state, `fusion.${role}.${i}.bias`, owner),
          activation: activation as Activation,
        }));
      };
      fusion = new FusionAutoencoder(layers("encoder"), layers("decoder"));
    }
    const textScale = Number(json.textScale);
    if (!Number.isFinite(textScale)) {
      throw new Error(`${owner}: textScale ${json.textScale} is not a number`);
    }
    return new EntityContentModel({ text, encoder, textScale, fusion });
  }

  /** Unit-length text rows × textScale, then the encoded groups. */
  #assemble(rows: number, textVectors: Float32Array | null, encoded: Float32Array | null): Matrix {
    const textDims = this.text?.dims ?? 0, encodedDims = this.encoder?.cols ?? 0;
    const cols = textDims + encodedDims;
    const data = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      if (textVectors) {
        let sum = 0;
        for (let t = 0; t < textDims; t++) sum += textVectors[r * textDims + t] ** 2;
        const scale = sum > 0 ? this.textScale / Math.sqrt(sum) : 0;
        for (let t = 0; t < textDims; t++) {
          data[r * cols + t] = textVectors[r * textDims + t] * scale;
        }
      }
      if (encoded) {
        data.set(encoded.subarray(r * encodedDims, (r + 1) * encodedDims), r * cols + textDims);
      }
    }
    return { rows, cols, data };
  }
}
