/**
 * Encoders for the non-text feature columns of an entity table: categorical →
 * one-hot, multi-categorical → idf-weighted multi-hot, numeric → standardised
 * value, missing indicator, standardised log1p and quantile. Each column is one
 * group of the output; groups are scaled so that none drowns the others.
 *
 * **Group scaling.** Categorical and multi-categorical groups are first
 * L2-normalised per row (a one-hot row already has norm 1; an idf multi-hot row
 * becomes a unit tf-idf vector, as scikit-learn's `TfidfVectorizer` does).
 * Numeric groups are not row-normalised: for a one-column group that would turn
 * every value into ±1 and erase it. Then every group `g` is multiplied by a
 * factor fitted once, `1 / √(G · m_g)`, where `G` is the number of groups and
 * `m_g` the mean squared norm of the group's rows over the fitted table
 * (missing rows count as zero). On the fitted table each group therefore has a
 * mean squared row norm of exactly `1/G`, and rows a mean squared norm of 1.
 *
 * **Id-like columns** (a categorical column with more than 20 distinct values and
 * more than half as many as entities that have one, such as imdbId or a zip code) are left out unless
 * named in `columns`: a one-hot of ids carries no signal shared between entities.
 * Text columns are left to the text embedder (`text.ts`).
 *
 * @module
 */
import type { EntityTable, FeatureColumn } from "../data/types.ts";
import { isIdLike } from "./_columns.ts";

/**
 * One feature value of a single entity, as a caller describes a new item or user:
 * a string for text and categorical columns, a list for multi-categorical ones, a
 * number (or numeric string) for numeric ones. `null`, `undefined`, `""`, `[]` and
 * `NaN` mean missing.
 */
export type EntityFeatureValue = string | number | readonly string[] | null | undefined;

/**
 * The feature values of one entity by column name, e.g. a new item for a
 * cold-start `addItem`. Columns not named are missing; extra names are ignored.
 *
 * @example
 * ```ts
 * import type { EntityFeatures } from "./features.ts";
 * const movie: EntityFeatures = { title: "Heat", year: 1995, genres: ["Action", "Crime"] };
 * console.log(Object.keys(movie).length); // 3
 * ```
 */
export type EntityFeatures = Readonly<Record<string, EntityFeatureValue>>;

/**
 * Reads the features of one entity of a table into an {@link EntityFeatures}
 * record (categorical codes become their values; missing values become `null`).
 *
 * @param table the entity table
 * @param row the entity's dense index
 * @returns the entity's values by column name
 * @example
 * ```ts
 * import { entityFeatures } from "./features.ts";
 * const table = {
 *   ids: ["u1"],
 *   index: new Map([["u1", 0]]),
 *   columns: [{ kind: "categorical" as const, name: "gender", codes: Int32Array.of(0), vocab: ["F"] }],
 * };
 * console.log(entityFeatures(table, 0)); // { gender: "F" }
 * ```
 */
export function entityFeatures(table: EntityTable, row: number): EntityFeatures {
  if (!Number.isInteger(row) || row < 0 || row >= table.ids.length) {
    throw new RangeError(`entity row ${row} is outside 0..${table.ids.length - 1}`);
  }
  const out: Record<string, EntityFeatureValue> = {};
  for (const column of table.columns) {
    switch (column.kind) {
      case "text":
        out[column.name] = column.values[row] === "" ? null : column.values[row];
        break;
      case "categorical": {
        const code = column.codes[row];
        out[column.name] = code < 0 ? null : column.vocab[code];
        break;
      }
      case "multiCategorical":
        out[column.name] = column.values[row].length === 0 ? null : column.values[row];
        break;
      case "numeric":
        out[column.name] = Number.isNaN(column.values[row]) ? null : column.values[row];
        break;
    }
  }
  return out;
}

/** The column kinds the feature encoder turns into groups. */
export type EncodedKind = "categorical" | "multiCategorical" | "numeric";

