/**
 * Dense-layer, loss and optimiser kernels in TypeScript: the reference for the
 * WGSL versions. Accumulation is in float64; results are stored as float32.
 *
 * @module
 */
import type { Activation, AdamOptions, Matrix } from "../backend.ts";

/** A host matrix whose values may be updated in place. */
type Mutable = Matrix;

/**
 * `act(x)` for one value.
 *
 * @param x pre-activation
 * @param activation which function
 * @returns the activated value
 * @example
 * ```ts
 * import { activate } from "./nn.ts";
 * console.log(activate(-2, "relu"), activate(0, "sigmoid")); // 0 0.5
 * ```
 */
export function activate(x: number, activation: Activation): number {
  switch (activation) {
    case "relu":
      return x > 0 ? x : 0;
    case "tanh":
      return Math.tanh(x);
    case "sigmoid":
      return 1 / (1 + Math.exp(-x));
    default:
      return x;
  }
}

/**
 * `act'(z)` expressed through the output `y = act(z)`, as backward passes store y.
 *
 * @param y the activation's output
 * @param activation which function
 * @returns the derivative at that point
 * @example
 * ```ts
 * import { activationDerivative } from "./nn.ts";
 * console.log(activationDerivative(0.5, "sigmoid")); // 0.25
 * ```
 */
export function activationDerivative(y: number, activation: Activation): number {
  switch (activation) {
    case "relu":
      return y > 0 ? 1 : 0;
    case "tanh":
      return 1 - y * y;
    case "sigmoid":
      return y * (1 - y);
    default:
      return 1;
  }
}

/**
 * `Y = act(X W + b)`.
 *
 * @param x batch × in
 * @param w in × out
 * @param b 1 × out
 * @param activation the non-linearity
 * @returns batch × out
 * @example
 * ```ts
 * import { denseForwardCpu } from "./nn.ts";
 * const y = denseForwardCpu(
 *   { rows: 1, cols: 2, data: new Float32Array([1, 2]) },
 *   { rows: 2, cols: 1, data: new Float32Array([3, 4]) },
 *   { rows: 1, cols: 1, data: new Float32Array([-1]) },
 *   "linear",
 * );
 * console.log(y.data[0]); // 10
 * ```
 */
export function denseForwardCpu(x: Matrix, w: Matrix, b: Matrix, activation: Activation): Matrix {
  const batch = x.rows, inputs = x.cols, outputs = w.cols;
  const out = new Float32Array(batch * outputs);
  const acc = new Float64Array(outputs);
  for (let r = 0; r < batch; r++) {
    for (let o = 0; o < outputs; o++) acc[o] = b.data[o];
    for (let i = 0; i < inputs; i++) {
      const xv = x.data[r * inputs + i];
      if (xv === 0) continue;
      const wRow = i * outputs;
      for (let o = 0; o < outputs; o++) acc[o] += xv * w.data[wRow + o];
    }
    for (let o = 0; o < outputs; o++) out[r * outputs + o] = activate(acc[o], activation);
  }
  return { rows: batch, cols: outputs, data: out };
}

/**
 * Backward pass of `Y = act(X W + b)` from ∂L/∂Y.
 *
 * @param x batch × in
 * @param w in × out
 * @param y batch × out, the forward output
 * @param dy batch × out, ∂L/∂Y
 * @param activation the forward activation
 * @param wantInputGradient whether to compute ∂L/∂X
 * @returns ∂L/∂X (or null), ∂L/∂W, ∂L/∂b
 * @example
 * ```ts
 * import { denseBackwardCpu } from "./nn.ts";
 * const m = (rows: number, cols: number, v: number[]) => ({ rows, cols, data: new Float32Array(v) });
 * const g = denseBackwardCpu(m(1, 2, [1, 2]), m(2, 1, [3, 4]), m(1, 1, [10]), m(1, 1, [1]), "linear", true);
 * console.log([...g.weights.data], [...g.inputs!.data]); // [1, 2] [3, 4]
 * ```
 */
export function denseBackwardCpu(
  x: Matrix,
  w: Matrix,
  y: Matrix,
  dy: Matrix,
  activation: Activation,
  wantInputGradient: boolean,
): { inputs: Matrix | null; weights: Matrix; bias: Matrix } {
  const batch = x.rows, inputs = x.cols, outputs = w.cols;
  const dz = new Float64Array(batch * outputs);
  for (let i = 0; i < dz.length; i++) {
    dz[i] = dy.data[i] * activationDerivative(y.data[i], activation);
  }
  const dw = new Float64Array(inputs * outputs);
  const db = new Float64Array(outputs);
  for (let r = 0; r < batch; r++) {
    const zRow = r * outputs;
    for (let o = 0; o < outputs; o++) db[o] += dz[zRow + o];
    for (let i = 0; i < inputs; i++) {
      const xv = x.data[r * inputs + i];
      if (xv === 0) continue;
      const wRow = i * outputs;
      for (let o = 0; o < outputs; o++) dw[wRow + o] += xv * dz[zRow + o];
    }
  }
  let dx: Matrix | null = null;
  if (wantInputGradient) {
    const data = new Float32Array(batch * inputs);
    for (let r = 0; r < batch; r++) {
      const zRow = r * outputs;
      for (let i = 0; i < inputs; i++) {
        let sum = 0;
        const wRow = i * outputs;
        for (let o = 0; o < outputs; o++) sum += dz[zRow + o] * w.data[wRow + o];
        data[r * inputs + i] = sum;
      }
    }
    dx = { rows: batch, cols: inputs, data };
  }
  return {
    inputs: dx,
    weights: { rows: inputs, cols: outputs, data: Float32Array.from(dw) },
    bias: { rows: 1, cols: outputs, data: Float32Array.from(db) },
  };
}

