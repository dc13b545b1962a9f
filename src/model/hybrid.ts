/**
 * The hybrid recommender: every user and item vector is
 *
 *   normalise(α · normalise(tower(content)) + (1 − α) · normalise(id embedding))
 *
 * with α chosen by how much history the entity has (an alpha tree over
 * interaction counts, a smooth k / (k + n), or life-cycle stages), fitted on a
 * validation split. Cold entities lean on content, warm ones on behaviour, and
 * a new item or user needs only its features: content → tower → α(0) blend,
 * recommendable at once, no retraining.
 *
 * @module
 */
import type { Backend, Matrix } from "../compute/backend.ts";
import { CpuBackend } from "../compute/cpu/backend.ts";
import {
  type FactorRatingConfig,
  FactorRatingModel,
  type FactorRatingOptions,
} from "../collab/factor_rating.ts";
import {
  type DataFingerprint,
  fingerprintDataset,
  type JsonValue,
  loadModelFiles,
  type ModelManifest,
  saveModelFiles,
} from "./manifest.ts";
import type { DecodedTensor } from "./safetensors.ts";
import { matrixTensor, prefixState, type SavedState, unprefixState } from "../util/state.ts";
import { NMF, type NMFOptions } from "../collab/nmf.ts";
import { trainTripletEmbeddings, type TripletOptions } from "../collab/triplet.ts";
import { ContentRecommender, type ContentRecommenderOptions } from "../content/recommender.ts";
import { fitRidgeMap, pickRows, unitRows } from "../util/matrix.ts";
import type { EntityFeatures } from "../content/features.ts";
import { countBy, groupBy, withInteractions } from "../data/dataset.ts";
import { coldItemSplit, stratifiedSplit } from "../data/splits.ts";
import type { Dataset } from "../data/types.ts";
import { bucketOf, ndcgAtK } from "../eval/metrics.ts";
import type { FitOptions, Recommender } from "../eval/recommender.ts";
import {
  ALPHA_GRID,
  alphaFor,
  type AlphaGains,
  type AlphaRule,
  fitAlphaTree,
  fitSmoothAlpha,
  fitStageAlphas,
} from "../blend/alpha.ts";

/**
 * How {@linkcode HybridRecommender} makes α depend on an entity's history.
 *
 * @example
 * ```ts
 * import type { AlphaMode } from "./hybrid.ts";
 * const mode: AlphaMode = "global";
 * console.log(mode); // "global"
 * ```
 */
export type AlphaMode = "tree" | "smooth" | "stages" | "global";

/**
 * Options of {@linkcode HybridRecommender}.
 *
 * @example
 * ```ts
 * import type { HybridOptions } from "./hybrid.ts";
 * const options: HybridOptions = { alpha: "tree", seed: 7 };
 * console.log(options.alpha); // "tree"
 * ```
 */
export interface HybridOptions {
  /** Content stage options. */
  readonly content?: ContentRecommenderOptions;
  /**
   * The collaborative stage: `"triplet"` (default; weighted triplet loss, the
   * tower trained with it) or `"nmf"` (Surprise-style NMF factors on ratings as
   * the id embeddings, the tower a ridge map from content to them — the
   * seed's "content + collaborative NMF" experiment; explicit ratings only).
   */
  readonly collaborative?: "triplet" | "nmf";
  /** Triplet stage options (content and backend are filled in). */
  readonly triplet?: Omit<TripletOptions, "content" | "backend">;
  /** Options of the rating path's SVD++ ({@linkcode FactorRatingModel}). */
  readonly rating?: FactorRatingOptions;
  /** NMF stage options, with `collaborative: "nmf"`. */
  readonly nmf?: NMFOptions;
  /**
   * How α depends on history: "tree" (default; buckets of interaction counts),
   * "smooth" (k / (k + n)), "stages" (life-cycle stages) or "global" (one α
   * for all users and one for all items).
   */
  readonly alpha?: AlphaMode;
  /** Share of each user's train interactions held out to fit α and g. Default 0.1. */
  readonly validationFraction?: number;
  /** Share of items held out entirely for validation, so α(0) is fitted on real cold items. Default 0.05. */
  readonly validationColdItems?: number;
  /** Retrain content and collaborative stages on all of train after fitting α. Default true. */
  readonly refit?: boolean;
  /** Seed of every stage. Default 42. */
  readonly seed?: number;
  /** Where training and top-k run. Default: a CPU backend. */
  readonly backend?: Backend;
}

/**
 * Progress of {@linkcode HybridRecommender.fit}.
 *
 * @example
 * ```ts
 * import type { HybridProgress } from "./hybrid.ts";
 * const p: HybridProgress = { stage: "triplet", epoch: 3, epochs: 100, loss: 0.12 };
 * console.log(p.stage); // "triplet"
 * ```
 */
export interface HybridProgress {
  /** Which stage is running: "text" is fastText, "content" the fusion autoencoder. */
  readonly stage: "text" | "content" | "triplet" | "nmf" | "alpha" | "rating" | "refit";
  /** 1-based epoch of an iterative stage. */
  readonly epoch?: number;
  /** Epochs of that stage. */
  readonly epochs?: number;
  /** The stage's loss, when it has one. */
  readonly loss?: number;
  /** A short note, e.g. the fitted α rule. */
  readonly message?: string;
}

/**
 * Options of {@linkcode HybridRecommender.fit} beyond the harness's.
 *
 * @example
 * ```ts
 * import type { HybridFitOptions } from "./hybrid.ts";
 * const o: HybridFitOptions = { onProgress: (p) => console.log(p.stage) };
 * console.log(typeof o.onProgress); // "function"
 * ```
 */
export interface HybridFitOptions extends FitOptions {
  /** Called as stages advance. */
  readonly onProgress?: (progress: HybridProgress) => void;
}

/** Held-out items per validation user, and the items they are ranked among (null: all unseen). */
interface ValidationTask {
  readonly heldOut: Map<number, Set<number>>;
  readonly candidates: number[] | null;
  /** Exclude each user's training items from the candidates too (within-bucket tasks). */
  readonly excludeSeen?: boolean;
}

/**
 * Item-count buckets whose items are also ranked against each other when the
 * item α is fitted, so items with little history are ordered well among their
 * peers and not only judged by whether they beat popular items to the top 10.
 */
const WITHIN_BUCKET_BOUNDS = [0, 1, 3, 6, 11, 21, 51, 101];

/** The parts a fitted model's vectors are built from. */
interface Parts {
  content: ContentRecommender;
  tower: { weights: Matrix; bias: Matrix };
  /** Unit id embeddings: users × d and items × d. */
  userIds: Matrix;
  itemIds: Matrix;
  /** Unit tower(content) vectors. */
  userTower: Matrix;
  itemTower: Matrix;
  /** Unit item content vectors (features only), for similarity by content. */
  itemContent: Matrix;
}