/**
 * Where one column's features lie in a {@link FeatureMatrix} row.
 *
 * @example
 * ```ts
 * import type { FeatureGroup } from "./features.ts";
 * const g: FeatureGroup = { name: "gender", kind: "categorical", start: 0, width: 2 };
 * console.log(g.start + g.width); // 2
 * ```
 */
export interface FeatureGroup {
  /** The source column's name. */
  readonly name: string;
  /** The source column's kind. */
  readonly kind: EncodedKind;
  /** First feature column of the group. */
  readonly start: number;
  /** Number of feature columns. */
  readonly width: number;
}

/**
 * Encoded features of a table: a row-major `rows × cols` matrix and its groups.
 *
 * @example
 * ```ts
 * import type { FeatureMatrix } from "./features.ts";
 * const m: FeatureMatrix = { rows: 1, cols: 2, data: Float32Array.of(0.5, 0.5), groups: [] };
 * console.log(m.data[m.cols * 0 + 1]); // 0.5
 * ```
 */
export interface FeatureMatrix {
  /** Number of entities. */
  readonly rows: number;
  /** Number of features per entity. */
  readonly cols: number;
  /** Row-major values, `rows × cols`. */
  readonly data: Float32Array;
  /** The column groups, in order, covering `0..cols`. */
  readonly groups: readonly FeatureGroup[];
}

/**
 * Options of {@link FeatureEncoder.fit}.
 *
 * @example
 * ```ts
 * import type { FeatureEncoderOptions } from "./features.ts";
 * const options: FeatureEncoderOptions = { minCategoryCount: 5, quantile: false };
 * console.log(options.minCategoryCount); // 5
 * ```
 */
export interface FeatureEncoderOptions {
  /**
   * Columns to encode, by name. Default: every categorical, multi-categorical and
   * numeric column except id-like categorical ones. Naming a text column is an
   * error; naming an id-like column includes it.
   */
  readonly columns?: readonly string[];
  /**
   * Categories seen in fewer entities than this share one "other" feature
   * (default 1: every category gets its own; the "other" feature exists only
   * when some category falls below the count).
   */
  readonly minCategoryCount?: number;
  /** Add a standardised log1p feature to numeric columns with no negative value (default true). */
  readonly log1p?: boolean;
  /** Add a quantile feature (mid-rank → [0, 1]) to numeric columns (default true). */
  readonly quantile?: boolean;
  /** Most knots a quantile transform keeps (default 1024; more distinct values are thinned). */
  readonly maxQuantileKnots?: number;
}

/** Fitted parameters of one categorical group. */
export interface CategoricalGroupSpec {
  /** Discriminant. */
  readonly kind: "categorical";
  /** Source column. */
  readonly name: string;
  /** Categories with their own feature, in feature order. */
  readonly categories: readonly string[];
  /** Categories that share the trailing "other" feature. */
  readonly rare: readonly string[];
  /** Group factor fitted for equal mean squared norm. */
  readonly scale: number;
}

/** Fitted parameters of one multi-categorical group. */
export interface MultiCategoricalGroupSpec {
  /** Discriminant. */
  readonly kind: "multiCategorical";
  /** Source column. */
  readonly name: string;
  /** Categories with their own feature, in feature order. */
  readonly categories: readonly string[];
  /** idf = ln((1 + N) / (1 + df)) + 1 of each category. */
  readonly idf: readonly number[];
  /** Categories that share the trailing "other" feature. */
  readonly rare: readonly string[];
  /** idf of the "other" feature (df = entities with any rare category). */
  readonly otherIdf: number;
  /** Group factor fitted for equal mean squared norm. */
  readonly scale: number;
}

