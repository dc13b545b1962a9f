/**
 * CPU dense layers with WebAssembly SIMD (wasm/dense_gemm.wat: f32x4 in 4 × 8
 * register blocks, float32 sums), falling back to the TypeScript reference in
 * nn.ts (float64 sums) where SIMD is missing. The forward pass, ∂L/∂W = Xᵀ dZ
 * and ∂L/∂X = dZ Wᵀ run in WebAssembly; activations, act'(Y) and the bias
 * gradient (float64 sums) stay in TypeScript, as they are linear in the size.
 *
 * @module
 */
import type { Activation, Matrix } from "../backend.ts";
import { DENSE_GEMM_WASM } from "./_wasm.ts";
import { denseBackwardCpu, denseForwardCpu } from "./nn.ts";

/**
 * Which implementation a CPU kernel uses: `"auto"` (WebAssembly SIMD when the
 * runtime has it, else TypeScript), `"simd"` (throws without it) or
 * `"typescript"` (the reference).
 *
 * @example
 * ```ts
 * import type { CpuKernel } from "./dense.ts";
 * const kernel: CpuKernel = "typescript";
 * console.log(kernel); // "typescript"
 * ```
 */
export type CpuKernel = "auto" | "simd" | "typescript";

/** Operands above this many bytes of WebAssembly memory use the TypeScript kernel. */
const MAX_WASM_BYTES = 2 ** 30;
/**
 * Rows of X and dZ per ∂L/∂W pass, so both stay in cache; passes after the
 * first accumulate into C, which gives the same float32 sums in the same
 * order. Measured: ~8 % at 1024 × 256 → 256, within noise at 3072 × 64 → 64.
 */
const DEPTH_BLOCK = 256;

/**
 * `Y = act(X W + b)`, with the SIMD kernel where available (see
 * {@linkcode CpuKernel}). Agrees with {@linkcode denseForwardCpu} within
 * float32 summation error. Arguments are assumed valid (the backend checks them).
 *
 * @param x batch × in
 * @param w in × out
 * @param b 1 × out
 * @param activation the non-linearity
 * @param kernel which implementation
 * @returns batch × out
 * @example
 * ```ts
 * import { denseForwardBlocked } from "./dense.ts";
 * const y = denseForwardBlocked(
 *   { rows: 1, cols: 2, data: new Float32Array([1, 2]) },
 *   { rows: 2, cols: 1, data: new Float32Array([3, 4]) },
 *   { rows: 1, cols: 1, data: new Float32Array([-1]) },
 *   "relu",
 * );
 * console.log(y.data[0]); // 10
 * ```
 */
export function denseForwardBlocked(
  x: Matrix,
  w: Matrix,
  b: Matrix,
  activation: Activation,
  kernel: CpuKernel = "auto",
): Matrix {
  const simd = chooseKernel(kernel, "denseForwardBlocked");
  const batch = x.rows, inputs = x.cols, outputs = w.cols;
  const rows4 = roundUp(batch, 4), cols8 = roundUp(outputs, 8);
  const layout = new Layout();
  const xAt = layout.take(rows4 * inputs), wAt = layout.take(inputs * outputs);
  const biasAt = layout.take(cols8), yAt = layout.take(rows4 * cols8);
  const heap = simd && batch > 0 && outputs > 0 ? simd.heap(layout.bytes) : null;
  if (!simd || !heap) return denseForwardCpu(x, w, b, activation);
  heap.set(x.data, xAt);
  heap.fill(0, xAt + batch * inputs, xAt + rows4 * inputs);
  heap.set(w.data, wAt);
  heap.set(b.data, biasAt);
  heap.fill(0, biasAt + outputs, biasAt + cols8);
  simd.gemmNN(
    4 * xAt,
    inputs,
    4 * wAt,
    outputs,
    4 * biasAt,
    0,
    4 * yAt,
    cols8,
    rows4,
    inputs,
    cols8,
  );
  const out = new Float32Array(batch * outputs);
  activateRows(heap, yAt, cols8, out, batch, outputs, activation);
  return { rows: batch, cols: outputs, data: out };
}

/**
 * Backward pass of `Y = act(X W + b)` from ∂L/∂Y, with the SIMD kernel where
 * available (see {@linkcode CpuKernel}). Agrees with {@linkcode denseBackwardCpu}
 * within float32 summation error; ∂L/∂b is summed in float64 as there.
 *
 * @param x batch × in
 * @param w in × out
 * @param y batch × out, the forward output
 * @param dy batch × out, ∂L/∂Y
 * @param activation the forward activation
 * @param wantInputGradient whether to compute ∂L/∂X
 * @param kernel which implementation
 * @returns ∂L/∂X (or null), ∂L/∂W, ∂L/∂b
 * @example
 * ```ts
 * import { denseBackwardBlocked } from "./dense.ts";
 * const m = (rows: number, cols: number, v: number[]) => ({ rows, cols, data: new Float32Array(v) });
 * const g = denseBackwardBlocked(m(1, 2, [1, 2]), m(2, 1, [3, 4]), m(1, 1, [10]), m(1, 1, [1]), "linear", true);
 * console.log([...g.weights.data], [...g.inputs!.data]); // [1, 2] [3, 4]
 * ```
 */
