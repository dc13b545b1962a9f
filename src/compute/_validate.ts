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