/** Fitted parameters of one numeric group. */
export interface NumericGroupSpec {
  /** Discriminant. */
  readonly kind: "numeric";
  /** Source column. */
  readonly name: string;
  /** Mean of the present values. */
  readonly mean: number;
  /** Population standard deviation of the present values (1 when it is 0). */
  readonly std: number;
  /** Mean and std of log1p of the present values, or null when not used. */
  readonly log1p: { readonly mean: number; readonly std: number } | null;
  /** Quantile knots: increasing values and their mid-rank fractions, or null. */
  readonly quantile:
    | { readonly values: readonly number[]; readonly ranks: readonly number[] }
    | null;
  /** Group factor fitted for equal mean squared norm. */
  readonly scale: number;
}

/** Fitted parameters of one group. */
export type GroupSpec = CategoricalGroupSpec | MultiCategoricalGroupSpec | NumericGroupSpec;

/**
 * The JSON form of a fitted {@link FeatureEncoder}, for a model manifest.
 *
 * @example
 * ```ts
 * import { FeatureEncoder } from "./features.ts";
 * import type { FeatureEncoderJson } from "./features.ts";
 * const table = { ids: ["a"], index: new Map([["a", 0]]), columns: [] };
 * const json: FeatureEncoderJson = FeatureEncoder.fit(table).toJSON();
 * console.log(json.format); // "hwer.featureEncoder"
 * ```
 */
export interface FeatureEncoderJson {
  /** Always "hwer.featureEncoder". */
  readonly format: "hwer.featureEncoder";
  /** Format version, 1. */
  readonly version: 1;
  /** Fitted groups in feature order. */
  readonly groups: readonly GroupSpec[];
}

/**
 * Turns categorical, multi-categorical and numeric columns into one scaled
 * feature matrix; fitted on a table, it also encodes entities it never saw
 * (unseen categories give a zero group) and round-trips through JSON.
 *
 * @example
 * ```ts
 * import { FeatureEncoder } from "./features.ts";
 * const table = {
 *   ids: ["a", "b"],
 *   index: new Map([["a", 0], ["b", 1]]),
 *   columns: [
 *     { kind: "categorical" as const, name: "gender", codes: Int32Array.of(0, 1), vocab: ["F", "M"] },
 *     { kind: "numeric" as const, name: "age", values: Float64Array.of(20, 40) },
 *   ],
 * };
 * const encoder = FeatureEncoder.fit(table);
 * const matrix = encoder.encodeTable(table);
 * console.log(matrix.rows, matrix.cols); // 2 6
 * const fresh = encoder.encode({ gender: "X", age: 30 }); // unseen gender → zero group
 * console.log(fresh[0], fresh[1]); // 0 0
 * ```
 */
export class FeatureEncoder {
  /** Fitted groups in feature order. */
  readonly specs: readonly GroupSpec[];
  /** Where each group lies in a row. */
  readonly groups: readonly FeatureGroup[];
  /** Features per entity. */
  readonly cols: number;

  /**
   * Wraps fitted group parameters; use {@link FeatureEncoder.fit} or
   * {@link FeatureEncoder.fromJSON} instead of calling this directly.
   *
   * @param specs fitted groups in feature order
   */
  constructor(specs: readonly GroupSpec[]) {
    this.specs = specs;
    const groups: FeatureGroup[] = [];
    let start = 0;
    for (const spec of specs) {
      const width = groupWidth(spec);
      groups.push({ name: spec.name, kind: spec.kind, start, width });
      start += width;
    }
    this.groups = groups;
    this.cols = start;
  }

