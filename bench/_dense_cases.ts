// Dense-layer kernel benchmark cases on the CPU backend: the WebAssembly SIMD
// kernels (wasm/dense_gemm.wat, what CpuBackend runs) against the TypeScript
// reference (CpuBackend({ kernel: "typescript" })), shape by shape. Shapes are
// the ones training runs: the triplet trainer's content tower on one batch
// (3 × 1024 rows, 64 → 64, linear), the fusion autoencoder's first layer
// (batch 64, 160 → 128, tanh), and one larger layer.
import type { BenchCase } from "./_cases.ts";
import { CpuBackend } from "../src/compute/cpu/backend.ts";
import type { Activation, Backend, Tensor } from "../src/compute/backend.ts";
import { Rng } from "../src/util/random.ts";

interface DenseShape {
  batch: number;
  inputs: number;
  outputs: number;
  activation: Activation;
  /** Whether the backward pass also computes ∂L/∂X. */
  inputGradient: boolean;
  what: string;
}

const SHAPES: DenseShape[] = [
  {
    batch: 3072,
    inputs: 64,
    outputs: 64,
    activation: "linear",
    inputGradient: false,
    what: "triplet tower batch",
  },
  {
    batch: 64,
    inputs: 160,
    outputs: 128,
    activation: "tanh",
    inputGradient: true,
    what: "fusion layer",
  },
  {
    batch: 1024,
    inputs: 256,
    outputs: 256,
    activation: "relu",
    inputGradient: true,
    what: "larger layer",
  },
];

/** Timed calls per case in bench/report.ts: the SIMD calls take about a millisecond. */
const REPETITIONS = 21;

const KERNELS = [
  ["typescript", new CpuBackend({ kernel: "typescript" })],
  ["simd", new CpuBackend()],
] as const;

/** Builds forward and backward cases; within each group the TypeScript kernel is the baseline. */
export async function denseCases(): Promise<BenchCase[]> {
  const rng = new Rng(11);
  const cases: BenchCase[] = [];
  for (const s of SHAPES) {
    const label = `${s.batch}x${s.inputs}->${s.outputs} ${s.activation}`;
    const flops = 2 * s.batch * s.inputs * s.outputs;
    for (const [kernel, backend] of KERNELS) {
      const up = (rows: number, cols: number, label: string): Tensor =>
        backend.upload({ rows, cols, data: rng.uniformArray(rows * cols, -1, 1) }, label);
      const x = up(s.batch, s.inputs, "x"), w = up(s.inputs, s.outputs, "w");
      const b = up(1, s.outputs, "b"), dy = up(s.batch, s.outputs, "dy");
      const y = await backend.denseForward(x, w, b, s.activation);
      cases.push({
        name: `cpu ${kernel} dense forward ${label} (${s.what})`,
        group: `dense forward ${label}`,
        baseline: kernel === "typescript",
        work: flops / 1e9,
        unit: "GFLOP",
        iterations: REPETITIONS,
        fn: async () => release(backend, [await backend.denseForward(x, w, b, s.activation)]),
      });
      cases.push({
        name: `cpu ${kernel} dense backward ${label}${
          s.inputGradient ? " with dX" : ""
        } (${s.what})`,
        group: `dense backward ${label}`,
        baseline: kernel === "typescript",
        work: (s.inputGradient ? 2 : 1) * flops / 1e9,
        unit: "GFLOP",
        iterations: REPETITIONS,
        fn: async () => {
          const g = await backend.denseBackward(x, w, y, dy, s.activation, s.inputGradient);
          release(backend, [g.weights, g.bias, g.inputs]);
        },
      });
    }
  }
  return cases;
}

function release(backend: Backend, tensors: (Tensor | null)[]): void {
  for (const t of tensors) if (t) backend.dispose(t);
}
