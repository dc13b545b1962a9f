/**
 * The content-only recommender: items and users in one content space, ranked
 * by cosine similarity. It recommends items nobody has interacted with yet,
 * since an item's vector comes from its features alone.
 *
 * A user's vector combines two views:
 * - **history**: the rating-weighted mean of the unit content vectors of the
 *   items the user interacted with in training (weight = rating − scale
 *   minimum + 1, so every rating counts and higher ones count more; 1 for
 *   implicit data);
 * - **own features** (age, occupation, …), fused like items' and mapped into
 *   the item space by a ridge regression fitted on users that have history.
 *
 * They are blended as h · history + (1 − h) · features with h = n / (n + k),
 * n the user's training interactions. A user with neither history nor
 * features gets the popularity-weighted mean item vector (the average taste).
 *
 * @module
 */
import type { Backend, Matrix } from "../compute/backend.ts";
import { CpuBackend } from "../compute/cpu/backend.ts";
import { groupBy } from "../data/dataset.ts";
import type { Dataset } from "../data/types.ts";
import type { FitOptions, Recommender } from "../eval/recommender.ts";
import { trainItemsExclusion } from "../eval/ranking.ts";
import { EntityContentModel, type EntityContentOptions } from "./entity_content.ts";
import type { EntityFeatures } from "./features.ts";
import type { FusionProgress } from "./fusion.ts";
import type { TextTrainingProgress } from "./text.ts";
import { applyAffineMap, fitRidgeMap, pickRows, unitRows } from "../util/matrix.ts";
import {
  matrixTensor,
  prefixState,
  type SavedState,
  stateMatrix,
  stateObject,
  unprefixState,
} from "../util/state.ts";

export { unitRows };

/**
 * Options of {@linkcode ContentRecommender}.
 *
 * @example
 * ```ts
 * import type { ContentRecommenderOptions } from "./recommender.ts";
 * const options: ContentRecommenderOptions = { items: { fusion: { contentDims: 32 } }, historyShrinkage: 5 };
 * console.log(options.historyShrinkage); // 5
 * ```
 */
export interface ContentRecommenderOptions {
  /** How item content vectors are built. */
  readonly items?: EntityContentOptions;
  /** How users' own features are fused (before mapping into the item space). */
  readonly users?: EntityContentOptions;
  /** k in h = n / (n + k), the weight of history against own features. Default 3. */
  readonly historyShrinkage?: number;
  /** Ridge penalty of the features → item-space map. Default 1. */
  readonly ridge?: number;
  /** Seed for every stage. Default 42. */
  readonly seed?: number;
  /** Where the autoencoder and top-k run. Default: a CPU backend. */
  readonly backend?: Backend;
}

/**
 * Ranks items by cosine similarity between user and item content vectors.
 *
 * @example
 * ```ts ignore
 * import { ContentRecommender } from "./recommender.ts";
 * const model = new ContentRecommender();
 * await model.fit(split.train);
 * const top = await model.recommend([0], 10);
 * ```
 */
export class ContentRecommender implements Recommender {
  /** Always "Content". */
  readonly name = "Content";
  readonly #options: ContentRecommenderOptions;
  readonly #backend: Backend;
  #itemModel: EntityContentModel | null = null;
  #userModel: EntityContentModel | null = null;
  /** Features → item space, (user dims + 1) × item dims (last row: intercept). */
  #userMap: Matrix | null = null;
  #itemVectors: Matrix | null = null;
  #userVectors: Matrix | null = null;
  #train: Dataset | null = null;
  #averageTaste: Float32Array | null = null;

  /**
   * Creates an untrained model.
   *
   * @param options content options for items and users, blending and backend
   */
  constructor(options: ContentRecommenderOptions = {}) {
    this.#options = options;
    this.#backend = options.backend ?? new CpuBackend();
  }