  /**
   * Fits an encoder on a table's feature columns.
   *
   * @param table the entities to fit on (their statistics define the encoding)
   * @param options columns, rare-category count and numeric transforms
   * @returns the fitted encoder
   * @example
   * ```ts
   * import { FeatureEncoder } from "./features.ts";
   * const table = {
   *   ids: ["a", "b"],
   *   index: new Map([["a", 0], ["b", 1]]),
   *   columns: [{ kind: "numeric" as const, name: "year", values: Float64Array.of(1990, NaN) }],
   * };
   * console.log(FeatureEncoder.fit(table).groups[0].width); // 4
   * ```
   */
  static fit(table: EntityTable, options: FeatureEncoderOptions = {}): FeatureEncoder {
    const minCount = options.minCategoryCount ?? 1;
    if (!Number.isInteger(minCount) || minCount < 1) {
      throw new RangeError(`minCategoryCount must be a positive integer, got ${minCount}`);
    }
    const maxKnots = options.maxQuantileKnots ?? 1024;
    if (!Number.isInteger(maxKnots) || maxKnots < 2) {
      throw new RangeError(`maxQuantileKnots must be an integer ≥ 2, got ${maxKnots}`);
    }
    const columns = selectColumns(table, options.columns);
    const rows = table.ids.length;
    const unscaled: GroupSpec[] = columns.map((column) => {
      switch (column.kind) {
        case "categorical":
          return fitCategorical(column, minCount);
        case "multiCategorical":
          return fitMultiCategorical(column, minCount, rows);
        case "numeric":
          return fitNumeric(column, options.log1p ?? true, options.quantile ?? true, maxKnots);
        case "text":
          throw new Error("unreachable: text columns are not selected");
      }
    });
    // Scale each group so its mean squared row norm over the fitted table is 1/G.
    const groupCount = unscaled.length;
    const specs = unscaled.map((spec, g) => {
      const column = columns[g];
      const width = groupWidth(spec);
      const row = new Float32Array(width);
      let sum = 0;
      for (let r = 0; r < rows; r++) {
        row.fill(0);
        writeGroup(spec, valueAt(column, r), row, 0);
        for (let j = 0; j < width; j++) sum += row[j] * row[j];
      }
      const meanSquare = rows > 0 ? sum / rows : 0;
      const scale = meanSquare > 0
        ? 1 / Math.sqrt(groupCount * meanSquare)
        : 1 / Math.sqrt(groupCount);
      return { ...spec, scale };
    });
    return new FeatureEncoder(specs);
  }

  /**
   * Rebuilds an encoder from {@link FeatureEncoder.toJSON} output.
   *
   * @param json the parsed JSON
   * @returns the encoder, encoding exactly as the one saved
   * @example
   * ```ts
   * import { FeatureEncoder } from "./features.ts";
   * const table = {
   *   ids: ["a"],
   *   index: new Map([["a", 0]]),
   *   columns: [{ kind: "numeric" as const, name: "n", values: Float64Array.of(3) }],
   * };
   * const encoder = FeatureEncoder.fit(table);
   * const copy = FeatureEncoder.fromJSON(JSON.parse(JSON.stringify(encoder)));
   * console.log(copy.cols === encoder.cols); // true
   * ```
   */
  static fromJSON(json: unknown): FeatureEncoder {
    return new FeatureEncoder(parseEncoderJson(json));
  }

  /**
   * The JSON form (plain data; `JSON.stringify` calls this).
   *
   * @returns format tag, version and the fitted groups
   * @example
   * ```ts
   * import { FeatureEncoder } from "./features.ts";
   * const table = { ids: [], index: new Map(), columns: [] };
   * console.log(FeatureEncoder.fit(table).toJSON().version); // 1
   * ```
   */
  toJSON(): FeatureEncoderJson {
    return { format: "hwer.featureEncoder", version: 1, groups: this.specs };
  }

  /**
   * A readable name for every feature column, e.g. `gender=F`, `genres=<other>`,
   * `age`, `age:missing`, `age:log1p`, `age:quantile`.
   *
   * @returns `cols` names in feature order
   * @example
   * ```ts
   * import { FeatureEncoder } from "./features.ts";
   * const table = {
   *   ids: ["a"],
   *   index: new Map([["a", 0]]),
   *   columns: [{ kind: "numeric" as const, name: "age", values: Float64Array.of(-3) }],
   * };
   * console.log(FeatureEncoder.fit(table).featureNames()); // ["age", "age:missing", "age:quantile"]
   * ```
   */
  featureNames(): string[] {
    const names: string[] = [];
    for (const spec of this.specs) {
      if (spec.kind === "numeric") {
        names.push(spec.name, `${spec.name}:missing`);
        if (spec.log1p) names.push(`${spec.name}:log1p`);
        if (spec.quantile) names.push(`${spec.name}:quantile`);
      } else {
        for (const c of spec.categories) names.push(`${spec.name}=${c}`);
        if (spec.rare.length > 0) names.push(`${spec.name}=<other>`);
      }
    }
    return names;
  }

