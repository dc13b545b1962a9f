/**
 * Groups the target rows of gradient contributions into segments, so they can
 * be added up without atomics (see shaders/triplet.wgsl).
 *
 * @module
 */

/**
 * Distinct target rows (ascending) and, per row, the contributions that go to it.
 *
 * @example
 * ```ts
 * import type { RowSegments } from "./segments.ts";
 * const s: RowSegments = { rows: new Int32Array([3]), offsets: new Int32Array([0, 2]), order: new Int32Array([0, 1]) };
 * console.log(s.rows[0]); // 3
 * ```
 */
export interface RowSegments {
  /** Distinct target rows, ascending. */
  readonly rows: Int32Array;
  /** `rows.length + 1` bounds into `order`. */
  readonly offsets: Int32Array;
  /** Contribution indices grouped by target row, ascending within a row. */
  readonly order: Int32Array;
}

/**
 * Counting-sorts contribution `j` (targeting row `targets[j]`) into segments.
 *
 * @param targets the table row each contribution adds to
 * @param tableRows rows in the table (targets must be below it)
 * @returns the segments
 * @example
 * ```ts
 * import { segmentRows } from "./segments.ts";
 * const s = segmentRows(new Int32Array([4, 1, 4]), 5);
 * console.log([...s.rows], [...s.offsets], [...s.order]); // [1, 4] [0, 1, 3] [1, 0, 2]
 * ```
 */
export function segmentRows(targets: Int32Array, tableRows: number): RowSegments {
  const counts = new Int32Array(tableRows + 1);
  for (let j = 0; j < targets.length; j++) {
    const row = targets[j];
    if (!(row >= 0 && row < tableRows)) {
      throw new RangeError(
        `segmentRows: target ${row} at position ${j} is outside [0, ${tableRows})`,
      );
    }
    counts[row + 1]++;
  }
  let distinct = 0;
  for (let r = 1; r <= tableRows; r++) {
    if (counts[r] > 0) distinct++;
    counts[r] += counts[r - 1];
  }
  const order = new Int32Array(targets.length);
  const cursor = counts.slice(0, tableRows);
  for (let j = 0; j < targets.length; j++) order[cursor[targets[j]]++] = j;
  const rows = new Int32Array(distinct);
  const offsets = new Int32Array(distinct + 1);
  let k = 0;
  for (let r = 0; r < tableRows; r++) {
    if (counts[r + 1] > counts[r]) {
      rows[k] = r;
      offsets[++k] = counts[r + 1];
    }
  }
  return { rows, offsets, order };
}