export function denseBackwardBlocked(
  x: Matrix,
  w: Matrix,
  y: Matrix,
  dy: Matrix,
  activation: Activation,
  wantInputGradient: boolean,
  kernel: CpuKernel = "auto",
): { inputs: Matrix | null; weights: Matrix; bias: Matrix } {
  const simd = chooseKernel(kernel, "denseBackwardBlocked");
  const batch = x.rows, inputs = x.cols, outputs = w.cols;
  const rows4 = roundUp(batch, 4), inputs4 = roundUp(inputs, 4);
  const inputs8 = roundUp(inputs, 8), outputs8 = roundUp(outputs, 8);
  const layout = new Layout();
  const dzAt = layout.take(rows4 * outputs), xAt = layout.take(batch * inputs);
  const zerosAt = layout.take(Math.max(inputs8, outputs8));
  const dwAt = layout.take(inputs4 * outputs8);
  const wtAt = wantInputGradient ? layout.take(outputs * inputs) : 0;
  const dxAt = wantInputGradient ? layout.take(rows4 * inputs8) : 0;
  const heap = simd && outputs > 0 ? simd.heap(layout.bytes) : null;
  if (!simd || !heap) return denseBackwardCpu(x, w, y, dy, activation, wantInputGradient);

  // dZ = ∂L/∂Y ⊙ act'(Y) into the heap as float32; ∂L/∂b summed in float64.
  const db = new Float64Array(outputs);
  outputGradientInto(heap, dzAt, dy.data, y.data, batch, outputs, activation, db);
  heap.fill(0, dzAt + batch * outputs, dzAt + rows4 * outputs);
  heap.set(x.data, xAt);
  heap.fill(0, zerosAt, zerosAt + Math.max(inputs8, outputs8));

  // ∂L/∂W = Xᵀ dZ (inputs4 × outputs8), DEPTH_BLOCK rows of the batch at a time.
  if (batch === 0) heap.fill(0, dwAt, dwAt + inputs4 * outputs8);
  for (let start = 0; start < batch; start += DEPTH_BLOCK) {
    const first = start === 0;
    simd.gemmTN(
      4 * (xAt + start * inputs),
      inputs,
      4 * (dzAt + start * outputs),
      outputs,
      4 * (first ? zerosAt : dwAt),
      first ? 0 : outputs8,
      4 * dwAt,
      outputs8,
      inputs4,
      Math.min(DEPTH_BLOCK, batch - start),
      outputs8,
    );
  }
  const weights = new Float32Array(inputs * outputs);
  activateRows(heap, dwAt, outputs8, weights, inputs, outputs, "linear");

  let dx: Matrix | null = null;
  if (wantInputGradient) {
    // ∂L/∂X = dZ Wᵀ, with Wᵀ (outputs × inputs) laid out by TypeScript.
    const wData = w.data;
    for (let i = 0; i < inputs; i++) {
      for (let o = 0, src = i * outputs; o < outputs; o++) {
        heap[wtAt + o * inputs + i] = wData[src + o];
      }
    }
    simd.gemmNN(
      4 * dzAt,
      outputs,
      4 * wtAt,
      inputs,
      4 * zerosAt,
      0,
      4 * dxAt,
      inputs8,
      rows4,
      outputs,
      inputs8,
    );
    const data = new Float32Array(batch * inputs);
    activateRows(heap, dxAt, inputs8, data, batch, inputs, "linear");
    dx = { rows: batch, cols: inputs, data };
  }
  return {
    inputs: dx,
    weights: { rows: inputs, cols: outputs, data: weights },
    bias: { rows: 1, cols: outputs, data: Float32Array.from(db) },
  };
}

/**
 * Whether this runtime has WebAssembly SIMD, so `"auto"` uses the SIMD kernel.
 *
 * @returns true when the dense SIMD module instantiates
 * @example
 * ```ts
 * import { denseSimdAvailable } from "./dense.ts";
 * console.log(typeof denseSimdAvailable()); // "boolean"
 * ```
 */
export function denseSimdAvailable(): boolean {
  return wasmKernel() !== null;
}

/**
 * Fills the SIMD kernel's whole scratch memory with NaN, so a test can show
 * that no padding or stale value reaches a result. No-op without SIMD.
 *
 * @example
 * ```ts
 * import { denseForwardBlocked, poisonDenseScratch } from "./dense.ts";
 * poisonDenseScratch();
 * const m = (rows: number, cols: number, v: number[]) => ({ rows, cols, data: new Float32Array(v) });
 * console.log(denseForwardBlocked(m(1, 1, [2]), m(1, 1, [3]), m(1, 1, [1]), "linear").data[0]); // 7
 * ```
 */
export function poisonDenseScratch(): void {
  const kernel = wasmKernel();
  if (kernel) new Float32Array(kernel.memory.buffer).fill(NaN);
}