  /**
   * Encodes every entity of a table that has the fitted columns (same names and
   * kinds; other columns are ignored).
   *
   * @param table the entities to encode (the fitted table or another one)
   * @returns the `rows × cols` feature matrix
   * @example
   * ```ts
   * import { FeatureEncoder } from "./features.ts";
   * const table = {
   *   ids: ["a", "b"],
   *   index: new Map([["a", 0], ["b", 1]]),
   *   columns: [{ kind: "categorical" as const, name: "c", codes: Int32Array.of(0, -1), vocab: ["x"] }],
   * };
   * const m = FeatureEncoder.fit(table).encodeTable(table);
   * console.log(Array.from(m.data)); // [1, 0]
   * ```
   */
  encodeTable(table: EntityTable): FeatureMatrix {
    const rows = table.ids.length;
    const data = new Float32Array(rows * this.cols);
    this.specs.forEach((spec, g) => {
      const column = table.columns.find((c) => c.name === spec.name);
      if (!column) {
        throw new Error(
          `feature encoder: table has no column "${spec.name}" (columns: ${
            table.columns.map((c) => c.name).join(", ") || "none"
          })`,
        );
      }
      if (column.kind !== spec.kind) {
        throw new Error(
          `feature encoder: column "${spec.name}" is ${column.kind}, but was fitted as ${spec.kind}`,
        );
      }
      const start = this.groups[g].start;
      for (let r = 0; r < rows; r++) {
        writeGroup(spec, valueAt(column, r), data, r * this.cols + start, spec.scale);
      }
    });
    return { rows, cols: this.cols, data, groups: this.groups };
  }

  /**
   * Encodes one entity given by its values, e.g. an item added after fitting.
   * Unseen categories give zeros; absent columns count as missing.
   *
   * @param features the entity's values by column name
   * @param out optional array of length `cols` to fill
   * @returns the `cols` features
   * @example
   * ```ts
   * import { FeatureEncoder } from "./features.ts";
   * const table = {
   *   ids: ["a", "b"],
   *   index: new Map([["a", 0], ["b", 1]]),
   *   columns: [{ kind: "multiCategorical" as const, name: "g", values: [["x"], ["x", "y"]], vocab: ["x", "y"] }],
   * };
   * const encoder = FeatureEncoder.fit(table);
   * console.log(encoder.encode({ g: ["y", "new"] })[1] > 0); // true
   * ```
   */
  encode(features: EntityFeatures, out?: Float32Array): Float32Array {
    const row = out ?? new Float32Array(this.cols);
    if (row.length !== this.cols) {
      throw new RangeError(`encode: out has length ${row.length}, expected ${this.cols}`);
    }
    row.fill(0);
    this.specs.forEach((spec, g) => {
      const value = checkValue(spec, features[spec.name]);
      writeGroup(spec, value, row, this.groups[g].start, spec.scale);
    });
    return row;
  }
}

/** A value normalised for encoding: null when missing. */
type CellValue = string | readonly string[] | number | null;

function valueAt(column: FeatureColumn, row: number): CellValue {
  switch (column.kind) {
    case "categorical": {
      const code = column.codes[row];
      return code < 0 ? null : column.vocab[code];
    }
    case "multiCategorical":
      return column.values[row];
    case "numeric":
      return Number.isNaN(column.values[row]) ? null : column.values[row];
    case "text":
      return column.values[row];
  }
}