/**
 * Content + collaborative hybrid with history-dependent α.
 *
 * @example
 * ```ts ignore
 * import { HybridRecommender } from "./hybrid.ts";
 * const model = new HybridRecommender({ seed: 42 });
 * await model.fit(split.train, { onProgress: (p) => console.log(p.stage, p.epoch) });
 * const top = await model.recommend(0, 10);
 * const newItem = await model.addItem("new-1", { title: "Space Saga", genres: ["Sci-Fi"] });
 * ```
 */
export class HybridRecommender implements Recommender {
  /** "Hybrid". */
  readonly name = "Hybrid";
  readonly #options: HybridOptions;
  readonly #backend: Backend;
  #parts: Parts | null = null;
  #rules: { users: AlphaRule; items: AlphaRule } | null = null;
  #userCounts: Int32Array = new Int32Array(0);
  #itemCounts: Int32Array = new Int32Array(0);
  #userDays: Float64Array = new Float64Array(0);
  #itemDays: Float64Array = new Float64Array(0);
  #users: Matrix | null = null;
  #items: Matrix | null = null;
  #seen: Set<number>[] = [];
  /** The rating path's SVD++ (null for implicit data). */
  #ratingModel: FactorRatingModel | null = null;
  #fingerprint: DataFingerprint | null = null;
  #validationMetrics: Record<string, number> = {};
  /** Display names of items (their title), or null where there is none. */
  #itemLabels: (string | null)[] = [];
  #rating = { intercept: 0, slope: 0, min: -Infinity, max: Infinity };
  #itemIds: string[] = [];
  #userIds: string[] = [];

  /**
   * Creates an untrained model.
   *
   * @param options stage options, α mode, validation and backend
   */
  constructor(options: HybridOptions = {}) {
    this.#options = options;
    this.#backend = options.backend ?? new CpuBackend();
  }

