// Argument checks shared by every backend, so both throw the same errors.
import type { CosineTopKOptions, ExclusionCsr, Matrix, Tensor } from "./backend.ts";

/** Throws unless `matrix` has integral non-negative shape, matching data length and finite values. */
export function validateMatrix(matrix: Matrix, label: string): void {
  const { rows, cols, data } = matrix;
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new RangeError(`${label}: shape must be non-negative integers, got ${rows} × ${cols}`);
  }
  if (!(data instanceof Float32Array)) {
    throw new TypeError(
      `${label}: data must be a Float32Array, got ${Object.prototype.toString.call(data)}`,
    );
  }
  if (data.length !== rows * cols) {
    throw new RangeError(
      `${label}: ${rows} × ${cols} needs ${rows * cols} values, got ${data.length}`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const row = Math.floor(i / cols);
      throw new RangeError(
        `${label}: value at row ${row}, column ${i - row * cols} is ${
          data[i]
        }; values must be finite`,
      );
    }
  }
}

/** Checks cosineTopK arguments and returns the effective k, `min(k, items.rows)`. */
export function validateTopK(queries: Tensor, items: Tensor, options: CosineTopKOptions): number {
  const { k, exclude } = options;
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`cosineTopK: k must be an integer ≥ 1, got ${k}`);
  }
  if (queries.cols !== items.cols) {
    throw new RangeError(
      `cosineTopK: queries "${queries.label}" have ${queries.cols} dims but items "${items.label}" have ${items.cols}`,
    );
  }
  if (exclude) validateExclusions(exclude, queries.rows, items.rows);
  return Math.min(k, items.rows);
}

/** Throws unless `exclude` is a well-formed CSR over `queries` rows with item indices below `items`. */
export function validateExclusions(exclude: ExclusionCsr, queries: number, items: number): void {
  const { offsets, indices } = exclude;
  if (offsets.length !== queries + 1) {
    throw new RangeError(
      `exclude.offsets must have queries + 1 = ${queries + 1} entries, got ${offsets.length}`,
    );
  }
  if (offsets[0] !== 0) throw new RangeError(`exclude.offsets[0] must be 0, got ${offsets[0]}`);
  for (let q = 0; q < queries; q++) {
    if (offsets[q + 1] < offsets[q]) {
      throw new RangeError(
        `exclude.offsets must not decrease: offsets[${q + 1}] = ${offsets[q + 1]} < ${offsets[q]}`,
      );
    }
  }
  if (offsets[queries] !== indices.length) {
    throw new RangeError(
      `exclude.offsets[${queries}] = ${offsets[queries]} but indices has ${indices.length} entries`,
    );
  }
  for (let e = 0; e < indices.length; e++) {
    const item = indices[e];
    if (!Number.isInteger(item) || item < 0 || item >= items) {
      throw new RangeError(`exclude.indices[${e}] = ${item} is outside [0, ${items})`);
    }
  }
}

const ACTIVATIONS = ["linear", "relu", "tanh", "sigmoid"];

/** A tensor's shape as text for messages. */
function shapeOf(t: Tensor): string {
  return `"${t.label}" (${t.rows} × ${t.cols})`;
}

/** Throws unless `t` is rows × cols. */
export function expectShape(op: string, t: Tensor, rows: number, cols: number): void {
  if (t.rows !== rows || t.cols !== cols) {
    throw new RangeError(`${op}: ${shapeOf(t)} must be ${rows} × ${cols}`);
  }
}

/** Checks a dense layer's operands and activation. */
export function validateDense(
  op: string,
  x: Tensor,
  w: Tensor,
  b: Tensor,
  activation: string,
): void {
  if (!ACTIVATIONS.includes(activation)) {
    throw new RangeError(
      `${op}: activation must be one of ${ACTIVATIONS.join(", ")}, got "${activation}"`,
    );
  }
  if (x.cols !== w.rows) {
    throw new RangeError(`${op}: inputs ${shapeOf(x)} do not match weights ${shapeOf(w)}`);
  }
  expectShape(op, b, 1, w.cols);
}

/** Checks gather indices against the source's rows. */
export function validateRowIndices(op: string, source: Tensor, rows: Int32Array): void {
  for (let i = 0; i < rows.length; i++) {
    if (!(rows[i] >= 0 && rows[i] < source.rows)) {
      throw new RangeError(
        `${op}: row index ${rows[i]} at position ${i} is outside [0, ${source.rows}) of ${
          shapeOf(source)
        }`,
      );
    }
  }
}

/** Checks a shape for a new tensor. */
export function validateShape(op: string, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new RangeError(`${op}: shape must be non-negative integers, got ${rows} × ${cols}`);
  }
}

/** Checks stacked triplet operands (3B × E) and their 2·B positive weights. */
export function validateTriplets(triplets: Tensor, weights: Float32Array, margin: number): void {
  if (triplets.rows % 3 !== 0) {
    throw new RangeError(
      `tripletGradients: "${triplets.label}" has ${triplets.rows} rows; stacked triplets need a multiple of 3`,
    );
  }
  const count = triplets.rows / 3;
  if (weights.length !== 2 * count) {
    throw new RangeError(
      `tripletGradients: ${count} triplets need ${2 * count} weights, got ${weights.length}`,
    );
  }
  for (let i = 0; i < weights.length; i++) {
    if (!(weights[i] > 0) || !Number.isFinite(weights[i])) {
      throw new RangeError(
        `tripletGradients: weight ${i} is ${weights[i]}; weights must be finite and > 0`,
      );
    }
  }
  if (!Number.isFinite(margin)) {
    throw new RangeError(`tripletGradients: margin must be finite, got ${margin}`);
  }
}

/** Checks segment offsets and order against the rows they index. */
export function validateSegments(rows: Tensor, offsets: Int32Array, order: Int32Array): void {
  if (offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== order.length) {
    throw new RangeError(`segmentSum: offsets must run from 0 to order.length = ${order.length}`);
  }
  for (let k = 1; k < offsets.length; k++) {
    if (offsets[k] < offsets[k - 1]) throw new RangeError(`segmentSum: offsets decrease at ${k}`);
  }
  for (let j = 0; j < order.length; j++) {
    if (!(order[j] >= 0 && order[j] < rows.rows)) {
      throw new RangeError(
        `segmentSum: order[${j}] = ${order[j]} is outside [0, ${rows.rows}) of "${rows.label}"`,
      );
    }
  }
}

/** Checks row-sparse Adam operands: distinct rows inside the table, matching shapes. */
export function validateAdamRows(
  table: Tensor,
  rows: Int32Array,
  gradient: Tensor,
  m: Tensor,
  v: Tensor,
): void {
  expectShape("adamRows", gradient, rows.length, table.cols);
  expectShape("adamRows", m, table.rows, table.cols);
  expectShape("adamRows", v, table.rows, table.cols);
  const seen = new Set<number>();
  for (let k = 0; k < rows.length; k++) {
    if (!(rows[k] >= 0 && rows[k] < table.rows)) {
      throw new RangeError(
        `adamRows: row ${
          rows[k]
        } at position ${k} is outside [0, ${table.rows}) of "${table.label}"`,
      );
    }
    if (seen.has(rows[k])) {
      throw new RangeError(`adamRows: row ${rows[k]} is listed twice; rows must be distinct`);
    }
    seen.add(rows[k]);
  }
}
