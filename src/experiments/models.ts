/**
 * The models of the experiment table: the seed's list — (a) content-based,
 * (b) collaborative NMF, (c) content + NMF, (d) content + triplet with the
 * extra features (genres, year, age, occupation are part of the content),
 * (e) the same with the alpha tree — and Random and Popularity as reference
 * rows. Each has full settings (the library defaults) and quick ones (a few
 * epochs everywhere) for CI.
 *
 * @module
 */
import type { Backend } from "../compute/backend.ts";
import { Popularity, RandomRecommender } from "../collab/baselines.ts";
import { NMF } from "../collab/nmf.ts";
import { ContentRecommender, type ContentRecommenderOptions } from "../content/recommender.ts";
import type { Recommender } from "../eval/recommender.ts";
import { type HybridOptions, HybridRecommender } from "../model/hybrid.ts";

/**
 * Ids of the experiment models, in table order.
 *
 * @example
 * ```ts
 * import type { ExperimentModelId } from "./models.ts";
 * const id: ExperimentModelId = "hybrid-tree";
 * console.log(id); // "hybrid-tree"
 * ```
 */
export type ExperimentModelId =
  | "random"
  | "popularity"
  | "content"
  | "nmf"
  | "hybrid-nmf"
  | "hybrid-global"
  | "hybrid-tree";

/**
 * How a model of the table is built for one run.
 *
 * @example
 * ```ts
 * import type { ModelSettings } from "./models.ts";
 * const s: ModelSettings = { seed: 42, quick: true };
 * console.log(s.quick); // true
 * ```
 */
export interface ModelSettings {
  /** Seed of the model's random choices. */
  readonly seed: number;
  /** Few epochs everywhere (see {@linkcode EXPERIMENT_QUICK_EPOCHS}). */
  readonly quick: boolean;
  /** Where content and hybrid models train (default: their own CPU backend). */
  readonly backend?: Backend;
}

/**
 * One row kind of the table.
 *
 * @example
 * ```ts
 * import { EXPERIMENTS } from "./models.ts";
 * const content = EXPERIMENTS.find((e) => e.id === "content")!;
 * console.log(content.label, content.create({ seed: 1, quick: true }).name); // "Content" "Content"
 * ```
 */
export interface ExperimentDefinition {
  /** Id used by `--models`. */
  readonly id: ExperimentModelId;
  /** Row label in the table. */
  readonly label: string;
  /** The seed's experiment letter, or "ref" for a reference row. */
  readonly tag: "a" | "b" | "c" | "d" | "e" | "ref";
  /** One line for help texts. */
  readonly description: string;
  /**
   * Builds an untrained model.
   *
   * @param settings seed, quick mode and backend
   * @returns the model
   */
  create(settings: ModelSettings): Recommender;
}

/**
 * Epochs of every stage in quick mode: enough for each stage to run and the
 * table to have its shape, in seconds on a small dataset. Not the figures to
 * quote.
 *
 * @example
 * ```ts
 * import { EXPERIMENT_QUICK_EPOCHS } from "./models.ts";
 * console.log(EXPERIMENT_QUICK_EPOCHS.triplet); // 5
 * ```
 */
export const EXPERIMENT_QUICK_EPOCHS: Readonly<{
  fastText: number;
  fusion: number;
  triplet: number;
  nmf: number;
}> = Object.freeze({ fastText: 2, fusion: 5, triplet: 5, nmf: 20 });

/**
 * Content stage options of quick mode (fastText and fusion epochs of
 * {@linkcode EXPERIMENT_QUICK_EPOCHS}, for items and users).
 *
 * @returns the options
 * @example
 * ```ts
 * import { experimentQuickContentOptions } from "./models.ts";
 * console.log(experimentQuickContentOptions().items?.fusion); // { epochs: 5 }
 * ```
 */
export function experimentQuickContentOptions(): ContentRecommenderOptions {
  const stage = {
    text: { epochs: EXPERIMENT_QUICK_EPOCHS.fastText },
    fusion: { epochs: EXPERIMENT_QUICK_EPOCHS.fusion },
  };
  return { items: stage, users: stage };
}

/**
 * Hybrid options for `settings`: quick mode shrinks every stage and skips the
 * retraining after the α fit (`refit: false`).
 *
 * @param settings seed, quick mode and backend
 * @param extra the variant's own options (collaborative stage, α mode)
 * @returns the options
 * @example
 * ```ts
 * import { experimentHybridOptions } from "./models.ts";
 * const o = experimentHybridOptions({ seed: 3, quick: true }, { alpha: "tree" });
 * console.log(o.alpha, o.refit, o.triplet?.epochs); // "tree" false 5
 * ```
 */