/** Element offsets of the operands in WebAssembly memory, 16-byte aligned, 32 bytes apart. */
class Layout {
  #floats = 0;

  /** Reserves `floats` values plus 8 of slack (the kernels' overreads); returns the element offset. */
  take(floats: number): number {
    const at = this.#floats;
    this.#floats += roundUp(floats, 4) + 8;
    return at;
  }

  get bytes(): number {
    return 4 * this.#floats;
  }
}

/** The SIMD kernel's exports (see wasm/dense_gemm.wat for the parameters). */
interface WasmKernel {
  readonly memory: WebAssembly.Memory;
  readonly gemmNN: Gemm;
  readonly gemmTN: Gemm;
  /** A view of at least `bytes` of memory (grown if needed), or null when that is too much. */
  heap(bytes: number): Float32Array | null;
}

type Gemm = (
  a: number,
  lda: number,
  b: number,
  ldb: number,
  init: number,
  initStride: number,
  c: number,
  ldc: number,
  m: number,
  k: number,
  n: number,
) => void;

let wasmInstance: WasmKernel | null | undefined;

function wasmKernel(): WasmKernel | null {
  if (wasmInstance !== undefined) return wasmInstance;
  try {
    const bytes = Uint8Array.from(atob(DENSE_GEMM_WASM), (c) => c.charCodeAt(0));
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as {
      memory: WebAssembly.Memory;
      gemm_nn: Gemm;
      gemm_tn: Gemm;
    };
    const memory = exports.memory;
    let view = new Float32Array(memory.buffer);
    wasmInstance = {
      memory,
      gemmNN: exports.gemm_nn,
      gemmTN: exports.gemm_tn,
      heap(bytes) {
        if (bytes > MAX_WASM_BYTES) return null;
        if (memory.buffer.byteLength < bytes) {
          try {
            memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
          } catch {
            return null; // the host refused the memory: the TypeScript kernel serves
          }
        }
        if (view.buffer !== memory.buffer) view = new Float32Array(memory.buffer);
        return view;
      },
    };
  } catch {
    // No WebAssembly SIMD here: the TypeScript kernel serves.
    wasmInstance = null;
  }
  return wasmInstance;
}

function chooseKernel(kernel: CpuKernel, caller: string): WasmKernel | null {
  if (kernel === "typescript") return null;
  const simd = wasmKernel();
  if (kernel === "simd" && !simd) {
    throw new Error(`${caller}: WebAssembly SIMD is not available here`);
  }
  return simd;
}

/** Copies `rows × cols` from a heap matrix with row stride `stride` into `out`, applying `activation`. */
function activateRows(
  heap: Float32Array,
  at: number,
  stride: number,
  out: Float32Array,
  rows: number,
  cols: number,
  activation: Activation,
): void {
  if (activation === "linear" && stride === cols) {
    out.set(heap.subarray(at, at + rows * cols));
    return;
  }
  for (let r = 0; r < rows; r++) {
    const src = at + r * stride, dst = r * cols;
    switch (activation) {
      case "linear":
        out.set(heap.subarray(src, src + cols), dst);
        break;
      case "relu":
        for (let o = 0; o < cols; o++) {
          const v = heap[src + o];
          out[dst + o] = v > 0 ? v : 0;
        }
        break;
      case "tanh":
        for (let o = 0; o < cols; o++) out[dst + o] = Math.tanh(heap[src + o]);
        break;
      case "sigmoid":
        for (let o = 0; o < cols; o++) out[dst + o] = 1 / (1 + Math.exp(-heap[src + o]));
        break;
    }
  }
}

/**
 * `dZ = dY ⊙ act'(Y)` into `heap` from element `at` (float32), adding each
 * column's float64 values to `db`: the same products and order as
 * `denseBackwardCpu`, with the activation switch outside the loop.
 */
function outputGradientInto(
  heap: Float32Array,
  at: number,
  dy: Float32Array,
  y: Float32Array,
  rows: number,
  cols: number,
  activation: Activation,
  db: Float64Array,
): void {
  if (activation === "linear") heap.set(dy.subarray(0, rows * cols), at);
  for (let r = 0, i = 0; r < rows; r++) {
    switch (activation) {
      case "linear":
        for (let o = 0; o < cols; o++, i++) db[o] += dy[i];
        break;
      case "relu":
        for (let o = 0; o < cols; o++, i++) {
          const dz = y[i] > 0 ? dy[i] : 0;
          heap[at + i] = dz;
          db[o] += dz;
        }
        break;
      case "tanh":
        for (let o = 0; o < cols; o++, i++) {
          const dz = dy[i] * (1 - y[i] * y[i]);
          heap[at + i] = dz;
          db[o] += dz;
        }
        break;
      case "sigmoid":
        for (let o = 0; o < cols; o++, i++) {
          const dz = dy[i] * (y[i] * (1 - y[i]));
          heap[at + i] = dz;
          db[o] += dz;
        }
        break;
    }
  }
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}