function checkValue(spec: GroupSpec, value: EntityFeatureValue): CellValue {
  if (value === null || value === undefined) return null;
  const shown = JSON.stringify(value);
  switch (spec.kind) {
    case "categorical":
      if (typeof value === "number") return Number.isNaN(value) ? null : String(value);
      if (typeof value !== "string") {
        throw new TypeError(
          `column "${spec.name}" is categorical; expected a string, got ${shown}`,
        );
      }
      return value === "" ? null : value;
    case "multiCategorical":
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
        throw new TypeError(
          `column "${spec.name}" is multi-categorical; expected a list of strings, got ${shown}`,
        );
      }
      return value as readonly string[];
    case "numeric": {
      if (typeof value === "string" && value.trim() === "") return null;
      const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
      if (typeof value === "number" && Number.isNaN(value)) return null;
      if (!Number.isFinite(n)) {
        throw new TypeError(
          `column "${spec.name}" is numeric; expected a finite number, got ${shown}`,
        );
      }
      return n;
    }
  }
}

function groupWidth(spec: GroupSpec): number {
  if (spec.kind === "numeric") return 2 + (spec.log1p ? 1 : 0) + (spec.quantile ? 1 : 0);
  return spec.categories.length + (spec.rare.length > 0 ? 1 : 0);
}

/** Writes one group's (row-normalised, then `scale`d) features at `out[at..]`. */
function writeGroup(
  spec: GroupSpec,
  value: CellValue,
  out: Float32Array,
  at: number,
  scale = 1,
): void {
  switch (spec.kind) {
    case "categorical": {
      if (value === null) return;
      const j = categoryIndex(spec, value as string);
      if (j >= 0) out[at + j] = scale;
      return;
    }
    case "multiCategorical": {
      const list = value === null ? [] : value as readonly string[];
      const width = groupWidth(spec);
      let sumSquares = 0;
      for (const category of new Set(list)) {
        const j = categoryIndex(spec, category);
        if (j < 0 || out[at + j] !== 0) continue;
        const weight = j < spec.categories.length ? spec.idf[j] : spec.otherIdf;
        out[at + j] = weight;
        sumSquares += weight * weight;
      }
      if (sumSquares === 0) return;
      const factor = scale / Math.sqrt(sumSquares);
      for (let j = 0; j < width; j++) out[at + j] *= factor;
      return;
    }
    case "numeric": {
      if (value === null) {
        out[at + 1] = scale; // missing indicator; standardised value stays 0
        let j = 2;
        if (spec.log1p) j++;
        if (spec.quantile) out[at + j] = 0.5 * scale; // the median
        return;
      }
      const x = value as number;
      out[at] = ((x - spec.mean) / spec.std) * scale;
      let j = 2;
      if (spec.log1p) {
        out[at + j++] = ((Math.log1p(Math.max(x, 0)) - spec.log1p.mean) / spec.log1p.std) * scale;
      }
      if (spec.quantile) out[at + j] = quantileOf(spec.quantile, x) * scale;
      return;
    }
  }
}

const categoryIndexCache = new WeakMap<GroupSpec, Map<string, number>>();

/** Feature index of a category: its own, the "other" one, or -1 when unseen. */
function categoryIndex(spec: CategoricalGroupSpec | MultiCategoricalGroupSpec, value: string) {
  let index = categoryIndexCache.get(spec);
  if (!index) {
    index = new Map();
    spec.categories.forEach((c, j) => index!.set(c, j));
    for (const c of spec.rare) index.set(c, spec.categories.length);
    categoryIndexCache.set(spec, index);
  }
  return index.get(value) ?? -1;
}

