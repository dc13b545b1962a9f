/**
 * The dataset model shared by every hwer stage: entity tables with typed
 * feature columns, interactions as a struct of typed arrays, and splits that
 * share one dense id space.
 *
 * @module
 */

/**
 * A feature column of an entity table; `values`/`codes` are indexed by the
 * entity's dense index. Missing values: `""` for text, `-1` code for
 * categorical, `[]` for multi-categorical, `NaN` for numeric.
 *
 * @example
 * ```ts
 * import type { FeatureColumn } from "./types.ts";
 * const genre: FeatureColumn = {
 *   kind: "categorical",
 *   name: "genre",
 *   codes: Int32Array.of(0, 1, -1),
 *   vocab: ["drama", "comedy"],
 * };
 * console.log(genre.kind); // "categorical"
 * ```
 */
export type FeatureColumn =
  | TextColumn
  | CategoricalColumn
  | MultiCategoricalColumn
  | NumericColumn;

/**
 * Free text, one string per entity (`""` when missing).
 *
 * @example
 * ```ts
 * import type { TextColumn } from "./types.ts";
 * const c: TextColumn = { kind: "text", name: "title", values: ["Heat", ""] };
 * console.log(c.values.length); // 2
 * ```
 */
export interface TextColumn {
  /** Discriminant. */
  readonly kind: "text";
  /** Column name as in the source file. */
  readonly name: string;
  /** One string per entity. */
  readonly values: string[];
}

/**
 * One category per entity, stored as codes into `vocab` (`-1` when missing).
 *
 * @example
 * ```ts
 * import type { CategoricalColumn } from "./types.ts";
 * const c: CategoricalColumn = {
 *   kind: "categorical",
 *   name: "gender",
 *   codes: Int32Array.of(0, 1),
 *   vocab: ["F", "M"],
 * };
 * console.log(c.vocab[c.codes[1]]); // "M"
 * ```
 */
export interface CategoricalColumn {
  /** Discriminant. */
  readonly kind: "categorical";
  /** Column name as in the source file. */
  readonly name: string;
  /** Code per entity, an index into `vocab`, or -1 when missing. */
  readonly codes: Int32Array;
  /** Distinct values in order of first appearance. */
  readonly vocab: string[];
}

/**
 * A list of categories per entity (`[]` when missing), e.g. genres.
 *
 * @example
 * ```ts
 * import type { MultiCategoricalColumn } from "./types.ts";
 * const c: MultiCategoricalColumn = {
 *   kind: "multiCategorical",
 *   name: "genres",
 *   values: [["Action", "Comedy"], []],
 *   vocab: ["Action", "Comedy"],
 * };
 * console.log(c.values[0].length); // 2
 * ```
 */
export interface MultiCategoricalColumn {
  /** Discriminant. */
  readonly kind: "multiCategorical";
  /** Column name as in the source file. */
  readonly name: string;
  /** The categories of each entity. */
  readonly values: string[][];
  /** Distinct categories in order of first appearance. */
  readonly vocab: string[];
}

/**
 * A number per entity (`NaN` when missing).
 *
 * @example
 * ```ts
 * import type { NumericColumn } from "./types.ts";
 * const c: NumericColumn = { kind: "numeric", name: "age", values: Float64Array.of(24, NaN) };
 * console.log(Number.isNaN(c.values[1])); // true
 * ```
 */
export interface NumericColumn {
  /** Discriminant. */
  readonly kind: "numeric";
  /** Column name as in the source file. */
  readonly name: string;
  /** One value per entity; NaN when missing. */
  readonly values: Float64Array;
}

/** The kind of a feature column. */
export type FeatureKind = FeatureColumn["kind"];

/**
 * Users or items: original ids by dense index, the reverse map and feature
 * columns. Dense indices run 0..ids.length-1.
 *
 * @example
 * ```ts
 * import type { EntityTable } from "./types.ts";
 * const items: EntityTable = { ids: ["a", "b"], index: new Map([["a", 0], ["b", 1]]), columns: [] };
 * console.log(items.index.get("b")); // 1
 * ```
 */
export interface EntityTable {
  /** Original id of each dense index. */
  readonly ids: string[];
  /** Original id → dense index. */
  readonly index: Map<string, number>;
  /** Feature columns, each with one value per entity. */
  readonly columns: FeatureColumn[];
}

/**
 * Interactions as a struct of typed arrays of equal length, using dense ids.
 *
 * @example
 * ```ts
 * import type { Interactions } from "./types.ts";
 * const x: Interactions = {
 *   length: 1,
 *   user: Int32Array.of(0),
 *   item: Int32Array.of(3),
 *   rating: Float32Array.of(4),
 *   timestamp: null,
 * };
 * console.log(x.rating?.[0]); // 4
 * ```
 */
