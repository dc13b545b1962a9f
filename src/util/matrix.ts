/**
 * Small host-side matrix helpers shared by the stages.
 *
 * @module
 */
import type { Matrix } from "../compute/backend.ts";

/**
 * Rows scaled to unit length (zero rows stay zero).
 *
 * @param matrix the rows
 * @returns a new matrix
 * @example
 * ```ts
 * import { unitRows } from "./matrix.ts";
 * console.log([...unitRows({ rows: 1, cols: 2, data: new Float32Array([3, 4]) }).data]); // [0.6, 0.8]
 * ```
 */
export function unitRows(matrix: Matrix): Matrix {
  const { rows, cols, data } = matrix;
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += data[r * cols + c] ** 2;
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let c = 0; c < cols; c++) out[r * cols + c] = data[r * cols + c] * scale;
  }
  return { rows, cols, data: out };
}

/**
 * A new matrix of the given rows, in order.
 *
 * @param matrix the source
 * @param rows row indices
 * @returns rows.length × cols
 * @example
 * ```ts
 * import { pickRows } from "./matrix.ts";
 * console.log([...pickRows({ rows: 3, cols: 1, data: new Float32Array([5, 6, 7]) }, [2, 0]).data]); // [7, 5]
 * ```
 */
export function pickRows(matrix: Matrix, rows: ArrayLike<number>): Matrix {
  const d = matrix.cols;
  const data = new Float32Array(rows.length * d);
  for (let n = 0; n < rows.length; n++) {
    data.set(matrix.data.subarray(rows[n] * d, (rows[n] + 1) * d), n * d);
  }
  return { rows: rows.length, cols: d, data };
}
