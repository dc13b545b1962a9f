/**
 * Building blocks for datasets: id interning, growable interaction buffers,
 * subsets that share entity tables, per-entity grouping and counts.
 *
 * @module
 */
import type {
  Dataset,
  DataWarning,
  EntityTable,
  FeatureColumn,
  Interactions,
  RatingScale,
} from "./types.ts";

/**
 * An empty entity table to fill with {@linkcode internId}.
 *
 * @returns a table with no ids and no columns
 * @example
 * ```ts
 * import { emptyEntityTable, internId } from "./dataset.ts";
 * const t = emptyEntityTable();
 * console.log(internId(t, "x"), internId(t, "y"), internId(t, "x")); // 0 1 0
 * ```
 */
export function emptyEntityTable(): EntityTable {
  return { ids: [], index: new Map(), columns: [] };
}

/**
 * The dense index of an original id, adding it to the table if new.
 *
 * @param table the table to look in and grow
 * @param id the original id
 * @returns its dense index
 * @example
 * ```ts
 * import { emptyEntityTable, internId } from "./dataset.ts";
 * const t = emptyEntityTable();
 * internId(t, "42");
 * console.log(t.ids); // ["42"]
 * ```
 */
export function internId(table: EntityTable, id: string): number {
  let index = table.index.get(id);
  if (index === undefined) {
    index = table.ids.length;
    table.ids.push(id);
    table.index.set(id, index);
  }
  return index;
}

/**
 * Growable buffers for interactions; call {@linkcode InteractionsBuilder.build} once at the end.
 *
 * @example
 * ```ts
 * import { InteractionsBuilder } from "./dataset.ts";
 * const b = new InteractionsBuilder(true, false);
 * b.push(0, 1, 4.5);
 * console.log(b.build().rating?.[0]); // 4.5
 * ```
 */
export class InteractionsBuilder {
  #length = 0;
  #user = new Int32Array(1024);
  #item = new Int32Array(1024);
  #rating: Float32Array | null;
  #timestamp: Float64Array | null;

  /**
   * Creates an empty builder.
   *
   * @param hasRating whether ratings are recorded
   * @param hasTimestamp whether timestamps are recorded
   */
  constructor(hasRating: boolean, hasTimestamp: boolean) {
    this.#rating = hasRating ? new Float32Array(1024) : null;
    this.#timestamp = hasTimestamp ? new Float64Array(1024) : null;
  }

  /** Number of interactions pushed so far. */
  get length(): number {
    return this.#length;
  }

