/**
 * The weighted triplet loss, segmented row sums and row-sparse Adam in
 * TypeScript: the reference for shaders/triplet.wgsl.
 *
 * @module
 */
import type { AdamOptions, Matrix } from "../backend.ts";
import { adamConstants } from "./nn.ts";

// Below this norm a vector counts as zero: cosine 0, no gradient (as in the shader).
const NORM_FLOOR = 1e-6;

/**
 * Per-triplet gradients of `L = mean_t max(0, w_p·(1 − cos(a,p)) − (1 − cos(a,n))/w_n + margin)`.
 * Adds L to `total.data[0]`.
 *
 * @param triplets 3B × E rows stacked as [anchors; positives; negatives]
 * @param weights 2·B values, (w_p, w_n) per triplet
 * @param margin the margin
 * @param total 1 × 1 accumulator, updated in place
 * @returns 3B × E gradients, stacked like `triplets`
 * @example
 * ```ts
 * import { tripletGradientsCpu } from "./triplet.ts";
 * const triplet = { rows: 3, cols: 2, data: new Float32Array([1, 0, 0, 1, 1, 0]) };
 * const total = { rows: 1, cols: 1, data: new Float32Array(1) };
 * tripletGradientsCpu(triplet, new Float32Array([1, 1]), 0.1, total);
 * console.log(total.data[0].toFixed(2)); // "1.10"
 * ```
 */
export function tripletGradientsCpu(
  triplets: Matrix,
  weights: Float32Array,
  margin: number,
  total: Matrix,
): Matrix {
  const count = triplets.rows / 3, d = triplets.cols;
  const out = new Float32Array(3 * count * d);
  const scale = count > 0 ? 1 / count : 0;
  let lossSum = 0;
  const x = triplets.data;
  for (let t = 0; t < count; t++) {
    const base = t * d, positiveRow = (count + t) * d, negativeRow = (2 * count + t) * d;
    let aa = 0, pp = 0, nn = 0, ap = 0, an = 0;
    for (let i = 0; i < d; i++) {
      const av = x[base + i], pv = x[positiveRow + i], nv = x[negativeRow + i];
      aa += av * av, pp += pv * pv, nn += nv * nv, ap += av * pv, an += av * nv;
    }
    const na = Math.max(Math.sqrt(aa), NORM_FLOOR);
    const np = Math.max(Math.sqrt(pp), NORM_FLOOR);
    const nn2 = Math.max(Math.sqrt(nn), NORM_FLOOR);
    const hasAp = na > NORM_FLOOR && np > NORM_FLOOR, hasAn = na > NORM_FLOOR && nn2 > NORM_FLOOR;
    const cosAp = hasAp ? ap / (na * np) : 0, cosAn = hasAn ? an / (na * nn2) : 0;
    const wp = weights[2 * t], wn = weights[2 * t + 1];
    const loss = wp * (1 - cosAp) - (1 - cosAn) / wn + margin;
    if (!(loss > 0)) continue;
    lossSum += loss * scale;
    const gAp = hasAp ? -wp * scale : 0, gAn = hasAn ? scale / wn : 0;
    for (let i = 0; i < d; i++) {
      const av = x[base + i], pv = x[positiveRow + i], nv = x[negativeRow + i];
      out[base + i] = gAp * (pv / (na * np) - cosAp * av / (na * na)) +
        gAn * (nv / (na * nn2) - cosAn * av / (na * na));
      out[positiveRow + i] = gAp * (av / (na * np) - cosAp * pv / (np * np));
      out[negativeRow + i] = gAn * (av / (na * nn2) - cosAn * nv / (nn2 * nn2));
    }
  }
  total.data[0] += lossSum;
  return { rows: 3 * count, cols: d, data: out };
}

/**
 * `out[k] = Σ rows[order[j]]` for j in `[offsets[k], offsets[k + 1])`, in that order.
 *
 * @param rows the rows to add up
 * @param offsets K + 1 segment bounds into `order`
 * @param order row indices grouped by segment
 * @returns K × cols
 * @example
 * ```ts
 * import { segmentSumCpu } from "./triplet.ts";
 * const rows = { rows: 3, cols: 1, data: new Float32Array([1, 2, 4]) };
 * const sums = segmentSumCpu(rows, new Int32Array([0, 2, 3]), new Int32Array([0, 2, 1]));
 * console.log([...sums.data]); // [5, 2]
 * ```
 */
export function segmentSumCpu(rows: Matrix, offsets: Int32Array, order: Int32Array): Matrix {
  const segments = offsets.length - 1, d = rows.cols;
  const out = new Float32Array(segments * d);
  for (let k = 0; k < segments; k++) {
    for (let i = 0; i < d; i++) {
      // float32 accumulation in the shader's order, so both backends round alike.
      let sum = 0;
      for (let j = offsets[k]; j < offsets[k + 1]; j++) {
        sum = Math.fround(sum + rows.data[order[j] * d + i]);
      }
      out[k * d + i] = sum;
    }
  }
  return { rows: segments, cols: d, data: out };
}

/**
 * Adam on the listed rows of a table only (lazy Adam), in place.
 *
 * @param table the embedding table
 * @param rows distinct row indices, one per gradient row
 * @param gradient rows.length × cols
 * @param m first moments, table-shaped
 * @param v second moments, table-shaped
 * @param step 1-based step number
 * @param options hyper-parameters
 * @example
 * ```ts
 * import { adamRowsCpu } from "./triplet.ts";
 * const t = () => ({ rows: 2, cols: 1, data: new Float32Array(2) });
 * const table = { rows: 2, cols: 1, data: new Float32Array([1, 1]) };
 * adamRowsCpu(table, new Int32Array([1]), { rows: 1, cols: 1, data: new Float32Array([1]) }, t(), t(), 1, { learningRate: 0.5 });
 * console.log([...table.data]); // [1, 0.5]
 * ```
 */
export function adamRowsCpu(
  table: Matrix,
  rows: Int32Array,
  gradient: Matrix,
  m: Matrix,
  v: Matrix,
  step: number,
  options: AdamOptions,
): void {
  const c = adamConstants(step, options);
  const d = table.cols;
  for (let k = 0; k < rows.length; k++) {
    for (let i = 0; i < d; i++) {
      const at = rows[k] * d + i, g = gradient.data[k * d + i];
      const mi = Math.fround(c.beta1 * m.data[at] + (1 - c.beta1) * g);
      const vi = Math.fround(c.beta2 * v.data[at] + (1 - c.beta2) * g * g);
      m.data[at] = mi;
      v.data[at] = vi;
      const update = mi / c.correction1 / (Math.sqrt(vi / c.correction2) + c.epsilon);
      table.data[at] = table.data[at] - c.learningRate * (update + c.weightDecay * table.data[at]);
    }
  }
}