export function experimentHybridOptions(
  settings: ModelSettings,
  extra: HybridOptions,
): HybridOptions {
  const base: HybridOptions = {
    seed: settings.seed,
    ...(settings.backend ? { backend: settings.backend } : {}),
  };
  if (!settings.quick) return { ...base, ...extra };
  return {
    ...base,
    content: experimentQuickContentOptions(),
    triplet: { epochs: EXPERIMENT_QUICK_EPOCHS.triplet },
    nmf: { epochs: EXPERIMENT_QUICK_EPOCHS.nmf },
    refit: false,
    ...extra,
  };
}

/**
 * The models of the experiment table, in row order: the references first,
 * then (a)–(e).
 *
 * @example
 * ```ts
 * import { EXPERIMENTS } from "./models.ts";
 * console.log(EXPERIMENTS.map((e) => e.id).join(","));
 * // "random,popularity,content,nmf,hybrid-nmf,hybrid-global,hybrid-tree"
 * ```
 */
export const EXPERIMENTS: readonly ExperimentDefinition[] = Object.freeze(
  [
    {
      id: "random",
      label: "Random",
      tag: "ref",
      description: "uniform random scores (reference)",
      create: ({ seed }) => new RandomRecommender({ seed }),
    },
    {
      id: "popularity",
      label: "Popularity",
      tag: "ref",
      description: "most-interacted items first (reference)",
      create: () => new Popularity(),
    },
    {
      id: "content",
      label: "Content",
      tag: "a",
      description: "(a) content-based: fastText titles + encoded features, fused; cosine ranking",
      create: ({ seed, quick, backend }) =>
        new ContentRecommender({
          seed,
          ...(backend ? { backend } : {}),
          ...(quick ? experimentQuickContentOptions() : {}),
        }),
    },
    {
      id: "nmf",
      label: "NMF",
      tag: "b",
      description: "(b) collaborative: non-negative matrix factorisation of the ratings",
      create: ({ seed, quick }) =>
        new NMF({ seed, ...(quick ? { epochs: EXPERIMENT_QUICK_EPOCHS.nmf } : {}) }),
    },
    {
      id: "hybrid-nmf",
      label: "Content + NMF (global α)",
      tag: "c",
      description: "(c) hybrid of content and NMF vectors, one α for users and one for items",
      create: (settings) =>
        new HybridRecommender(
          experimentHybridOptions(settings, { collaborative: "nmf", alpha: "global" }),
        ),
    },
    {
      id: "hybrid-global",
      label: "Content + triplet (global α)",
      tag: "d",
      description: "(d) hybrid of content (with user/item features) and triplet vectors, global α",
      create: (settings) =>
        new HybridRecommender(experimentHybridOptions(settings, { alpha: "global" })),
    },
    {
      id: "hybrid-tree",
      label: "Content + triplet (α tree)",
      tag: "e",
      description: "(e) as (d) with α per interaction-count bucket (the alpha tree)",
      create: (settings) =>
        new HybridRecommender(experimentHybridOptions(settings, { alpha: "tree" })),
    },
  ] satisfies ExperimentDefinition[],
);

/**
 * Every model id, in table order.
 *
 * @example
 * ```ts
 * import { EXPERIMENT_MODEL_IDS } from "./models.ts";
 * console.log(EXPERIMENT_MODEL_IDS[0]); // "random"
 * ```
 */
export const EXPERIMENT_MODEL_IDS: readonly ExperimentModelId[] = Object.freeze(
  EXPERIMENTS.map((e) => e.id),
);

/**
 * The definition of a model id.
 *
 * @param id a model id
 * @returns its definition
 * @throws {RangeError} for an id that is not one of {@linkcode EXPERIMENT_MODEL_IDS}
 * @example
 * ```ts
 * import { experimentModel } from "./models.ts";
 * console.log(experimentModel("nmf").label); // "NMF"
 * ```
 */
export function experimentModel(id: string): ExperimentDefinition {
  const found = EXPERIMENTS.find((e) => e.id === id);
  if (!found) {
    throw new RangeError(
      `unknown experiment model ${JSON.stringify(id)}: use ${EXPERIMENT_MODEL_IDS.join(", ")}`,
    );
  }
  return found;
}