/** Mid-rank fraction of x, interpolated linearly between knots, clamped to [0, 1]. */
function quantileOf(q: { values: readonly number[]; ranks: readonly number[] }, x: number): number {
  const { values, ranks } = q;
  const n = values.length;
  if (x < values[0]) return 0;
  if (x > values[n - 1]) return 1;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (values[mid] <= x) lo = mid;
    else hi = mid;
  }
  if (values[lo] === x || lo === hi) return ranks[lo];
  if (values[hi] === x) return ranks[hi];
  const t = (x - values[lo]) / (values[hi] - values[lo]);
  return ranks[lo] + t * (ranks[hi] - ranks[lo]);
}

function selectColumns(table: EntityTable, names?: readonly string[]): FeatureColumn[] {
  if (!names) return table.columns.filter((c) => c.kind !== "text" && !isIdLike(c));
  return names.map((name) => {
    const column = table.columns.find((c) => c.name === name);
    if (!column) {
      throw new Error(
        `feature encoder: no column "${name}" (columns: ${
          table.columns.map((c) => c.name).join(", ") || "none"
        })`,
      );
    }
    if (column.kind === "text") {
      throw new Error(`feature encoder: column "${name}" is text; embed it with text.ts instead`);
    }
    return column;
  });
}

function splitRare(counts: Map<string, number>, minCount: number) {
  const categories: string[] = [];
  const rare: string[] = [];
  for (const [category, count] of counts) (count >= minCount ? categories : rare).push(category);
  return { categories, rare };
}

function fitCategorical(
  column: Extract<FeatureColumn, { kind: "categorical" }>,
  minCount: number,
): CategoricalGroupSpec {
  const counts = new Map<string, number>();
  for (const code of column.codes) {
    if (code < 0) continue;
    const value = column.vocab[code];
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return { kind: "categorical", name: column.name, ...splitRare(counts, minCount), scale: 1 };
}

/** idf = ln((1 + N) / (1 + df)) + 1, scikit-learn's smoothed idf. */
function smoothIdf(entities: number, df: number): number {
  return Math.log((1 + entities) / (1 + df)) + 1;
}

function fitMultiCategorical(
  column: Extract<FeatureColumn, { kind: "multiCategorical" }>,
  minCount: number,
  entities: number,
): MultiCategoricalGroupSpec {
  const df = new Map<string, number>();
  for (const list of column.values) {
    for (const category of new Set(list)) df.set(category, (df.get(category) ?? 0) + 1);
  }
  const { categories, rare } = splitRare(df, minCount);
  const rareSet = new Set(rare);
  let otherDf = 0;
  for (const list of column.values) if (list.some((c) => rareSet.has(c))) otherDf++;
  return {
    kind: "multiCategorical",
    name: column.name,
    categories,
    idf: categories.map((c) => smoothIdf(entities, df.get(c)!)),
    rare,
    otherIdf: smoothIdf(entities, otherDf),
    scale: 1,
  };
}

function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 1 };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) * (v - mean);
  const std = Math.sqrt(squares / values.length);
  return { mean, std: std > 0 ? std : 1 };
}

function fitNumeric(
  column: Extract<FeatureColumn, { kind: "numeric" }>,
  useLog: boolean,
  useQuantile: boolean,
  maxKnots: number,
): NumericGroupSpec {
  const present: number[] = [];
  for (const v of column.values) {
    if (Number.isNaN(v)) continue;
    if (!Number.isFinite(v)) {
      throw new RangeError(`feature encoder: column "${column.name}" holds ${v}`);
    }
    present.push(v);
  }
  const log1p = useLog && present.every((v) => v >= 0)
    ? meanStd(present.map((v) => Math.log1p(v)))
    : null;
  return {
    kind: "numeric",
    name: column.name,
    ...meanStd(present),
    log1p,
    quantile: useQuantile ? quantileKnots(present, maxKnots) : null,
    scale: 1,
  };
}

/**
 * Distinct sorted values with their mid-rank fraction: ties share the mean of
 * their 0-based ranks, divided by n − 1 (a single value maps to 0.5). With more
 * distinct values than `maxKnots`, evenly spaced ones (first and last kept) remain.
 */
