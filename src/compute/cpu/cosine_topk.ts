/**
 * CPU cosine top-k: the reference every GPU kernel is tested against, and the
 * fast path on machines without a hardware GPU.
 *
 * @module
 */
import type { ExclusionCsr, Matrix, TopKResult } from "../backend.ts";
import { COSINE_BLOCK_WASM } from "./_wasm.ts";

const PANEL = 4;

/**
 * Cosine top-k over rows packed (normalised) into 4-row interleaved panels, in
 * 4 × 4 blocks: with WebAssembly SIMD (wasm/cosine_block.wat, f32x4, float32
 * sums) where the runtime has it, else in TypeScript with register blocking
 * and float64 sums. Arguments are assumed valid (the backend checks them).
 *
 * @param queries m × d
 * @param items n × d
 * @param k columns of the result, already `min(k, n)`
 * @param exclude optional per-query exclusions
 * @param kernel "auto" (SIMD when available), "simd" (throws without it) or "typescript"
 * @returns the top-k indices and scores, best first, ties to the lower index
 * @example
 * ```ts
 * import { cosineTopKBlocked } from "./cosine_topk.ts";
 * const items = { rows: 2, cols: 2, data: new Float32Array([1, 0, 0, 1]) };
 * const queries = { rows: 1, cols: 2, data: new Float32Array([0, 2]) };
 * console.log([...cosineTopKBlocked(queries, items, 1).indices]); // [1]
 * ```
 */
export function cosineTopKBlocked(
  queries: Matrix,
  items: Matrix,
  k: number,
  exclude?: ExclusionCsr,
  kernel: "auto" | "simd" | "typescript" = "auto",
): TopKResult {
  const m = queries.rows, n = items.rows, d = queries.cols;
  const result = emptyResult(m, k);
  if (m === 0 || k === 0) return result;
  const simd = kernel === "typescript" ? null : wasmKernel();
  if (kernel === "simd" && !simd) {
    throw new Error("cosineTopKBlocked: WebAssembly SIMD is not available here");
  }
  if (simd && d > 0) return simdTopK(simd, queries, items, k, exclude, result);
  const packedQueries = packNormalisedPanels(queries);
  const packedItems = packNormalisedPanels(items);
  const itemPanels = packedItems.length / (PANEL * d);
  const rowStride = itemPanels * PANEL;
  const scores = new Float64Array(PANEL * rowStride);
  const heap = new TopKHeap(k);
  const panelSize = PANEL * d;
  for (let panelStart = 0; panelStart < m; panelStart += PANEL) {
    const qBase = (panelStart / PANEL) * panelSize;
    for (let itemPanel = 0; itemPanel < itemPanels; itemPanel++) {
      let xp = itemPanel * panelSize, qp = qBase;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let t = 0; t < d; t++, xp += PANEL, qp += PANEL) {
        const x0 = packedItems[xp], x1 = packedItems[xp + 1];
        const x2 = packedItems[xp + 2], x3 = packedItems[xp + 3];
        let q = packedQueries[qp];
        s00 += q * x0, s01 += q * x1, s02 += q * x2, s03 += q * x3;
        q = packedQueries[qp + 1];
        s10 += q * x0, s11 += q * x1, s12 += q * x2, s13 += q * x3;
        q = packedQueries[qp + 2];
        s20 += q * x0, s21 += q * x1, s22 += q * x2, s23 += q * x3;
        q = packedQueries[qp + 3];
        s30 += q * x0, s31 += q * x1, s32 += q * x2, s33 += q * x3;
      }
      const r0 = itemPanel * PANEL, r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride;
      scores[r0] = s00, scores[r0 + 1] = s01, scores[r0 + 2] = s02, scores[r0 + 3] = s03;
      scores[r1] = s10, scores[r1 + 1] = s11, scores[r1 + 2] = s12, scores[r1 + 3] = s13;
      scores[r2] = s20, scores[r2 + 1] = s21, scores[r2 + 2] = s22, scores[r2 + 3] = s23;
      scores[r3] = s30, scores[r3 + 1] = s31, scores[r3 + 2] = s32, scores[r3 + 3] = s33;
    }
    const panelEnd = Math.min(panelStart + PANEL, m);
    for (let query = panelStart; query < panelEnd; query++) {
      selectRow(scores, (query - panelStart) * rowStride, n, query, exclude, heap, result);
    }
  }
  return result;
}