/**
 * Mean squared error: adds `Σ (p − t)² / count` to `total.data[0]` and returns `2 (p − t) / count`.
 *
 * @param prediction p
 * @param expected t
 * @param total a 1 × 1 accumulator, updated in place
 * @returns the gradient with respect to p
 * @example
 * ```ts
 * import { mseLossCpu } from "./nn.ts";
 * const total = { rows: 1, cols: 1, data: new Float32Array(1) };
 * const g = mseLossCpu({ rows: 1, cols: 2, data: new Float32Array([1, 3]) }, { rows: 1, cols: 2, data: new Float32Array([0, 1]) }, total);
 * console.log(total.data[0], [...g.data]); // 2.5 [1, 2]
 * ```
 */
export function mseLossCpu(prediction: Matrix, expected: Matrix, total: Mutable): Matrix {
  const count = prediction.data.length;
  const gradient = new Float32Array(count);
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const diff = prediction.data[i] - expected.data[i];
    gradient[i] = (2 * diff) / count;
    sum += diff * diff;
  }
  if (count > 0) total.data[0] += sum / count;
  return { rows: prediction.rows, cols: prediction.cols, data: gradient };
}

/**
 * One Adam step in place (see {@linkcode AdamOptions}).
 *
 * @param parameter updated in place
 * @param gradient same shape
 * @param m first moment, updated in place
 * @param v second moment, updated in place
 * @param step 1-based step number
 * @param options hyper-parameters
 * @example
 * ```ts
 * import { adamStepCpu } from "./nn.ts";
 * const z = () => ({ rows: 1, cols: 1, data: new Float32Array(1) });
 * const p = { rows: 1, cols: 1, data: new Float32Array([1]) };
 * adamStepCpu(p, { rows: 1, cols: 1, data: new Float32Array([0.5]) }, z(), z(), 1, { learningRate: 0.1 });
 * console.log(p.data[0].toFixed(3)); // "0.900"
 * ```
 */
export function adamStepCpu(
  parameter: Mutable,
  gradient: Matrix,
  m: Mutable,
  v: Mutable,
  step: number,
  options: AdamOptions,
): void {
  const { learningRate, beta1, beta2, epsilon, weightDecay, correction1, correction2 } =
    adamConstants(step, options);
  const p = parameter.data, g = gradient.data, md = m.data, vd = v.data;
  for (let i = 0; i < p.length; i++) {
    const mi = Math.fround(beta1 * md[i] + (1 - beta1) * g[i]);
    const vi = Math.fround(beta2 * vd[i] + (1 - beta2) * g[i] * g[i]);
    md[i] = mi;
    vd[i] = vi;
    const update = mi / correction1 / (Math.sqrt(vi / correction2) + epsilon);
    p[i] = p[i] - learningRate * (update + weightDecay * p[i]);
  }
}

/**
 * Adam's constants for a step, validated; shared by both backends.
 *
 * @param step 1-based step number
 * @param options hyper-parameters
 * @returns defaults filled in and the bias corrections `1 − βᵗ`
 * @example
 * ```ts
 * import { adamConstants } from "./nn.ts";
 * console.log(adamConstants(1, { learningRate: 0.01 }).correction1.toFixed(2)); // "0.10"
 * ```
 */
export function adamConstants(step: number, options: AdamOptions) {
  const { learningRate, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0 } = options;
  if (!Number.isInteger(step) || step < 1) {
    throw new RangeError(`adamStep: step must be an integer ≥ 1, got ${step}`);
  }
  if (!(learningRate > 0)) {
    throw new RangeError(`adamStep: learningRate must be > 0, got ${learningRate}`);
  }
  if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
    throw new RangeError(`adamStep: betas must be in [0, 1), got ${beta1}, ${beta2}`);
  }
  return {
    learningRate,
    beta1,
    beta2,
    epsilon,
    weightDecay,
    correction1: 1 - beta1 ** step,
    correction2: 1 - beta2 ** step,
  };
}

/**
 * Rows of a matrix picked by index.
 *
 * @param source the full matrix
 * @param rows indices into it
 * @returns `rows.length × source.cols`
 * @example
 * ```ts
 * import { gatherRowsCpu } from "./nn.ts";
 * const g = gatherRowsCpu({ rows: 3, cols: 1, data: new Float32Array([5, 6, 7]) }, new Int32Array([2, 0]));
 * console.log([...g.data]); // [7, 5]
 * ```
 */
export function gatherRowsCpu(source: Matrix, rows: Int32Array): Matrix {
  const cols = source.cols;
  const out = new Float32Array(rows.length * cols);
  for (let r = 0; r < rows.length; r++) {
    out.set(source.data.subarray(rows[r] * cols, (rows[r] + 1) * cols), r * cols);
  }
  return { rows: rows.length, cols, data: out };
}