function quantileKnots(present: number[], maxKnots: number) {
  const sorted = Float64Array.from(present).sort();
  const n = sorted.length;
  const values: number[] = [];
  const ranks: number[] = [];
  if (n === 0) return { values: [0], ranks: [0.5] };
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && sorted[j + 1] === sorted[i]) j++;
    values.push(sorted[i]);
    ranks.push(n === 1 ? 0.5 : (i + j) / 2 / (n - 1));
    i = j + 1;
  }
  if (values.length <= maxKnots) return { values, ranks };
  const keepValues: number[] = [];
  const keepRanks: number[] = [];
  for (let k = 0; k < maxKnots; k++) {
    const i = Math.round((k * (values.length - 1)) / (maxKnots - 1));
    keepValues.push(values[i]);
    keepRanks.push(ranks[i]);
  }
  return { values: keepValues, ranks: keepRanks };
}

function parseEncoderJson(json: unknown): GroupSpec[] {
  const fail = (where: string, problem: string): never => {
    throw new Error(`feature encoder JSON: ${where}: ${problem}`);
  };
  const obj = json as Record<string, unknown> | null;
  if (typeof obj !== "object" || obj === null) fail("root", `expected an object, got ${json}`);
  if (obj!.format !== "hwer.featureEncoder") {
    fail("format", `expected "hwer.featureEncoder", got ${JSON.stringify(obj!.format)}`);
  }
  if (obj!.version !== 1) fail("version", `expected 1, got ${JSON.stringify(obj!.version)}`);
  if (!Array.isArray(obj!.groups)) fail("groups", "expected an array");
  const isNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  const isStrings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === "string");
  const isNumbers = (v: unknown) => Array.isArray(v) && v.every(isNumber);
  return (obj!.groups as Record<string, unknown>[]).map((g, i) => {
    const where = `groups[${i}]`;
    if (typeof g !== "object" || g === null) fail(where, "expected an object");
    if (typeof g.name !== "string") fail(`${where}.name`, "expected a string");
    if (!isNumber(g.scale)) fail(`${where}.scale`, `expected a number, got ${g.scale}`);
    switch (g.kind) {
      case "categorical":
        if (!isStrings(g.categories)) fail(`${where}.categories`, "expected strings");
        if (!isStrings(g.rare)) fail(`${where}.rare`, "expected strings");
        return g as unknown as CategoricalGroupSpec;
      case "multiCategorical":
        if (!isStrings(g.categories)) fail(`${where}.categories`, "expected strings");
        if (!isStrings(g.rare)) fail(`${where}.rare`, "expected strings");
        if (!isNumbers(g.idf) || (g.idf as number[]).length !== (g.categories as string[]).length) {
          fail(`${where}.idf`, "expected one number per category");
        }
        if (!isNumber(g.otherIdf)) fail(`${where}.otherIdf`, "expected a number");
        return g as unknown as MultiCategoricalGroupSpec;
      case "numeric": {
        if (!isNumber(g.mean) || !isNumber(g.std)) fail(where, "expected numbers mean and std");
        const log = g.log1p as Record<string, unknown> | null;
        if (
          log !== null && (typeof log !== "object" || !isNumber(log.mean) || !isNumber(log.std))
        ) {
          fail(`${where}.log1p`, "expected null or {mean, std}");
        }
        const q = g.quantile as Record<string, unknown> | null;
        if (
          q !== null &&
          (typeof q !== "object" || !isNumbers(q.values) || !isNumbers(q.ranks) ||
            (q.values as number[]).length === 0 ||
            (q.values as number[]).length !== (q.ranks as number[]).length)
        ) {
          fail(`${where}.quantile`, "expected null or {values, ranks} of equal, non-zero length");
        }
        return g as unknown as NumericGroupSpec;
      }
      default:
        return fail(`${where}.kind`, `unknown kind ${JSON.stringify(g.kind)}`);
    }
  });
}