  /**
   * The fitted α rules for users and items.
   *
   * @example
   * ```ts ignore
   * console.log(model.alphaRules.items);
   * ```
   */
  get alphaRules(): { users: AlphaRule; items: AlphaRule } {
    if (!this.#rules) throw new Error("Hybrid: call fit() first");
    return this.#rules;
  }

  /**
   * Unit hybrid vectors of all items (items × d), after fit.
   *
   * @example
   * ```ts ignore
   * console.log(model.itemVectors.rows);
   * ```
   */
  get itemVectors(): Matrix {
    if (!this.#items) throw new Error("Hybrid: call fit() first");
    return this.#items;
  }

  /**
   * Unit hybrid vectors of all users (users × d), after fit.
   *
   * @example
   * ```ts ignore
   * console.log(model.userVectors.rows);
   * ```
   */
  get userVectors(): Matrix {
    if (!this.#users) throw new Error("Hybrid: call fit() first");
    return this.#users;
  }

  /**
   * Trains the content and collaborative stages on part of `train`, fits α and
   * the rating map on the held-out rest, and (by default) retrains both stages
   * on all of `train`.
   *
   * @param train interactions with the shared entity tables
   * @param options progress callbacks
   * @example
   * ```ts ignore
   * await model.fit(split.train);
   * ```
   */
  async fit(train: Dataset, options: HybridFitOptions = {}): Promise<void> {
    const report = options.onProgress ?? (() => {});
    const seed = this.#options.seed ?? 42;
    const { fitOn, validation, warm, cold } = carveValidation(
      train,
      this.#options.validationFraction ?? 0.1,
      this.#options.validationColdItems ?? 0.05,
      seed,
    );
    let parts = await this.#trainParts(fitOn, report, options);
    this.#adopt(fitOn, parts);
    report({ stage: "alpha", message: "fitting α on the validation split" });
    const tasks = validationTasks(fitOn, warm, cold);
    this.#rules = await this.#fitAlpha(tasks, parts);
    this.#blendAll();
    report({
      stage: "alpha",
      message: `users ${JSON.stringify(this.#rules.users)}; items ${
        JSON.stringify(this.#rules.items)
      }`,
    });
    const metrics: Record<string, number> = {};
    for (const task of tasks) {
      metrics[`validation ${task.candidates ? "cold-item" : "warm"} ndcg@10`] = await this
        .#meanNdcg(this.userVectors, this.itemVectors, task);
    }
    // Implicit data has no ratings to predict: predict() then explains itself.
    this.#ratingModel = this.#fitRatingModel(fitOn, report);
    this.#fitRatingMap(validation);
    if (this.#ratingModel) metrics["validation rmse"] = this.#validationRmse(validation);
    this.#validationMetrics = metrics;
    report({
      stage: "rating",
      message: `g(cos) = ${this.#rating.intercept.toFixed(3)} + ${
        this.#rating.slope.toFixed(3)
      } · cos`,
    });
    if (this.#options.refit ?? true) {
      report({ stage: "refit", message: "retraining on all of train" });
      parts = await this.#trainParts(train, report, options);
    }
    this.#adopt(train, parts);
    if (this.#options.refit ?? true) this.#ratingModel = this.#fitRatingModel(train, report);
    this.#fingerprint = fingerprintDataset(train);
  }

  async #trainParts(
    train: Dataset,
    report: (p: HybridProgress) => void,
    options: FitOptions,
  ): Promise<Parts> {
    const seed = this.#options.seed ?? 42;
    const content = new ContentRecommender({
      seed,
      backend: this.#backend,
      ...this.#options.content,
    });
    await content.fit(train, {
      onProgress: (p) =>
        "stage" in p
          ? report({ stage: "content", epoch: p.epoch, epochs: p.epochs, loss: p.loss })
          : p.phase === "train"
          ? report({ stage: "text", epoch: p.epoch, epochs: p.epochs, loss: p.loss })
          : undefined,
    });
    if (this.#options.collaborative === "nmf") {
      return nmfParts(train, content, seed, this.#options.nmf, report);
    }
    // The hybrid has its own validation split, so the stage trains a fixed number of epochs.
    const embeddings = await trainTripletEmbeddings(train, {
      seed,
      validationFraction: 0,
      ...this.#options.triplet,
      backend: this.#backend,
      content: { users: content.userVectors, items: content.itemVectors },
      onProgress: (p) => {
        report({ stage: "triplet", epoch: p.epoch, epochs: p.epochs, loss: p.loss });
        options.onEpoch?.(p.epoch, p.epochs);
      },
    });
    const users = embeddings.users, d = embeddings.table.cols;
    const table = unitRows(embeddings.table);
    return assembleParts(
      content,
      embeddings.tower!,
      { rows: users, cols: d, data: table.data.slice(0, users * d) },
      { rows: embeddings.items, cols: d, data: table.data.slice(users * d) },
    );
  }

  /** Takes the parts and the interaction history of `train` as the model's state. */
  #adopt(train: Dataset, parts: Parts): void {
    this.#parts = parts;
    this.#userIds = [...train.users.ids];
    this.#itemIds = [...train.items.ids];
    const titles = train.items.columns.find((c) =>
      c.kind === "text" && ["title", "name"].includes(c.name.toLowerCase())
    );
    const values = titles?.kind === "text" ? titles.values : null;
    this.#itemLabels = train.items.ids.map((_, i) => values?.[i] || null);
    const history = historyOf(train);
    this.#userCounts = history.userCounts;
    this.#itemCounts = history.itemCounts;
    this.#userDays = history.userDays;
    this.#itemDays = history.itemDays;
    this.#seen = history.seen;
    if (this.#rules) this.#blendAll();
  }

  #blendAll(): void {
    const parts = this.#parts!, rules = this.#rules!;
    this.#users = blend(
      parts.userTower,
      parts.userIds,
      (e) => alphaFor(rules.users, this.#userCounts[e], this.#userDays[e]),
    );
    this.#items = blend(
      parts.itemTower,
      parts.itemIds,
      (e) => alphaFor(rules.items, this.#itemCounts[e], this.#itemDays[e]),
    );
  }

  async #fitAlpha(
    tasks: readonly ValidationTask[],
    parts: Parts,
  ): Promise<{ users: AlphaRule; items: AlphaRule }> {
    const mode = this.#options.alpha ?? "tree";
    const fitRule = (gains: AlphaGains) =>
      mode === "smooth"
        ? fitSmoothAlpha(gains)
        : mode === "stages"
        ? fitStageAlphas(gains)
        : fitAlphaTree(gains, { maxBuckets: mode === "global" ? 1 : 5 });
    // Start items at a smooth rule, fit users, then items with users fixed, then users again.
    let itemRule: AlphaRule = { kind: "smooth", k: 3 };
    let userRule: AlphaRule = { kind: "smooth", k: 3 };
    for (let round = 0; round < 2; round++) {
      const itemVectors = blend(
        parts.itemTower,
        parts.itemIds,
        (e) => alphaFor(itemRule, this.#itemCounts[e], this.#itemDays[e]),
      );
      userRule = fitRule(await this.#userGains(parts, itemVectors, tasks));
      if (round === 1) break;
      const userVectors = blend(
        parts.userTower,
        parts.userIds,
        (e) => alphaFor(userRule, this.#userCounts[e], this.#userDays[e]),
      );
      itemRule = await this.#fitItemRule(mode, parts, userVectors, tasks);
    }
    return { users: userRule, items: itemRule };
  }

  /**
   * Validation NDCG@10 of every user at every α of the grid on the warm task
   * (users' α values do not interact, so any bucketing is scored by sums).
   */
  async #userGains(
    parts: Parts,
    items: Matrix,
    tasks: readonly ValidationTask[],
  ): Promise<AlphaGains> {
    const users = parts.userIds.rows;
    const gains = new Float64Array(users * ALPHA_GRID.length);
    const weight = new Float64Array(users);
    // Users' α is fitted for warm recommendation only: the tower is aligned to the id space,
    // so cold items stay comparable with whatever users lean on.
    const warmTasks = tasks.filter((t) => t.candidates === null);
    for (const task of warmTasks) for (const u of task.heldOut.keys()) weight[u] = 1;
    for (const [j, alpha] of ALPHA_GRID.entries()) {
      const vectors = blend(parts.userTower, parts.userIds, () => alpha);
      for (const task of warmTasks) {
        for (const [u, value] of await this.#validationNdcg(vectors, items, task)) {
          gains[u * ALPHA_GRID.length + j] += value / task.heldOut.size;
        }
      }
    }
    return { entities: users, gains, counts: this.#userCounts, days: this.#userDays, weight };
  }

  /** Items' α values interact through every ranking, so the item rule is fitted against the overall objective. */
  async #fitItemRule(
    mode: AlphaMode,
    parts: Parts,
    users: Matrix,
    tasks: readonly ValidationTask[],
  ): Promise<AlphaRule> {
    const withinBuckets = this.#withinBucketTasks(tasks.find((t) => t.candidates === null));
    // Mean NDCG@10 of each task, added up: warm and cold retrieval count alike.
    const objective = async (rule: AlphaRule) => {
      const items = blend(
        parts.itemTower,
        parts.itemIds,
        (e) => alphaFor(rule, this.#itemCounts[e], this.#itemDays[e]),
      );
      let sum = 0;
      for (const task of tasks) sum += await this.#meanNdcg(users, items, task);
      // The within-bucket tasks count as one more task, their mean.
      for (const task of withinBuckets) {
        sum += (await this.#meanNdcg(users, items, task)) / withinBuckets.length;
      }
      return sum;
    };
    if (mode === "smooth") {
      let best = { rule: { kind: "smooth", k: 1 } as AlphaRule, score: -Infinity };
      for (const k of [0.5, 1, 2, 3, 5, 8, 12, 20, 50]) {
        const rule: AlphaRule = { kind: "smooth", k };
        const score = await objective(rule);
        if (score > best.score) best = { rule, score };
      }
      return best.rule;
    }
    if (mode === "stages") {
      const alphas = { new: 1, growing: 0.5, mature: 0 };
      for (const stage of ["new", "growing", "mature"] as const) {
        let best = { alpha: alphas[stage], score: -Infinity };
        for (const alpha of ALPHA_GRID) {
          const score = await objective({ kind: "stages", alphas: { ...alphas, [stage]: alpha } });
          if (score > best.score) best = { alpha, score };
        }
        alphas[stage] = best.alpha;
      }
      return { kind: "stages", alphas };
    }
    // Greedy split search: the best single bucket, then the split point (and α per side) that helps most.
    const bestAlphas = async (bounds: number[], start: number[]) => {
      const alphas = [...start];
      let score = -Infinity;
      for (let b = 0; b < bounds.length; b++) {
        for (const alpha of ALPHA_GRID) {
          const trial = alphas.map((a, i) => (i === b ? alpha : a));
          const s = await objective({ kind: "buckets", lowerBounds: bounds, alphas: trial });
          if (s > score) score = s, alphas[b] = alpha;
        }
      }
      return { alphas, score };
    };
    let bounds = [0];
    let current = await bestAlphas(bounds, [0.5]);
    for (let depth = 0; depth < (mode === "global" ? 0 : 2); depth++) {
      let best: { bounds: number[]; alphas: number[]; score: number } | null = null;
      for (const candidate of [1, 5, 20, 50]) {
        if (bounds.includes(candidate)) continue;
        const trial = [...bounds, candidate].sort((a, b) => a - b);
        const members = trial.map((lo, i) =>
          countInRange(this.#itemCounts, lo, trial[i + 1] ?? Infinity)
        );
        if (members.some((m) => m < 20)) continue;
        const start = trial.map((lo) =>
          alphaFor({ kind: "buckets", lowerBounds: bounds, alphas: current.alphas }, lo, NaN)
        );
        const fitted = await bestAlphas(trial, start);
        if (!best || fitted.score > best.score) best = { bounds: trial, ...fitted };
      }
      if (!best || best.score <= current.score + 1e-6) break;
      bounds = best.bounds;
      current = best;
    }
    return { kind: "buckets", lowerBounds: bounds, alphas: current.alphas };
  }

  async #meanNdcg(users: Matrix, items: Matrix, task: ValidationTask): Promise<number> {
    let sum = 0;
    for (const value of (await this.#validationNdcg(users, items, task)).values()) sum += value;
    return sum / Math.max(1, task.heldOut.size);
  }

  /** The warm task split by the held-out items' counts, each ranked among its bucket's items. */
  #withinBucketTasks(warm: ValidationTask | undefined): ValidationTask[] {
    if (!warm) return [];
    const bucket = Int32Array.from(this.#itemCounts, (n) => bucketOf(WITHIN_BUCKET_BOUNDS, n));
    const tasks: ValidationTask[] = [];
    for (let b = 0; b < WITHIN_BUCKET_BOUNDS.length; b++) {
      const candidates: number[] = [];
      bucket.forEach((of, i) => of === b && candidates.push(i));
      const heldOut = new Map<number, Set<number>>();
      for (const [u, items] of warm.heldOut) {
        const inBucket = new Set([...items].filter((i) => bucket[i] === b));
        if (inBucket.size > 0) heldOut.set(u, inBucket);
      }
      // Too few users or items say nothing reliable about a bucket.
      if (heldOut.size >= 20 && candidates.length >= 20) {
        tasks.push({ heldOut, candidates, excludeSeen: true });
      }
    }
    return tasks;
  }

  /**
   * NDCG@10 per validation user through the backend's top-k: train items
   * excluded, or ranked among the task's candidate items only.
   */
  async #validationNdcg(
    users: Matrix,
    items: Matrix,
    task: ValidationTask,
  ): Promise<Map<number, number>> {
    const list = [...task.heldOut.keys()];
    const candidates = task.candidates;
    const top = candidates
      ? await this.#topK(
        pickRows(users, list),
        pickRows(items, candidates),
        10,
        task.excludeSeen ? this.#seenExclusion(list, candidates) : null,
      )
      : await this.#topK(pickRows(users, list), items, 10, this.#seenExclusion(list));
    const out = new Map<number, number>();
    list.forEach((u, n) => {
      const row = top.indices.subarray(n * top.k, (n + 1) * top.k);
      const ranked = candidates ? Array.from(row, (i) => (i < 0 ? -1 : candidates[i])) : row;
      out.set(u, ndcgAtK(ranked, task.heldOut.get(u)!, 10));
    });
    return out;
  }

  /** The users' seen items as exclusion CSR, in candidate positions when candidates are given. */
  #seenExclusion(users: readonly number[], candidates?: readonly number[]) {
    const position = candidates ? new Map(candidates.map((item, n) => [item, n])) : null;
    const offsets = new Int32Array(users.length + 1);
    const excluded: number[] = [];
    users.forEach((u, n) => {
      for (const i of this.#seen[u] ?? []) {
        const at = position ? position.get(i) : i;
        if (at !== undefined) excluded.push(at);
      }
      offsets[n + 1] = excluded.length;
    });
    return { offsets, indices: Int32Array.from(excluded) };
  }

  async #topK(
    queries: Matrix,
    items: Matrix,
    k: number,
    exclude: { offsets: Int32Array; indices: Int32Array } | null,
  ) {
    const backend = this.#backend;
    const q = backend.upload(queries, "hybrid-queries"), x = backend.upload(items, "hybrid-items");
    try {
      return await backend.cosineTopK(q, x, {
        k,
        exclude: exclude ??
          { offsets: new Int32Array(queries.rows + 1), indices: new Int32Array(0) },
      });
    } finally {
      backend.dispose(q);
      backend.dispose(x);
    }
  }

  /**
   * SVD++ on the ratings with the hybrid item vectors as the prior of each
   * item's bias and factors (so an item added from features alone gets a
   * content-based estimate); null for implicit data.
   */
  #fitRatingModel(train: Dataset, report: (p: HybridProgress) => void): FactorRatingModel | null {
    if (!train.interactions.rating) return null;
    const model = new FactorRatingModel({
      seed: this.#options.seed ?? 42,
      ...this.#options.rating,
    });
    model.fit(train, {
      itemSide: this.itemVectors,
      onEpoch: (epoch, epochs) => report({ stage: "rating", epoch, epochs }),
    });
    return model;
  }

  /** Least squares of the rating residual r − SVD++(u, i) on cos(user, item), over validation. */
  #fitRatingMap(validation: Dataset): void {
    const x = validation.interactions;
    if (!x.rating || !this.#ratingModel) return;
    let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (let p = 0; p < x.length; p++) {
      const c = this.#cosine(x.user[p], x.item[p]);
      const y = x.rating[p] - this.#ratingModel.estimate(x.user[p], x.item[p]);
      n++, sx += c, sy += y, sxx += c * c, sxy += c * y;
    }
    const variance = sxx - (sx * sx) / Math.max(1, n);
    const slope = n > 1 && variance > 1e-12 ? (sxy - (sx * sy) / n) / variance : 0;
    const scale = validation.ratingScale;
    this.#rating = {
      slope,
      intercept: n > 0 ? (sy - slope * sx) / n : 0,
      min: scale?.min ?? -Infinity,
      max: scale?.max ?? Infinity,
    };
  }

  #validationRmse(validation: Dataset): number {
    const x = validation.interactions;
    let sum = 0;
    for (let p = 0; p < x.length; p++) {
      sum += (this.predict(x.user[p], x.item[p]) - x.rating![p]) ** 2;
    }
    return Math.sqrt(sum / Math.max(1, x.length));
  }

  #cosine(user: number, item: number): number {
    const u = this.userVectors, i = this.itemVectors, d = u.cols;
    let dot = 0;
    for (let t = 0; t < d; t++) dot += u.data[user * d + t] * i.data[item * d + t];
    return dot;
  }

  /**
   * A rating estimate μ + b_u + b_i + q_iᵀ(p_u + |N(u)|^-½ Σ y_j) + g(cos):
   * SVD++ whose item parameters are pulled toward a map of the hybrid item
   * vectors, plus g, linear in the cosine of the hybrid vectors and fitted on
   * the validation split; clipped to the rating scale.
   *
   * @param user dense user index
   * @param item dense item index
   * @returns the estimate
   * @example
   * ```ts ignore
   * console.log(model.predict(0, 10).toFixed(2));
   * ```
   */
  predict(user: number, item: number): number {
    if (!this.#ratingModel) {
      throw new Error(
        this.#parts
          ? "Hybrid.predict: the training data has no ratings to predict"
          : "Hybrid: call fit() first",
      );
    }
    const { intercept, slope, min, max } = this.#rating;
    const estimate = this.#ratingModel.estimate(user, item) + intercept +
      slope * this.#cosine(user, item);
    return Math.min(max, Math.max(min, estimate));
  }

  /**
   * Cosine similarity of the user's hybrid vector with every item's.
   *
   * @param user dense user index
   * @param out one score per item
   * @example
   * ```ts ignore
   * model.scoreItems(0, scores);
   * ```
   */
  scoreItems(user: number, out: Float32Array): void {
    const u = this.userVectors, items = this.itemVectors, d = u.cols;
    const n = Math.min(out.length, items.rows);
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += u.data[user * d + t] * items.data[i * d + t];
      out[i] = dot;
    }
  }