/**
 * Cosine top-k as a plain triple loop: the baseline the blocked kernel is
 * benchmarked against, and a second, simpler reference in tests.
 *
 * @param queries m × d
 * @param items n × d
 * @param k columns of the result, already `min(k, n)`
 * @param exclude optional per-query exclusions
 * @returns the top-k indices and scores, best first, ties to the lower index
 * @example
 * ```ts
 * import { cosineTopKNaive } from "./cosine_topk.ts";
 * const items = { rows: 2, cols: 2, data: new Float32Array([1, 0, 0, 1]) };
 * const queries = { rows: 1, cols: 2, data: new Float32Array([2, 0]) };
 * console.log([...cosineTopKNaive(queries, items, 1).indices]); // [0]
 * ```
 */
export function cosineTopKNaive(
  queries: Matrix,
  items: Matrix,
  k: number,
  exclude?: ExclusionCsr,
): TopKResult {
  const m = queries.rows, n = items.rows, d = queries.cols;
  const result = emptyResult(m, k);
  if (m === 0 || k === 0) return result;
  const q = queries.data, x = items.data;
  const itemInverseNorms = inverseRowNorms(items);
  const queryInverseNorms = inverseRowNorms(queries);
  const row = new Float64Array(n);
  const heap = new TopKHeap(k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += q[i * d + t] * x[j * d + t];
      row[j] = dot * queryInverseNorms[i] * itemInverseNorms[j];
    }
    selectRow(row, 0, n, i, exclude, heap, result);
  }
  return result;
}

/**
 * 1 / ‖row‖ for every row, 0 for a zero row (so its cosine is 0).
 *
 * @param matrix the rows
 * @returns one value per row
 * @example
 * ```ts
 * import { inverseRowNorms } from "./cosine_topk.ts";
 * console.log([...inverseRowNorms({ rows: 2, cols: 2, data: new Float32Array([3, 4, 0, 0]) })]); // [0.2, 0]
 * ```
 */
export function inverseRowNorms(matrix: Matrix): Float64Array {
  const { rows, cols, data } = matrix;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = r * cols, end = c + cols; c < end; c++) sum += data[c] * data[c];
    out[r] = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  }
  return out;
}

/** The SIMD kernel's exports, or null where WebAssembly SIMD is unavailable. */
interface WasmKernel {
  readonly memory: WebAssembly.Memory;
  readonly panelScores: (
    q: number,
    x: number,
    out: number,
    panels: number,
    dims: number,
    stride: number,
  ) => void;
}

let wasmInstance: WasmKernel | null | undefined;

function wasmKernel(): WasmKernel | null {
  if (wasmInstance !== undefined) return wasmInstance;
  try {
    const bytes = Uint8Array.from(atob(COSINE_BLOCK_WASM), (c) => c.charCodeAt(0));
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const exports = instance.exports as {
      memory: WebAssembly.Memory;
      panel_scores: WasmKernel["panelScores"];
    };
    wasmInstance = { memory: exports.memory, panelScores: exports.panel_scores };
  } catch {
    // No WebAssembly SIMD here: the TypeScript kernel serves.
    wasmInstance = null;
  }
  return wasmInstance;
}

/**
 * The same computation with wasm/cosine_block.wat: f32x4 SIMD over 4-row
 * panels in float32 (the TypeScript kernel accumulates in float64; scores
 * agree to ~1e-6, and identical rows still tie exactly).
 */
function simdTopK(
  kernel: WasmKernel,
  queries: Matrix,
  items: Matrix,
  k: number,
  exclude: ExclusionCsr | undefined,
  result: TopKResult,
): TopKResult {
  const m = queries.rows, n = items.rows, d = queries.cols;
  const queryPanels = Math.ceil(m / PANEL), itemPanels = Math.ceil(n / PANEL);
  const stride = itemPanels * PANEL;
  const queryBytes = queryPanels * PANEL * d * 4, itemBytes = itemPanels * PANEL * d * 4;
  const needed = queryBytes + itemBytes + PANEL * stride * 4;
  const memory = kernel.memory;
  if (memory.buffer.byteLength < needed) {
    memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
  }
  const heap = new Float32Array(memory.buffer);
  packNormalisedInto(queries, heap, 0);
  packNormalisedInto(items, heap, queryBytes / 4);
  const out = queryBytes + itemBytes;
  const rows = new Float32Array(memory.buffer, out, PANEL * stride);
  const topK = new TopKHeap(k);
  for (let panel = 0; panel < queryPanels; panel++) {
    kernel.panelScores(panel * PANEL * d * 4, queryBytes, out, itemPanels, d, stride);
    const first = panel * PANEL, last = Math.min(first + PANEL, m);
    for (let query = first; query < last; query++) {
      selectRow(rows, (query - first) * stride, n, query, exclude, topK, result);
    }
  }
  return result;
}