  /**
   * Appends one interaction.
   *
   * @param user dense user index
   * @param item dense item index
   * @param rating the rating (ignored when ratings are not recorded)
   * @param timestamp seconds since the epoch (ignored when not recorded)
   * @example
   * ```ts
   * import { InteractionsBuilder } from "./dataset.ts";
   * const b = new InteractionsBuilder(false, true);
   * b.push(2, 3, NaN, 1e9);
   * console.log(b.length); // 1
   * ```
   */
  push(user: number, item: number, rating = NaN, timestamp = NaN): void {
    if (this.#length === this.#user.length) this.#grow();
    const n = this.#length++;
    this.#user[n] = user;
    this.#item[n] = item;
    if (this.#rating) this.#rating[n] = rating;
    if (this.#timestamp) this.#timestamp[n] = timestamp;
  }

  /**
   * The interactions pushed so far, in push order, as right-sized arrays.
   *
   * @returns the interactions
   * @example
   * ```ts
   * import { InteractionsBuilder } from "./dataset.ts";
   * console.log(new InteractionsBuilder(false, false).build().length); // 0
   * ```
   */
  build(): Interactions {
    const n = this.#length;
    return {
      length: n,
      user: this.#user.slice(0, n),
      item: this.#item.slice(0, n),
      rating: this.#rating ? this.#rating.slice(0, n) : null,
      timestamp: this.#timestamp ? this.#timestamp.slice(0, n) : null,
    };
  }

  #grow(): void {
    const size = this.#user.length * 2;
    const grow = <T extends Int32Array | Float32Array | Float64Array>(
      a: T,
      make: (n: number) => T,
    ) => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.#user = grow(this.#user, (n) => new Int32Array(n));
    this.#item = grow(this.#item, (n) => new Int32Array(n));
    if (this.#rating) this.#rating = grow(this.#rating, (n) => new Float32Array(n));
    if (this.#timestamp) this.#timestamp = grow(this.#timestamp, (n) => new Float64Array(n));
  }
}

/**
 * The interactions at the given positions, in that order.
 *
 * @param source interactions to pick from
 * @param positions indices into `source`
 * @returns a new Interactions with `positions.length` rows
 * @example
 * ```ts
 * import { InteractionsBuilder, selectInteractions } from "./dataset.ts";
 * const b = new InteractionsBuilder(true, false);
 * b.push(0, 0, 1);
 * b.push(0, 1, 2);
 * console.log(selectInteractions(b.build(), [1]).rating?.[0]); // 2
 * ```
 */
export function selectInteractions(
  source: Interactions,
  positions: ArrayLike<number>,
): Interactions {
  const n = positions.length;
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const rating = source.rating ? new Float32Array(n) : null;
  const timestamp = source.timestamp ? new Float64Array(n) : null;
  for (let k = 0; k < n; k++) {
    const p = positions[k];
    user[k] = source.user[p];
    item[k] = source.item[p];
    if (rating) rating[k] = source.rating![p];
    if (timestamp) timestamp[k] = source.timestamp![p];
  }
  return { length: n, user, item, rating, timestamp };
}

/**
 * A dataset with the same users, items and rating scale but other interactions.
 *
 * @param base the dataset whose tables are shared (not copied)
 * @param interactions the new interactions, in `base`'s dense ids
 * @param name the new dataset's name (defaults to `base.name`)
 * @returns the new dataset, with no warnings
 * @example
 * ```ts
 * import { datasetFromTriples, selectInteractions, withInteractions } from "./dataset.ts";
 * const ds = datasetFromTriples("toy", [["a", "x", 1], ["b", "y", 2]]);
 * const first = withInteractions(ds, selectInteractions(ds.interactions, [0]));
 * console.log(first.users === ds.users, first.interactions.length); // true 1
 * ```
 */
export function withInteractions(
  base: Dataset,
  interactions: Interactions,
  name = base.name,
): Dataset {
  return {
    name,
    users: base.users,
    items: base.items,
    interactions,
    ...(base.ratingScale ? { ratingScale: base.ratingScale } : {}),
    warnings: [],
  };
}

/**
 * Builds a small dataset from `[user, item, rating?, timestamp?]` tuples;
 * handy for tests and examples. Entities have no feature columns.
 *
 * @param name dataset name
 * @param rows the interactions with original ids
 * @param ratingScale optional declared scale
 * @returns the dataset
 * @example
 * ```ts
 * import { datasetFromTriples } from "./dataset.ts";
 * const ds = datasetFromTriples("toy", [["u", "i", 4, 100]]);
 * console.log(ds.interactions.timestamp?.[0]); // 100
 * ```
 */
export function datasetFromTriples(
  name: string,
  rows: ReadonlyArray<readonly [string, string, number?, number?]>,
  ratingScale?: RatingScale,
): Dataset {
  const users = emptyEntityTable();
  const items = emptyEntityTable();
  const hasRating = rows.some((r) => r[2] !== undefined);
  const hasTimestamp = rows.some((r) => r[3] !== undefined);
  const builder = new InteractionsBuilder(hasRating, hasTimestamp);
  for (const [u, i, r, t] of rows) {
    builder.push(internId(users, u), internId(items, i), r ?? NaN, t ?? NaN);
  }
  return {
    name,
    users,
    items,
    interactions: builder.build(),
    ...(ratingScale ? { ratingScale } : {}),
    warnings: [],
  };
}

/**
 * Keeps the last occurrence of each (user, item) pair, in original order.
 * This is hwer's duplicate policy: a later line is a later opinion.
 *
 * @param x interactions, possibly with repeated pairs
 * @param file the source named in the warning
 * @returns the deduplicated interactions and a warning when any were dropped
 * @example
 * ```ts
 * import { dropDuplicatePairs, InteractionsBuilder } from "./dataset.ts";
 * const b = new InteractionsBuilder(true, false);
 * b.push(0, 0, 1);
 * b.push(0, 0, 5);
 * const { interactions, warning } = dropDuplicatePairs(b.build(), "r.csv");
 * console.log(interactions.rating?.[0], warning?.count); // 5 1
 * ```
 */
export function dropDuplicatePairs(
  x: Interactions,
  file: string,
): { interactions: Interactions; warning?: DataWarning } {
  const last = new Map<number, number>();
  for (let k = 0; k < x.length; k++) last.set(x.user[k] * 4294967296 + x.item[k], k);
  const dropped = x.length - last.size;
  if (dropped === 0) return { interactions: x };
  const keep: number[] = [];
  for (let k = 0; k < x.length; k++) {
    if (last.get(x.user[k] * 4294967296 + x.item[k]) === k) keep.push(k);
  }
  return {
    interactions: selectInteractions(x, keep),
    warning: {
      code: "duplicate-pair",
      count: dropped,
      message:
        `${file}: ${dropped} duplicate (user, item) pair(s); kept the last occurrence of each`,
    },
  };
}

/**
 * Interaction positions grouped by an entity (CSR layout): the interactions
 * of entity `e` are `positions[offsets[e] .. offsets[e + 1])`, in original order.
 *
 * @example
 * ```ts
 * import { datasetFromTriples, groupBy } from "./dataset.ts";
 * const ds = datasetFromTriples("toy", [["a", "x"], ["b", "x"], ["a", "y"]]);
 * const g = groupBy(ds.interactions.user, ds.users.ids.length);
 * console.log(Array.from(g.positions.subarray(g.offsets[0], g.offsets[1]))); // [0, 2]
 * ```
 */
export interface Grouping {
  /** Start of each entity's run; length entities + 1. */
  readonly offsets: Int32Array;
  /** Interaction positions, grouped. */
  readonly positions: Int32Array;
}

/**
 * Groups interaction positions by a key column (user or item) with a counting sort.
 *
 * @param keys `interactions.user` or `interactions.item`
 * @param size number of entities (keys are in 0..size-1)
 * @returns offsets and grouped positions
 * @example
 * ```ts
 * import { groupBy } from "./dataset.ts";
 * const g = groupBy(Int32Array.of(1, 0, 1), 2);
 * console.log(Array.from(g.offsets)); // [0, 1, 3]
 * ```
 */
export function groupBy(keys: Int32Array, size: number): Grouping {
  const offsets = new Int32Array(size + 1);
  for (let k = 0; k < keys.length; k++) offsets[keys[k] + 1]++;
  for (let e = 0; e < size; e++) offsets[e + 1] += offsets[e];
  const cursor = offsets.slice(0, size);
  const positions = new Int32Array(keys.length);
  for (let k = 0; k < keys.length; k++) positions[cursor[keys[k]]++] = k;
  return { offsets, positions };
}

/**
 * Interactions per entity.
 *
 * @param keys `interactions.user` or `interactions.item`
 * @param size number of entities
 * @returns a count per entity
 * @example
 * ```ts
 * import { countBy } from "./dataset.ts";
 * console.log(Array.from(countBy(Int32Array.of(0, 0, 2), 3))); // [2, 0, 1]
 * ```
 */
export function countBy(keys: Int32Array, size: number): Int32Array {
  const counts = new Int32Array(size);
  for (let k = 0; k < keys.length; k++) counts[keys[k]]++;
  return counts;
}

/**
 * The feature column with that name, or undefined.
 *
 * @param table users or items
 * @param name column name
 * @returns the column
 * @example
 * ```ts
 * import { emptyEntityTable, getColumn } from "./dataset.ts";
 * console.log(getColumn(emptyEntityTable(), "title")); // undefined
 * ```
 */
export function getColumn(table: EntityTable, name: string): FeatureColumn | undefined {
  return table.columns.find((c) => c.name === name);
}