  /**
   * The k best unseen items for one user.
   *
   * @param user dense user index
   * @param k how many
   * @returns item indices and scores, best first
   * @example
   * ```ts ignore
   * const { indices } = await model.recommend(0, 10);
   * ```
   */
  async recommend(user: number, k: number): Promise<{ indices: Int32Array; scores: Float32Array }> {
    const [result] = await this.recommendBatch([user], k);
    return result;
  }

  /**
   * The k best unseen items for many users in one top-k call on the backend.
   *
   * @param users dense user indices
   * @param k how many per user
   * @returns per user: item indices and scores, best first
   * @example
   * ```ts ignore
   * const lists = await model.recommendBatch([0, 1, 2], 10);
   * ```
   */
  async recommendBatch(
    users: readonly number[],
    k: number,
  ): Promise<{ indices: Int32Array; scores: Float32Array }[]> {
    const top = await this.#topK(
      pickRows(this.userVectors, users),
      this.itemVectors,
      k,
      this.#seenExclusion(users),
    );
    return users.map((_, n) => ({
      indices: top.indices.slice(n * top.k, (n + 1) * top.k),
      scores: top.scores.slice(n * top.k, (n + 1) * top.k),
    }));
  }

  /**
   * Items most similar to an item (itself excluded): by the cosine of the
   * blended vectors (default; "people who liked this liked…", which favours
   * popular items among warm ones) or of the content vectors alone ("items
   * like this one", by title, genres and other features).
   *
   * @param item dense item index
   * @param k how many
   * @param options `space`: "hybrid" (default) or "content"
   * @returns indices and cosine scores, best first
   * @example
   * ```ts ignore
   * const { indices } = await model.similarItems(0, 5);
   * const alike = await model.similarItems(0, 5, { space: "content" });
   * ```
   */
  async similarItems(
    item: number,
    k: number,
    options: { space?: "hybrid" | "content" } = {},
  ): Promise<{ indices: Int32Array; scores: Float32Array }> {
    const space = options.space ?? "hybrid";
    return await this.#similar(
      space === "content" ? this.#requireParts().itemContent : this.itemVectors,
      item,
      k,
    );
  }

  /**
   * Users most similar to a user (themselves excluded).
   *
   * @param user dense user index
   * @param k how many
   * @returns indices and cosine scores, best first
   * @example
   * ```ts ignore
   * const { indices } = await model.similarUsers(0, 5);
   * ```
   */
  async similarUsers(
    user: number,
    k: number,
  ): Promise<{ indices: Int32Array; scores: Float32Array }> {
    return await this.#similar(this.userVectors, user, k);
  }

  async #similar(vectors: Matrix, row: number, k: number) {
    const backend = this.#backend;
    const q = backend.upload(pickRows(vectors, [row]), "similar-query"),
      x = backend.upload(vectors, "similar-candidates");
    try {
      const top = await backend.cosineTopK(q, x, {
        k,
        exclude: { offsets: Int32Array.of(0, 1), indices: Int32Array.of(row) },
      });
      return { indices: top.indices, scores: top.scores };
    } finally {
      backend.dispose(q);
      backend.dispose(x);
    }
  }

  /**
   * Adds an item from its features alone: content → tower → α(0) blend. It is
   * recommendable at once; no retraining.
   *
   * @param id the item's original id
   * @param features column name → value (title, genres, year, …)
   * @returns the new item's dense index
   * @example
   * ```ts ignore
   * const index = await model.addItem("new-1", { title: "Space Saga", genres: ["Sci-Fi", "Adventure"] });
   * ```
   */
  async addItem(id: string, features: EntityFeatures): Promise<number> {
    const parts = this.#requireParts();
    if (this.#itemIds.includes(id)) throw new Error(`Hybrid.addItem: item "${id}" already exists`);
    const content = await parts.content.embedItem(features);
    const tower = unitRows(project({ rows: 1, cols: content.length, data: content }, parts.tower));
    parts.itemTower = appendRow(parts.itemTower, tower.data);
    parts.itemContent = appendRow(parts.itemContent, content);
    // No behaviour yet: the id embedding starts where the tower puts the item.
    parts.itemIds = appendRow(parts.itemIds, tower.data);
    this.#itemCounts = appendValue(this.#itemCounts, 0) as Int32Array;
    this.#itemDays = appendValue(this.#itemDays, NaN) as Float64Array;
    this.#itemIds.push(id);
    const title = features.title ?? features.name;
    this.#itemLabels.push(typeof title === "string" && title ? title : null);
    this.#blendAll();
    // The rating path estimates it from its hybrid vector (the prior of its SVD++ parameters).
    const index = this.#itemIds.length - 1, d = this.itemVectors.cols;
    this.#ratingModel?.foldInItem(this.itemVectors.data.slice(index * d, (index + 1) * d));
    return index;
  }

  /**
   * Adds a user from their features alone (content mapped into the item space,
   * or the average taste without features).
   *
   * @param id the user's original id
   * @param features column name → value (age, occupation, …)
   * @returns the new user's dense index
   * @example
   * ```ts ignore
   * const index = await model.addUser("new-user", { age: 31, occupation: "engineer" });
   * ```
   */
  async addUser(id: string, features: EntityFeatures = {}): Promise<number> {
    const parts = this.#requireParts();
    if (this.#userIds.includes(id)) throw new Error(`Hybrid.addUser: user "${id}" already exists`);
    const content = await parts.content.embedUser(features);
    const tower = unitRows(project({ rows: 1, cols: content.length, data: content }, parts.tower));
    parts.userTower = appendRow(parts.userTower, tower.data);
    parts.userIds = appendRow(parts.userIds, tower.data);
    this.#userCounts = appendValue(this.#userCounts, 0) as Int32Array;
    this.#userDays = appendValue(this.#userDays, NaN) as Float64Array;
    this.#userIds.push(id);
    this.#seen.push(new Set());
    this.#ratingModel?.foldInUser(null);
    this.#blendAll();
    return this.#userIds.length - 1;
  }

  /**
   * Records new interactions of an existing user: their counts (and α) move,
   * the items are no longer recommended to them, and the user's id embedding
   * folds in the items' vectors (a running mean), so behaviour shows at once.
   *
   * @param user dense user index
   * @param items dense item indices
   * @example
   * ```ts ignore
   * model.addInteractions(user, [newItem]);
   * ```
   */
  addInteractions(user: number, items: readonly number[]): void {
    const parts = this.#requireParts();
    if (!(user >= 0 && user < this.#userIds.length)) {
      throw new RangeError(`Hybrid.addInteractions: no user ${user}`);
    }
    const d = parts.userIds.cols;
    for (const item of items) {
      if (!(item >= 0 && item < this.#itemIds.length)) {
        throw new RangeError(`Hybrid.addInteractions: no item ${item}`);
      }
      const n = this.#userCounts[user];
      for (let t = 0; t < d; t++) {
        const row = user * d + t;
        parts.userIds.data[row] =
          (n * parts.userIds.data[row] + this.itemVectors.data[item * d + t]) / (n + 1);
      }
      this.#userCounts[user]++;
      this.#itemCounts[item]++;
      this.#seen[user].add(item);
    }
    parts.userIds = unitRows(parts.userIds);
    this.#blendAll();
  }

  /**
   * Saves the fitted model to a folder: `model.safetensors` (the blended
   * user and item embeddings — readable by Python's safetensors or numpy —
   * plus the id and tower embeddings, the tower, interaction counts, seen
   * items, rating biases and the content models' layers), the fastText
   * models, and `manifest.json` (format version, options, id maps, α rules,
   * rating map, metrics, training-data fingerprint, checksums). Every file is
   * written atomically and the manifest last.
   *
   * @param dir the model folder (created if needed)
   * @param extra metrics to record (e.g. validation NDCG) and an optional creation time
   * @returns the manifest as written
   * @example
   * ```ts ignore
   * await model.save("models/ml-100k", { metrics: { "ndcg@10": 0.45 } });
   * ```
   */
  async save(
    dir: string,
    extra: { metrics?: Record<string, number | null>; createdAt?: string } = {},
  ): Promise<ModelManifest> {
    const parts = this.#requireParts();
    const seen = seenCsr(this.#seen);
    const content = parts.content.exportState();
    const nested = prefixState("content", content);
    const tensors: Record<
      string,
      { shape: number[]; data: Float32Array | Float64Array | Int32Array }
    > = {
      "user.embedding": matrixTensor(this.userVectors),
      "item.embedding": matrixTensor(this.itemVectors),
      "user.id_embedding": matrixTensor(parts.userIds),
      "item.id_embedding": matrixTensor(parts.itemIds),
      "user.tower_embedding": matrixTensor(parts.userTower),
      "item.tower_embedding": matrixTensor(parts.itemTower),
      "tower.weight": matrixTensor(parts.tower.weights),
      "tower.bias": matrixTensor(parts.tower.bias),
      "user.interactions": { shape: [this.#userCounts.length], data: this.#userCounts },
      "item.interactions": { shape: [this.#itemCounts.length], data: this.#itemCounts },
      "user.days_since_first": { shape: [this.#userDays.length], data: this.#userDays },
      "item.days_since_first": { shape: [this.#itemDays.length], data: this.#itemDays },
      "seen.offsets": { shape: [seen.offsets.length], data: seen.offsets },
      "seen.items": { shape: [seen.items.length], data: seen.items },
      ...nested.tensors,
      // The content model's own table stops at training; items added since are in the parts.
      "content.item_vectors": matrixTensor(parts.itemContent),
    };
    for (const [name, t] of Object.entries(this.#ratingModel?.toTensors() ?? {})) {
      tensors[`rating.${name}`] = t;
    }
    const { backend: _backend, ...options } = this.#options;
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    return await saveModelFiles(dir, {
      manifest: {
        config: { model: "hybrid", options: options as JsonValue },
        idMaps: { users: this.#userIds, items: this.#itemIds },
        tables: {
          alpha: this.#rules as unknown as JsonValue,
          rating: this.#ratingModel
            ? {
              model: this.#ratingModel.config() as unknown as JsonValue,
              intercept: this.#rating.intercept,
              slope: this.#rating.slope,
              min: finite(this.#rating.min),
              max: finite(this.#rating.max),
            }
            : null,
          content: content.json as JsonValue,
          itemLabels: this.#itemLabels,
        },
        metrics: { ...this.#validationMetrics, ...extra.metrics },
        dataFingerprint: this.#fingerprint ??
          { algorithm: "sha256", sha256: "", interactions: 0, users: 0, items: 0 },
        createdAt: extra.createdAt,
      },
      tensors,
      extraFiles: nested.files,
    });
  }

  /**
   * Loads a model saved with {@linkcode HybridRecommender.save}, verifying
   * the format version and every checksum first: it recommends, finds
   * similar entities, predicts and adds new items and users exactly as the
   * saved one did.
   *
   * @param dir the model folder
   * @param options where top-k runs (default: a CPU backend)
   * @returns the model
   * @throws {ModelFileError} on a missing, truncated or edited file
   * @example
   * ```ts ignore
   * const model = await HybridRecommender.load("models/ml-100k");
   * const { indices } = await model.recommend(model.userIndex("196"), 10);
   * ```
   */
  static async load(dir: string, options: { backend?: Backend } = {}): Promise<HybridRecommender> {
    const files = await loadModelFiles(dir);
    const { manifest, tensors } = files;
    const where = `${dir}: `;
    const config = manifest.config as { model?: unknown; options?: unknown } | null;
    if (!config || config.model !== "hybrid") {
      throw new Error(
        `${where}not a hybrid model (config.model is ${JSON.stringify(config?.model)})`,
      );
    }
    const model = new HybridRecommender({
      ...(config.options as HybridOptions),
      backend: options.backend,
    });
    const users = manifest.idMaps.users.length, items = manifest.idMaps.items.length;
    const matrix = (name: string, rows: number): Matrix => {
      const t = tensorOf(tensors, name, where);
      if (t.dtype !== "F32" || t.shape.length !== 2 || t.shape[0] !== rows) {
        throw new Error(
          `${where}tensor "${name}" has shape [${t.shape}] ${t.dtype}, expected [${rows}, d] F32`,
        );
      }
      return { rows, cols: t.shape[1], data: t.data as Float32Array };
    };
    const vector = <T extends Int32Array | Float64Array>(
      name: string,
      length: number,
      dtype: "I32" | "F64",
    ) => {
      const t = tensorOf(tensors, name, where);
      if (t.dtype !== dtype || t.shape.length !== 1 || (length >= 0 && t.shape[0] !== length)) {
        throw new Error(
          `${where}tensor "${name}" has shape [${t.shape}] ${t.dtype}, expected [${length}] ${dtype}`,
        );
      }
      return t.data as T;
    };
    const tables = manifest.tables as { alpha?: unknown; rating?: unknown; content?: unknown };
    const content = await ContentRecommender.fromState(
      unprefixState("content", tables.content, tensors as SavedState["tensors"], files.extraFiles),
      { backend: model.#backend },
    );
    const towerWeights = tensorOf(tensors, "tower.weight", where);
    model.#parts = {
      content,
      tower: {
        weights: matrix("tower.weight", towerWeights.shape[0]),
        bias: matrix("tower.bias", 1),
      },
      userIds: matrix("user.id_embedding", users),
      itemIds: matrix("item.id_embedding", items),
      userTower: matrix("user.tower_embedding", users),
      itemTower: matrix("item.tower_embedding", items),
      itemContent: matrix("content.item_vectors", items),
    };
    model.#rules = tables.alpha as { users: AlphaRule; items: AlphaRule };
    model.#userIds = [...manifest.idMaps.users];
    model.#itemIds = [...manifest.idMaps.items];
    model.#userCounts = Int32Array.from(vector<Int32Array>("user.interactions", users, "I32"));
    model.#itemCounts = Int32Array.from(vector<Int32Array>("item.interactions", items, "I32"));
    model.#userDays = Float64Array.from(
      vector<Float64Array>("user.days_since_first", users, "F64"),
    );
    model.#itemDays = Float64Array.from(
      vector<Float64Array>("item.days_since_first", items, "F64"),
    );
    const offsets = vector<Int32Array>("seen.offsets", users + 1, "I32");
    const seenItems = vector<Int32Array>("seen.items", -1, "I32");
    model.#seen = Array.from(
      { length: users },
      (_, u) => new Set(seenItems.subarray(offsets[u], offsets[u + 1])),
    );
    const rating = tables.rating as
      | {
        model: FactorRatingConfig;
        intercept: number;
        slope: number;
        min: number | null;
        max: number | null;
      }
      | null;
    if (rating) {
      const ratingTensors = unprefixState("rating", null, tensors as SavedState["tensors"], {});
      model.#ratingModel = FactorRatingModel.fromTensors(rating.model, ratingTensors.tensors);
      model.#rating = {
        intercept: rating.intercept,
        slope: rating.slope,
        min: rating.min ?? -Infinity,
        max: rating.max ?? Infinity,
      };
    }
    model.#fingerprint = manifest.dataFingerprint;
    const labels = (tables as { itemLabels?: unknown }).itemLabels;
    model.#itemLabels = Array.isArray(labels) && labels.length === items
      ? labels.map((l) => (typeof l === "string" ? l : null))
      : manifest.idMaps.items.map(() => null);
    model.#validationMetrics = Object.fromEntries(
      Object.entries(manifest.metrics).filter(([name, v]) =>
        name.startsWith("validation ") && v !== null
      ),
    ) as Record<string, number>;
    model.#blendAll();
    return model;
  }

  /**
   * The original ids of all users and items, by dense index.
   *
   * @example
   * ```ts ignore
   * console.log(model.ids.items[0]);
   * ```
   */
  get ids(): { users: readonly string[]; items: readonly string[] } {
    return { users: this.#userIds, items: this.#itemIds };
  }

  /**
   * An item's display name (its title column), or its id when it has none.
   *
   * @param item dense item index
   * @returns the label
   * @example
   * ```ts ignore
   * console.log(model.itemLabel(model.itemIndex("50"))); // "Star Wars (1977)"
   * ```
   */
  itemLabel(item: number): string {
    return this.#itemLabels[item] ?? this.#itemIds[item] ?? String(item);
  }

  /**
   * Metrics measured on the fit's own validation split with the fitted α and
   * rating map: NDCG@10 of the warm and cold-item tasks and, with ratings,
   * the RMSE of predict(). Saved into the manifest by save().
   *
   * @example
   * ```ts ignore
   * console.log(model.validationMetrics["validation warm ndcg@10"]);
   * ```
   */
  get validationMetrics(): Readonly<Record<string, number>> {
    return this.#validationMetrics;
  }

  /**
   * The dense index of an original user id, or −1.
   *
   * @param id original id
   * @returns the index
   * @example
   * ```ts ignore
   * const u = model.userIndex("196");
   * ```
   */
  userIndex(id: string): number {
    return this.#userIds.indexOf(id);
  }

  /**
   * Training interactions of a user and an item (moves with addInteractions).
   *
   * @param kind "user" or "item"
   * @param index dense index
   * @returns the count n that α depends on
   * @example
   * ```ts ignore
   * console.log(model.interactionCount("item", 0));
   * ```
   */
  interactionCount(kind: "user" | "item", index: number): number {
    return (kind === "user" ? this.#userCounts : this.#itemCounts)[index] ?? 0;
  }

  /**
   * The dense index of an original item id, or −1.
   *
   * @param id original id
   * @returns the index
   * @example
   * ```ts ignore
   * const i = model.itemIndex("50");
   * ```
   */
  itemIndex(id: string): number {
    return this.#itemIds.indexOf(id);
  }

  #requireParts(): Parts {
    if (!this.#parts || !this.#rules) throw new Error("Hybrid: call fit() first");
    return this.#parts;
  }
}

/**
 * The NMF collaborative stage: unit NMF factors as id embeddings, and a ridge
 * map content → factors (fitted on entities with ratings) as the tower, so
 * tower(content) of a cold entity lands in the factor space.
 */
function nmfParts(
  train: Dataset,
  content: ContentRecommender,
  seed: number,
  options: NMFOptions | undefined,
  report: (p: HybridProgress) => void,
): Parts {
  if (!train.interactions.rating) {
    throw new Error(
      `Hybrid: collaborative "nmf" needs explicit ratings; ${train.name} has none (use "triplet")`,
    );
  }
  const nmf = new NMF({ seed, ...options });
  nmf.fit(train, { onEpoch: (epoch, epochs) => report({ stage: "nmf", epoch, epochs }) });
  const users = train.users.ids.length, items = train.items.ids.length;
  const d = nmf.userFactors.length / Math.max(1, users);
  const userIds = unitRows({ rows: users, cols: d, data: Float32Array.from(nmf.userFactors) });
  const itemIds = unitRows({ rows: items, cols: d, data: Float32Array.from(nmf.itemFactors) });
  const userCounts = countBy(train.interactions.user, users);
  const itemCounts = countBy(train.interactions.item, items);
  const contentAll = stackRows(content.userVectors, content.itemVectors);
  const map = fitRidgeMap(
    contentAll,
    stackRows(userIds, itemIds),
    1,
    (r) => (r < users ? userCounts[r] : itemCounts[r - users]) > 0,
  );
  const c = contentAll.cols;
  const tower = {
    weights: { rows: c, cols: d, data: map.data.slice(0, c * d) },
    bias: { rows: 1, cols: d, data: map.data.slice(c * d) },
  };
  return assembleParts(content, tower, userIds, itemIds);
}

/** The parts of a fitted model: its stages' outputs and the tower's image of every entity. */
function assembleParts(
  content: ContentRecommender,
  tower: { weights: Matrix; bias: Matrix },
  userIds: Matrix,
  itemIds: Matrix,
): Parts {
  return {
    content,
    tower,
    userIds,
    itemIds,
    userTower: unitRows(project(content.userVectors, tower)),
    itemTower: unitRows(project(content.itemVectors, tower)),
    itemContent: content.itemVectors,
  };
}

function stackRows(top: Matrix, bottom: Matrix): Matrix {
  const data = new Float32Array((top.rows + bottom.rows) * top.cols);
  data.set(top.data, 0);
  data.set(bottom.data, top.rows * top.cols);
  return { rows: top.rows + bottom.rows, cols: top.cols, data };
}

/** Per-user seen items as CSR arrays (sorted within a user, so saves are reproducible). */
function seenCsr(seen: readonly Set<number>[]) {
  const offsets = new Int32Array(seen.length + 1);
  seen.forEach((set, u) => (offsets[u + 1] = offsets[u] + set.size));
  const items = new Int32Array(offsets[seen.length]);
  seen.forEach((set, u) => items.set([...set].sort((a, b) => a - b), offsets[u]));
  return { offsets, items };
}

function tensorOf(
  tensors: Record<string, DecodedTensor>,
  name: string,
  where: string,
): DecodedTensor {
  const t = tensors[name];
  if (!t) throw new Error(`${where}model.safetensors has no tensor "${name}"`);
  return t;
}

/**
 * Splits train into a fitting part and two validation parts, one per protocol:
 * `warm` holds out part of each user's interactions; `cold` holds out some
 * items with all their interactions (ranked among themselves, as in the
 * cold-item protocol), so α(0) is fitted on real cold items.
 */
function carveValidation(train: Dataset, fraction: number, coldItems: number, seed: number) {
  const cold = coldItems > 0
    ? coldItemSplit(train, { fraction: coldItems, seed: seed + 11 })
    : null;
  const warm = stratifiedSplit(cold ? cold.train : train, {
    trainRatio: 1 - fraction,
    seed: seed + 12,
  });
  const validation = cold
    ? withInteractions(
      train,
      concatInteractions(warm.test.interactions, cold.test.interactions),
      `${train.name}/validation`,
    )
    : warm.test;
  return { fitOn: warm.train, validation, warm: warm.test, cold: cold?.test ?? null };
}

function concatInteractions(
  a: Dataset["interactions"],
  b: Dataset["interactions"],
): Dataset["interactions"] {
  const join = <T extends Int32Array | Float32Array | Float64Array>(
    x: T,
    y: T,
    make: (n: number) => T,
  ): T => {
    const out = make(x.length + y.length);
    out.set(x, 0);
    out.set(y, x.length);
    return out;
  };
  return {
    length: a.length + b.length,
    user: join(a.user, b.user, (n) => new Int32Array(n)),
    item: join(a.item, b.item, (n) => new Int32Array(n)),
    rating: a.rating && b.rating ? join(a.rating, b.rating, (n) => new Float32Array(n)) : null,
    timestamp: a.timestamp && b.timestamp
      ? join(a.timestamp, b.timestamp, (n) => new Float64Array(n))
      : null,
  };
}

/** Counts, first-interaction ages (days before the latest timestamp) and seen sets. */
function historyOf(train: Dataset) {
  const users = train.users.ids.length, items = train.items.ids.length;
  const x = train.interactions;
  const userCounts = new Int32Array(users), itemCounts = new Int32Array(items);
  const userFirst = new Float64Array(users).fill(Infinity),
    itemFirst = new Float64Array(items).fill(Infinity);
  let latest = -Infinity;
  const seen = Array.from({ length: users }, () => new Set<number>());
  for (let p = 0; p < x.length; p++) {
    userCounts[x.user[p]]++, itemCounts[x.item[p]]++;
    seen[x.user[p]].add(x.item[p]);
    if (x.timestamp) {
      const t = x.timestamp[p];
      latest = Math.max(latest, t);
      userFirst[x.user[p]] = Math.min(userFirst[x.user[p]], t);
      itemFirst[x.item[p]] = Math.min(itemFirst[x.item[p]], t);
    }
  }
  const days = (first: Float64Array) =>
    Float64Array.from(
      first,
      (t) => (Number.isFinite(t) && Number.isFinite(latest) ? (latest - t) / 86400 : NaN),
    );
  return { userCounts, itemCounts, userDays: days(userFirst), itemDays: days(itemFirst), seen };
}

/** The warm task (ranked among all unseen items) and, with cold items, the cold-item task. */
function validationTasks(train: Dataset, warm: Dataset, cold: Dataset | null): ValidationTask[] {
  const users = train.users.ids.length;
  const tasks: ValidationTask[] = [{ heldOut: relevantByUser(warm, users), candidates: null }];
  if (cold && cold.interactions.length > 0) {
    tasks.push({
      heldOut: relevantByUser(cold, users),
      candidates: [...new Set(cold.interactions.item)].sort((x, y) => x - y),
    });
  }
  return tasks;
}

function relevantByUser(validation: Dataset, users: number): Map<number, Set<number>> {
  const grouped = groupBy(validation.interactions.user, users);
  const out = new Map<number, Set<number>>();
  for (let u = 0; u < users; u++) {
    if (grouped.offsets[u + 1] === grouped.offsets[u]) continue;
    const items = new Set<number>();
    for (let p = grouped.offsets[u]; p < grouped.offsets[u + 1]; p++) {
      items.add(validation.interactions.item[grouped.positions[p]]);
    }
    out.set(u, items);
  }
  return out;
}

/** Rows of `content × W + b`. */
function project(content: Matrix, tower: { weights: Matrix; bias: Matrix }): Matrix {
  const c = content.cols, d = tower.weights.cols;
  const out = new Float32Array(content.rows * d);
  for (let r = 0; r < content.rows; r++) {
    for (let t = 0; t < d; t++) {
      let sum = tower.bias.data[t];
      for (let i = 0; i < c; i++) sum += content.data[r * c + i] * tower.weights.data[i * d + t];
      out[r * d + t] = sum;
    }
  }
  return { rows: content.rows, cols: d, data: out };
}

/** normalise(α_e · tower_e + (1 − α_e) · id_e) for every row; both inputs unit rows. */
function blend(tower: Matrix, ids: Matrix, alphaOf: (row: number) => number): Matrix {
  const d = tower.cols, rows = tower.rows;
  const out = new Float32Array(rows * d);
  for (let e = 0; e < rows; e++) {
    const a = alphaOf(e);
    for (let t = 0; t < d; t++) {
      out[e * d + t] = a * tower.data[e * d + t] + (1 - a) * ids.data[e * d + t];
    }
  }
  return unitRows({ rows, cols: d, data: out });
}

function appendRow(matrix: Matrix, row: Float32Array): Matrix {
  const data = new Float32Array((matrix.rows + 1) * matrix.cols);
  data.set(matrix.data, 0);
  data.set(row, matrix.rows * matrix.cols);
  return { rows: matrix.rows + 1, cols: matrix.cols, data };
}

function appendValue(values: Int32Array | Float64Array, value: number): Int32Array | Float64Array {
  const out = new (values.constructor as Int32ArrayConstructor | Float64ArrayConstructor)(
    values.length + 1,
  );
  out.set(values, 0);
  out[values.length] = value;
  return out;
}

function countInRange(counts: Int32Array, lo: number, hi: number): number {
  let n = 0;
  for (const c of counts) if (c >= lo && c < hi) n++;
  return n;
}