/** Like {@link packNormalisedPanels}, into `target` from element `start` (float32, padding zeroed). */
function packNormalisedInto(matrix: Matrix, target: Float32Array, start: number): void {
  const { rows, cols, data } = matrix;
  const inverseNorms = inverseRowNorms(matrix);
  target.fill(0, start, start + Math.ceil(rows / PANEL) * PANEL * cols);
  for (let r = 0; r < rows; r++) {
    const base = start + Math.floor(r / PANEL) * PANEL * cols + (r % PANEL);
    const scale = inverseNorms[r];
    for (let t = 0; t < cols; t++) target[base + t * PANEL] = data[r * cols + t] * scale;
  }
}

/** Rows normalised and interleaved in panels of 4: value (r, t) at [(⌊r/4⌋·d + t)·4 + r mod 4]; padding rows are 0. */
function packNormalisedPanels(matrix: Matrix): Float64Array {
  const { rows, cols, data } = matrix;
  const inverseNorms = inverseRowNorms(matrix);
  const packed = new Float64Array(Math.ceil(rows / PANEL) * PANEL * cols);
  for (let r = 0; r < rows; r++) {
    const base = Math.floor(r / PANEL) * PANEL * cols + (r % PANEL);
    const scale = inverseNorms[r];
    for (let t = 0; t < cols; t++) packed[base + t * PANEL] = data[r * cols + t] * scale;
  }
  return packed;
}

function emptyResult(queries: number, k: number): TopKResult {
  return {
    queries,
    k,
    indices: new Int32Array(queries * k).fill(-1),
    scores: new Float32Array(queries * k).fill(-Infinity),
  };
}

/** Marks the query's excluded items in `scores`, then keeps the k best of the row. */
function selectRow(
  scores: Float64Array | Float32Array,
  offset: number,
  n: number,
  query: number,
  exclude: ExclusionCsr | undefined,
  heap: TopKHeap,
  result: TopKResult,
): void {
  if (exclude) {
    for (let e = exclude.offsets[query]; e < exclude.offsets[query + 1]; e++) {
      scores[offset + exclude.indices[e]] = -Infinity;
    }
  }
  heap.clear();
  for (let j = 0; j < n; j++) {
    const s = scores[offset + j];
    if (s !== -Infinity) heap.offer(s, j);
  }
  heap.drainSorted(result.indices, result.scores, query * result.k);
}

/**
 * A bounded min-heap whose root is the worst kept entry (lowest score, then
 * highest index). Items must be offered in ascending index order, which lets a
 * full heap reject equal scores outright: the newcomer has the higher index.
 */
class TopKHeap {
  readonly #scores: Float64Array;
  readonly #indices: Int32Array;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#scores = new Float64Array(capacity);
    this.#indices = new Int32Array(capacity);
  }

  clear(): void {
    this.#size = 0;
  }

  offer(score: number, index: number): void {
    const scores = this.#scores, indices = this.#indices;
    if (this.#size < this.capacity) {
      let i = this.#size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(score, index, scores[parent], indices[parent])) break;
        scores[i] = scores[parent], indices[i] = indices[parent];
        i = parent;
      }
      scores[i] = score, indices[i] = index;
    } else if (score > scores[0]) {
      this.#siftDown(score, index, this.#size);
    }
  }

  /** Writes the kept entries best first at `offset` and empties the heap. */
  drainSorted(outIndices: Int32Array, outScores: Float32Array, offset: number): void {
    while (this.#size > 0) {
      const last = --this.#size;
      outIndices[offset + last] = this.#indices[0];
      outScores[offset + last] = this.#scores[0];
      if (last > 0) this.#siftDown(this.#scores[last], this.#indices[last], last);
    }
  }

  /** Places (score, index) at the root and sifts it down within the first `size` slots. */
  #siftDown(score: number, index: number, size: number): void {
    const scores = this.#scores, indices = this.#indices;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (
        child + 1 < size &&
        worse(scores[child + 1], indices[child + 1], scores[child], indices[child])
      ) {
        child++;
      }
      if (!worse(scores[child], indices[child], score, index)) break;
      scores[i] = scores[child], indices[i] = indices[child];
      i = child;
    }
    scores[i] = score, indices[i] = index;
  }
}

/** True when (sa, ia) ranks below (sb, ib): lower score, or equal score and higher index. */
function worse(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}
