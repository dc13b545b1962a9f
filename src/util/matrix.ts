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

/**
 * Ridge regression with an intercept: W = (AᵀA + λI)⁻¹ AᵀT over the included
 * rows, A = [features, 1] (the intercept is not penalised). Returns
 * (features.cols + 1) × targets.cols, the last row being the intercept; apply
 * it with {@linkcode applyAffineMap}.
 *
 * @param features rows × f inputs
 * @param targets rows × d outputs
 * @param lambda the ridge penalty
 * @param include which rows take part (default all)
 * @returns the map
 * @example
 * ```ts
 * import { applyAffineMap, fitRidgeMap } from "./matrix.ts";
 * const x = { rows: 3, cols: 1, data: Float32Array.of(0, 1, 2) };
 * const y = { rows: 3, cols: 1, data: Float32Array.of(1, 3, 5) }; // y = 2x + 1
 * const map = fitRidgeMap(x, y, 1e-9);
 * console.log(applyAffineMap({ rows: 1, cols: 1, data: Float32Array.of(3) }, map).data[0].toFixed(3)); // "7.000"
 * ```
 */
export function fitRidgeMap(
  features: Matrix,
  targets: Matrix,
  lambda: number,
  include: (row: number) => boolean = () => true,
): Matrix {
  const f = features.cols + 1, d = targets.cols;
  const ata = new Float64Array(f * f), atp = new Float64Array(f * d);
  const row = new Float64Array(f);
  for (let r = 0; r < features.rows; r++) {
    if (!include(r)) continue;
    for (let i = 0; i < features.cols; i++) row[i] = features.data[r * features.cols + i];
    row[f - 1] = 1;
    for (let i = 0; i < f; i++) {
      if (row[i] === 0) continue;
      for (let j = 0; j < f; j++) ata[i * f + j] += row[i] * row[j];
      for (let t = 0; t < d; t++) atp[i * d + t] += row[i] * targets.data[r * d + t];
    }
  }
  for (let i = 0; i < f - 1; i++) ata[i * f + i] += lambda;
  ata[(f - 1) * f + (f - 1)] += 1e-9;
  return { rows: f, cols: d, data: Float32Array.from(choleskySolve(cholesky(ata, f), atp, f, d)) };
}

/**
 * The lower Cholesky factor L of a symmetric positive definite n × n matrix
 * (A = L Lᵀ; tiny pivots are clamped so a near-singular A still factors).
 *
 * @param a row-major n × n
 * @param n the size
 * @returns row-major L
 * @example
 * ```ts
 * import { cholesky } from "./matrix.ts";
 * console.log([...cholesky(Float64Array.of(4, 2, 2, 2), 2)]); // [2, 0, 1, 1]
 * ```
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j * n + j];
    }
  }
  return l;
}

/**
 * Solves (L Lᵀ) X = B for B n × m, given L from {@linkcode cholesky}.
 *
 * @param l the Cholesky factor, row-major n × n
 * @param b right-hand sides, row-major n × m
 * @param n rows
 * @param m columns of B
 * @returns X, row-major n × m
 * @example
 * ```ts
 * import { cholesky, choleskySolve } from "./matrix.ts";
 * const l = cholesky(Float64Array.of(4, 2, 2, 2), 2);
 * console.log([...choleskySolve(l, Float64Array.of(6, 4), 2, 1)]); // [1, 1]
 * ```
 */
export function choleskySolve(
  l: Float64Array,
  b: Float64Array,
  n: number,
  m: number,
): Float64Array {
  const x = b.slice();
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let sum = x[i * m + c];
      for (let k = 0; k < i; k++) sum -= l[i * n + k] * x[k * m + c];
      x[i * m + c] = sum / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = x[i * m + c];
      for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k * m + c];
      x[i * m + c] = sum / l[i * n + i];
    }
  }
  return x;
}

/**
 * Rows of `features × W[:-1] + W[-1]` for a map from {@linkcode fitRidgeMap}.
 *
 * @param features rows × f
 * @param map (f + 1) × d, the last row the intercept
 * @returns rows × d
 * @example
 * ```ts
 * import { applyAffineMap } from "./matrix.ts";
 * const map = { rows: 2, cols: 1, data: Float32Array.of(2, 1) }; // y = 2x + 1
 * console.log(applyAffineMap({ rows: 1, cols: 1, data: Float32Array.of(4) }, map).data[0]); // 9
 * ```
 */
export function applyAffineMap(features: Matrix, map: Matrix): Matrix {
  const f = features.cols, d = map.cols;
  if (map.rows !== f + 1) {
    throw new RangeError(`applyAffineMap: the map has ${map.rows} rows, expected ${f + 1}`);
  }
  const out = new Float32Array(features.rows * d);
  for (let r = 0; r < features.rows; r++) {
    for (let t = 0; t < d; t++) {
      let sum = map.data[f * d + t];
      for (let i = 0; i < f; i++) sum += features.data[r * f + i] * map.data[i * d + t];
      out[r * d + t] = sum;
    }
  }
  return { rows: features.rows, cols: d, data: out };
}