  /**
   * Unit-length item content vectors (items × dims), after `fit`.
   *
   * @example
   * ```ts ignore
   * console.log(model.itemVectors.rows);
   * ```
   */
  get itemVectors(): Matrix {
    if (!this.#itemVectors) throw new Error("Content: call fit() first");
    return this.#itemVectors;
  }

  /**
   * Unit-length user content vectors (users × dims) in the item space, after `fit`.
   *
   * @example
   * ```ts ignore
   * console.log(model.userVectors.rows);
   * ```
   */
  get userVectors(): Matrix {
    if (!this.#userVectors) throw new Error("Content: call fit() first");
    return this.#userVectors;
  }

  /**
   * The fitted item content model (embeds new items).
   *
   * @example
   * ```ts ignore
   * const v = await model.itemModel.embed({ title: "Heat", genres: ["Action"] });
   * ```
   */
  get itemModel(): EntityContentModel {
    if (!this.#itemModel) throw new Error("Content: call fit() first");
    return this.#itemModel;
  }

  /**
   * Builds item and user content vectors from the train dataset's tables.
   *
   * @param train interactions and the shared entity tables
   * @param options progress callback (per fusion epoch)
   * @example
   * ```ts ignore
   * await model.fit(split.train);
   * ```
   */
  async fit(
    train: Dataset,
    options: FitOptions & {
      /** fastText and autoencoder progress of the item content model. */
      onProgress?: (progress: TextTrainingProgress | FusionProgress) => void;
    } = {},
  ): Promise<void> {
    const seed = this.#options.seed ?? 42;
    const progress = (p: TextTrainingProgress | FusionProgress) => {
      options.onProgress?.(p);
      if ("stage" in p) options.onEpoch?.(p.epoch, p.epochs);
    };
    const items = await EntityContentModel.fit(train.items, {
      seed,
      backend: this.#backend,
      onProgress: progress,
      ...this.#options.items,
    });
    if (!items) {
      throw new Error(
        `Content: the items of ${train.name} have no text or feature column to build content from`,
      );
    }
    this.#itemModel = items.model;
    this.#itemVectors = unitRows(items.vectors);
    this.#train = train;
    const users = train.users.columns.length > 0
      ? await EntityContentModel.fit(train.users, {
        seed,
        backend: this.#backend,
        text: false,
        ...this.#options.users,
      })
      : null;
    this.#userModel = users?.model ?? null;
    const history = historyProfiles(train, this.#itemVectors);
    let mapped: Matrix | null = null;
    if (users) {
      this.#userMap = fitRidgeMap(
        users.vectors,
        history.profiles,
        this.#options.ridge ?? 1,
        (u) => history.counts[u] > 0,
      );
      mapped = applyAffineMap(users.vectors, this.#userMap);
    }
    this.#averageTaste = averageTaste(train, this.#itemVectors);
    this.#userVectors = blendUsers(
      history,
      mapped,
      this.#options.historyShrinkage ?? 3,
      this.#averageTaste,
    );
  }

  /**
   * Cosine similarity of the user's content vector with every item's.
   *
   * @param user dense user index
   * @param out one score per item
   * @example
   * ```ts ignore
   * model.scoreItems(0, scores);
   * ```
   */
  scoreItems(user: number, out: Float32Array): void {
    const users = this.userVectors, items = this.itemVectors;
    dotAll(users.data.subarray(user * users.cols, (user + 1) * users.cols), items, out);
  }

  /**
   * Top-k unseen items for users, through the backend's cosine top-k kernel.
   *
   * @param users dense user indices
   * @param k how many per user
   * @returns item indices (−1 where fewer exist), users.length × k
   * @example
   * ```ts ignore
   * const top = await model.recommend([0, 1], 10);
   * ```
   */
  async recommend(users: ArrayLike<number>, k: number): Promise<Int32Array> {
    const train = this.#train;
    if (!train) {
      throw new Error(
        this.#itemVectors
          ? "Content: recommend() needs the training data; a restored model embeds and finds similar items"
          : "Content: call fit() first",
      );
    }
    const queries = pickRows(this.userVectors, users);
    return (await this.#topK(queries, k, trainItemsExclusion(train, users))).indices;
  }

  /**
   * The k items most similar to an item by content (the item itself excluded).
   *
   * @param item dense item index
   * @param k how many
   * @returns indices and cosine scores, best first
   * @example
   * ```ts ignore
   * const { indices } = await model.similarItems(0, 5);
   * ```
   */
  async similarItems(
    item: number,
    k: number,
  ): Promise<{ indices: Int32Array; scores: Float32Array }> {
    const query = pickRows(this.itemVectors, Int32Array.of(item));
    const result = await this.#topK(query, k, {
      offsets: Int32Array.of(0, 1),
      indices: Int32Array.of(item),
    });
    return { indices: result.indices, scores: result.scores };
  }

  /**
   * The content vector of a new item from its features alone (unit length).
   *
   * @param features column name → value
   * @returns the vector
   * @example
   * ```ts ignore
   * const v = await model.embedItem({ title: "Toy Story 3", genres: ["Animation"], year: 2010 });
   * ```
   */
  async embedItem(features: EntityFeatures): Promise<Float32Array> {
    const v = await this.itemModel.embed(features, this.#backend);
    return unitRows({ rows: 1, cols: v.length, data: v }).data;
  }

  /**
   * The content vector of a new user from their own features, mapped into the
   * item space (unit length); without user features, the average taste.
   *
   * @param features column name → value (age, occupation, …)
   * @returns the vector
   * @example
   * ```ts ignore
   * const v = await model.embedUser({ age: 30, gender: "F", occupation: "writer" });
   * ```
   */
  async embedUser(features: EntityFeatures): Promise<Float32Array> {
    if (!this.#averageTaste) throw new Error("Content: call fit() first");
    if (!this.#userModel || !this.#userMap) return this.#averageTaste.slice();
    const own = await this.#userModel.embed(features, this.#backend);
    const mapped = applyAffineMap({ rows: 1, cols: own.length, data: own }, this.#userMap);
    return unitRows(mapped).data;
  }

  /**
   * The fitted model as JSON, tensors and files (both content models, the
   * features → item-space map, the average taste and the vectors).
   *
   * @returns the state; {@linkcode ContentRecommender.fromState} restores it
   * @example
   * ```ts ignore
   * const again = await ContentRecommender.fromState(model.exportState());
   * ```
   */
  exportState(): SavedState {
    if (!this.#itemModel || !this.#averageTaste) throw new Error("Content: call fit() first");
    const items = this.#itemModel.exportState();
    const users = this.#userModel?.exportState() ?? null;
    const own = prefixState("items", items), ofUsers = users ? prefixState("users", users) : null;
    return {
      json: {
        historyShrinkage: this.#options.historyShrinkage ?? 3,
        items: items.json,
        users: users?.json ?? null,
      },
      tensors: {
        ...own.tensors,
        ...ofUsers?.tensors,
        item_vectors: matrixTensor(this.itemVectors),
        user_vectors: matrixTensor(this.userVectors),
        average_taste: { shape: [1, this.#averageTaste.length], data: this.#averageTaste },
        ...(this.#userMap ? { user_map: matrixTensor(this.#userMap) } : {}),
      },
      files: { ...own.files, ...ofUsers?.files },
    };
  }

  /**
   * Restores a model saved with {@linkcode ContentRecommender.exportState}. It
   * embeds new items and users and finds similar items exactly as the saved
   * one; `recommend()` needs the training data, so call `fit()` for that.
   *
   * @param state the saved state
   * @param options the backend (other options are in the state)
   * @returns the model
   * @example
   * ```ts ignore
   * const model = await ContentRecommender.fromState(state);
   * const v = await model.embedItem({ title: "Heat" });
   * ```
   */
  static async fromState(
    state: SavedState,
    options: { backend?: Backend } = {},
  ): Promise<ContentRecommender> {
    const json = stateObject(state.json, "content");
    const model = new ContentRecommender({
      historyShrinkage: Number(json.historyShrinkage),
      backend: options.backend,
    });
    model.#itemModel = await EntityContentModel.fromState(
      unprefixState("items", json.items, state.tensors, state.files),
      "content items",
    );
    model.#userModel = json.users
      ? await EntityContentModel.fromState(
        unprefixState("users", json.users, state.tensors, state.files),
        "content users",
      )
      : null;
    model.#userMap = state.tensors.user_map ? stateMatrix(state, "user_map", "content") : null;
    model.#itemVectors = stateMatrix(state, "item_vectors", "content");
    model.#userVectors = stateMatrix(state, "user_vectors", "content");
    model.#averageTaste = stateMatrix(state, "average_taste", "content").data;
    return model;
  }

  async #topK(queries: Matrix, k: number, exclude: { offsets: Int32Array; indices: Int32Array }) {
    const backend = this.#backend;
    const q = backend.upload(queries, "content-queries"),
      x = backend.upload(this.itemVectors, "content-items");
    try {
      return await backend.cosineTopK(q, x, { k, exclude });
    } finally {
      backend.dispose(q);
      backend.dispose(x);
    }
  }
}

interface HistoryProfiles {
  /** users × dims weighted means of unit item vectors (zero rows for users without history). */
  readonly profiles: Matrix;
  /** Training interactions per user. */
  readonly counts: Int32Array;
}

function historyProfiles(train: Dataset, items: Matrix): HistoryProfiles {
  const users = train.users.ids.length, d = items.cols;
  const x = train.interactions;
  const profiles = new Float32Array(users * d);
  const counts = new Int32Array(users);
  const low = train.ratingScale?.min ?? 1;
  const sums = new Float64Array(d);
  const byUser = groupBy(x.user, users);
  for (let u = 0; u < users; u++) {
    sums.fill(0);
    let total = 0;
    for (let p = byUser.offsets[u]; p < byUser.offsets[u + 1]; p++) {
      const at = byUser.positions[p];
      const w = x.rating ? x.rating[at] - low + 1 : 1;
      const row = x.item[at] * d;
      for (let t = 0; t < d; t++) sums[t] += w * items.data[row + t];
      total += w;
    }
    counts[u] = byUser.offsets[u + 1] - byUser.offsets[u];
    if (total > 0) { for (let t = 0; t < d; t++) profiles[u * d + t] = sums[t] / total; }
  }
  return { profiles: { rows: users, cols: d, data: profiles }, counts };
}

/** The average taste: unit mean of item vectors weighted by their training popularity. */
function averageTaste(train: Dataset, items: Matrix): Float32Array {
  const d = items.cols;
  const sum = new Float32Array(d);
  for (let n = 0; n < train.interactions.length; n++) {
    const row = train.interactions.item[n] * d;
    for (let t = 0; t < d; t++) sum[t] += items.data[row + t];
  }
  return unitRows({ rows: 1, cols: d, data: sum }).data;
}

function blendUsers(
  history: HistoryProfiles,
  mapped: Matrix | null,
  shrinkage: number,
  fallback: Float32Array,
): Matrix {
  const { profiles, counts } = history;
  const d = profiles.cols, users = profiles.rows;
  const history1 = unitRows(profiles), mapped1 = mapped ? unitRows(mapped) : null;
  const out = new Float32Array(users * d);
  for (let u = 0; u < users; u++) {
    const n = counts[u];
    const h = mapped1 ? n / (n + shrinkage) : 1;
    for (let t = 0; t < d; t++) {
      let v = h * history1.data[u * d + t] + (mapped1 ? (1 - h) * mapped1.data[u * d + t] : 0);
      if (n === 0 && !mapped1) v = fallback[t];
      out[u * d + t] = v;
    }
  }
  return unitRows({ rows: users, cols: d, data: out });
}

function dotAll(query: Float32Array, items: Matrix, out: Float32Array): void {
  const d = items.cols;
  for (let i = 0; i < items.rows; i++) {
    let dot = 0;
    for (let t = 0; t < d; t++) dot += query[t] * items.data[i * d + t];
    out[i] = dot;
  }
}
