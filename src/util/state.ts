/**
 * The in-memory form of a fitted component on its way to or from a model
 * folder: JSON settings, named tensors and named files. Components export
 * their own state; the model file layer (src/model/manifest.ts) writes it.
 *
 * @module
 */

/**
 * A tensor as components hand it over: shape and row-major data.
 *
 * @example
 * ```ts
 * import type { StateTensor } from "./state.ts";
 * const t: StateTensor = { shape: [1, 2], data: Float32Array.of(1, 2) };
 * console.log(t.shape); // [1, 2]
 * ```
 */
export interface StateTensor {
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Elements in row-major order. */
  readonly data: Float32Array | Float64Array | Int32Array;
}

/**
 * A matrix as a 2-D state tensor (the inverse of {@linkcode stateMatrix}).
 *
 * @param matrix rows × cols, row-major
 * @returns the tensor, sharing the matrix's data
 * @example
 * ```ts
 * import { matrixTensor } from "./state.ts";
 * console.log(matrixTensor({ rows: 1, cols: 2, data: Float32Array.of(1, 2) }).shape); // [1, 2]
 * ```
 */
export function matrixTensor(
  matrix: { readonly rows: number; readonly cols: number; readonly data: Float32Array },
): { shape: number[]; data: Float32Array } {
  return { shape: [matrix.rows, matrix.cols], data: matrix.data };
}

/**
 * A component's saved state.
 *
 * @example
 * ```ts
 * import type { SavedState } from "./state.ts";
 * const state: SavedState = { json: { dims: 2 }, tensors: {}, files: {} };
 * console.log(state.json); // { dims: 2 }
 * ```
 */
export interface SavedState {
  /** Settings and small tables (JSON-serialisable). */
  readonly json: unknown;
  /** Named tensors. */
  readonly tensors: Readonly<Record<string, StateTensor>>;
  /** Named files (e.g. a fastText model). */
  readonly files: Readonly<Record<string, Uint8Array>>;
}

/**
 * The tensors and files of a state under `prefix` (names joined with "."), to
 * nest one component's state in another's.
 *
 * @param prefix the name prefix, e.g. "content"
 * @param state the component's state
 * @returns prefixed tensors and files
 * @example
 * ```ts
 * import { prefixState } from "./state.ts";
 * const p = prefixState("content", { json: null, tensors: { w: { shape: [1], data: Float32Array.of(1) } }, files: {} });
 * console.log(Object.keys(p.tensors)); // ["content.w"]
 * ```
 */
export function prefixState(prefix: string, state: SavedState): {
  tensors: Record<string, StateTensor>;
  files: Record<string, Uint8Array>;
} {
  const tensors: Record<string, StateTensor> = {};
  const files: Record<string, Uint8Array> = {};
  for (const [name, t] of Object.entries(state.tensors)) tensors[`${prefix}.${name}`] = t;
  for (const [name, f] of Object.entries(state.files)) files[`${prefix}.${name}`] = f;
  return { tensors, files };
}

/**
 * The part of a state stored under `prefix` (the inverse of {@linkcode prefixState}).
 *
 * @param prefix the name prefix
 * @param json the nested component's JSON
 * @param tensors all tensors
 * @param files all files
 * @returns the nested component's state
 * @example
 * ```ts
 * import { unprefixState } from "./state.ts";
 * const s = unprefixState("content", null, { "content.w": { shape: [1], data: Float32Array.of(1) } }, {});
 * console.log(Object.keys(s.tensors)); // ["w"]
 * ```
 */
export function unprefixState(
  prefix: string,
  json: unknown,
  tensors: Readonly<Record<string, StateTensor>>,
  files: Readonly<Record<string, Uint8Array>>,
): SavedState {
  const strip = <T>(all: Readonly<Record<string, T>>) =>
    Object.fromEntries(
      Object.entries(all).filter(([name]) => name.startsWith(`${prefix}.`)).map((
        [name, value],
      ) => [name.slice(prefix.length + 1), value]),
    );
  return { json, tensors: strip(tensors), files: strip(files) };
}

/**
 * A float32 matrix tensor of a state, checked for shape; the error names the
 * component and the tensor.
 *
 * @param state where to look
 * @param name the tensor's name
 * @param owner who asks, for the error message
 * @returns the matrix
 * @example
 * ```ts
 * import { stateMatrix } from "./state.ts";
 * const m = stateMatrix({ json: null, tensors: { w: { shape: [1, 2], data: Float32Array.of(1, 2) } }, files: {} }, "w", "demo");
 * console.log(m.rows, m.cols); // 1 2
 * ```
 */
export function stateMatrix(
  state: SavedState,
  name: string,
  owner: string,
): { rows: number; cols: number; data: Float32Array } {
  const t = state.tensors[name];
  if (!t) throw new Error(`${owner}: the saved state has no tensor "${name}"`);
  if (!(t.data instanceof Float32Array) || t.shape.length !== 2) {
    throw new Error(
      `${owner}: tensor "${name}" should be a float32 matrix, found shape [${t.shape}]`,
    );
  }
  return { rows: t.shape[0], cols: t.shape[1], data: t.data };
}

/**
 * A JSON object field check for loaders: the value as an object, or an error
 * naming the owner and field.
 *
 * @param value the parsed JSON
 * @param owner who asks, for the error message
 * @returns the object
 * @example
 * ```ts
 * import { stateObject } from "./state.ts";
 * console.log(stateObject({ a: 1 }, "demo").a); // 1
 * ```
 */
export function stateObject(value: unknown, owner: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${owner}: the saved state should be a JSON object, found ${typeof value}`);
  }
  return value as Record<string, unknown>;
}