export interface Interactions {
  /** Number of interactions. */
  readonly length: number;
  /** Dense user index of each interaction. */
  readonly user: Int32Array;
  /** Dense item index of each interaction. */
  readonly item: Int32Array;
  /** Explicit rating, or null for implicit feedback. */
  readonly rating: Float32Array | null;
  /** Seconds since the Unix epoch, or null when the source has none. */
  readonly timestamp: Float64Array | null;
}

/**
 * The inclusive range of valid ratings.
 *
 * @example
 * ```ts
 * import type { RatingScale } from "./types.ts";
 * const stars: RatingScale = { min: 1, max: 5 };
 * console.log(stars.max - stars.min); // 4
 * ```
 */
export interface RatingScale {
  /** Lowest valid rating. */
  readonly min: number;
  /** Highest valid rating. */
  readonly max: number;
}

/**
 * Something a loader tolerated but the user should know about, with a count.
 *
 * @example
 * ```ts
 * import type { DataWarning } from "./types.ts";
 * const w: DataWarning = { code: "duplicate-pair", count: 2, message: "2 duplicate pairs" };
 * console.log(w.count); // 2
 * ```
 */
export interface DataWarning {
  /** Machine-readable kind of the warning. */
  readonly code:
    | "duplicate-pair"
    | "unknown-user"
    | "unknown-item"
    | "duplicate-entity"
    | "latin1-fallback"
    | "no-interactions";
  /** How many rows it affected. */
  readonly count: number;
  /** Human-readable explanation naming the file. */
  readonly message: string;
}

/**
 * Users, items, their interactions and where they came from.
 *
 * @example
 * ```ts
 * import { datasetFromTriples } from "./dataset.ts";
 * const ds = datasetFromTriples("toy", [["u1", "i1", 5], ["u2", "i1", 3]]);
 * console.log(ds.users.ids.length, ds.items.ids.length, ds.interactions.length); // 2 1 2
 * ```
 */
export interface Dataset {
  /** Short name, e.g. "ml-100k". */
  readonly name: string;
  /** User table. */
  readonly users: EntityTable;
  /** Item table. */
  readonly items: EntityTable;
  /** The interactions, in dense ids. */
  readonly interactions: Interactions;
  /** Valid rating range when ratings are explicit. */
  readonly ratingScale?: RatingScale;
  /** What the loader tolerated (duplicates dropped, unknown ids added, …). */
  readonly warnings: DataWarning[];
}

/** How a split was made. */
export type SplitKind =
  | "random"
  | "stratified"
  | "official-fold"
  | "cold-item"
  | "cold-user"
  | "leave-last-out"
  | "validation";

/**
 * Train/test (and optional validation) datasets that share the full dataset's
 * user and item tables, so dense ids mean the same thing in all of them.
 *
 * @example
 * ```ts
 * import { datasetFromTriples } from "./dataset.ts";
 * import { randomSplit } from "./splits.ts";
 * const ds = datasetFromTriples("toy", [["a", "x", 1], ["a", "y", 2], ["b", "x", 3], ["b", "y", 4]]);
 * const split = randomSplit(ds, { testFraction: 0.5, seed: 1 });
 * console.log(split.train.items === split.test.items); // true
 * ```
 */
export interface Split {
  /** E.g. "ml-100k/u1" or "ml-100k/stratified-0.75-seed42". */
  readonly name: string;
  /** How it was made. */
  readonly kind: SplitKind;
  /** Interactions a model may learn from. */
  readonly train: Dataset;
  /** Held-out interactions for scoring. */
  readonly test: Dataset;
  /** Optional tuning set carved from the original train. */
  readonly validation?: Dataset;
}

/**
 * A malformed input: names the file, the 1-based line and the offending text.
 *
 * @example
 * ```ts
 * import { DataFormatError } from "./types.ts";
 * const e = new DataFormatError("rating is not a number", "u.data", 7, "1\t2\tx\t3");
 * console.log(e.line); // 7
 * ```
 */
export class DataFormatError extends Error {
  /** The file (path or name) the bad input came from. */
  readonly file: string;
  /** 1-based line number (0 when the problem is the file as a whole). */
  readonly line: number;
  /** The offending text (the line, or the field). */
  readonly text: string;

  /**
   * Creates the error; the message reads "file:line: problem: \"text\"".
   *
   * @param problem what is wrong, e.g. "rating 7 is outside the scale 1..5"
   * @param file the file path or name
   * @param line 1-based line number, 0 for the whole file
   * @param text the offending text
   */
  constructor(problem: string, file: string, line: number, text: string) {
    const shown = text.length > 200 ? text.slice(0, 200) + "…" : text;
    super(`${file}:${line}: ${problem}: ${JSON.stringify(shown)}`);
    this.name = "DataFormatError";
    this.file = file;
    this.line = line;
    this.text = text;
  }
}
