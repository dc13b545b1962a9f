// The WebAssembly SIMD dense kernels (wasm/dense_gemm.wat, float32 sums)
// against the TypeScript reference in nn.ts (float64 sums), element by element
// within the float32 summation bound, on shapes that straddle the 4 × 8 block,
// the 256-row depth block of ∂L/∂W and the degenerate cases.
import assert from "node:assert/strict";
import type { Activation, Matrix } from "../../src/compute/backend.ts";
import { CpuBackend } from "../../src/compute/cpu/backend.ts";
import {
  denseBackwardBlocked,
  denseForwardBlocked,
  denseSimdAvailable,
  poisonDenseScratch,
} from "../../src/compute/cpu/dense.ts";
import {
  activationDerivative,
  denseBackwardCpu,
  denseForwardCpu,
} from "../../src/compute/cpu/nn.ts";
import type { Rng } from "../../src/util/random.ts";
import { testRng, testSeed } from "./_gpu.ts";

const ACTIVATIONS: Activation[] = ["linear", "relu", "tanh", "sigmoid"];
/** Unit roundoff of float32. */
const U = 2 ** -24;

interface Shape {
  batch: number;
  inputs: number;
  outputs: number;
  why: string;
}

const SHAPES: Shape[] = [
  { batch: 1, inputs: 1, outputs: 1, why: "1 × 1 × 1" },
  { batch: 1, inputs: 1, outputs: 9, why: "one row, outputs one past a block" },
  { batch: 2, inputs: 3, outputs: 1, why: "nothing a multiple of 4" },
  { batch: 3, inputs: 5, outputs: 7, why: "odd everything" },
  { batch: 4, inputs: 8, outputs: 8, why: "exactly one block" },
  { batch: 8, inputs: 4, outputs: 16, why: "whole blocks" },
  { batch: 37, inputs: 19, outputs: 70, why: "off-block" },
  { batch: 130, inputs: 67, outputs: 5, why: "tall, narrow output" },
  { batch: 6, inputs: 3001, outputs: 9, why: "large k in the forward pass" },
  {
    batch: 1001,
    inputs: 7,
    outputs: 13,
    why: "large k in ∂L/∂W: four depth blocks, the last partial",
  },
  { batch: 9, inputs: 11, outputs: 1500, why: "large k in ∂L/∂X" },
  { batch: 5, inputs: 0, outputs: 6, why: "no inputs: Y = act(b)" },
  { batch: 0, inputs: 4, outputs: 3, why: "empty batch" },
];

/** Uniform values in [−scale, scale] with about a fifth set to exactly 0 (the reference skips zeros). */
function random(rng: Rng, rows: number, cols: number, scale = 1): Matrix {
  const data = rng.uniformArray(rows * cols, -scale, scale);
  for (let i = 0; i < data.length; i++) if (rng.next() < 0.2) data[i] = 0;
  return { rows, cols, data };
}

/**
 * Asserts |actual − expected| ≤ 2 (k + 2) u · magnitude + 2 u |expected| element
 * by element: the float32 bound for k-term sums (magnitude = Σ |terms|), plus
 * the final rounding of both results.
 */
function assertWithinSumBound(
  actual: Float32Array,
  expected: Float32Array,
  magnitude: Float64Array,
  k: number,
  context: string,
): void {
  assert.equal(actual.length, expected.length, `${context}: length`);
  for (let i = 0; i < expected.length; i++) {
    const bound = 2 * (k + 2) * U * magnitude[i] + 2 * U * Math.abs(expected[i]);
    assert.ok(
      Number.isFinite(actual[i]) && Math.abs(actual[i] - expected[i]) <= bound,
      `${context}[${i}]: ${actual[i]} vs ${
        expected[i]
      }, bound ${bound} (HWER_TEST_SEED=${testSeed})`,
    );
  }
}

/** Σ_t |A'[i, t] · B[t, j]| for C = A' · B, with A' given by an accessor. */
function productMagnitude(
  rows: number,
  depth: number,
  cols: number,
  a: (i: number, t: number) => number,
  b: (t: number, j: number) => number,
  init: (j: number) => number = () => 0,
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let sum = Math.abs(init(j));
      for (let t = 0; t < depth; t++) sum += Math.abs(a(i, t) * b(t, j));
      out[i * cols + j] = sum;
    }
  }
  return out;
}

Deno.test("denseSimdAvailable() is true on Deno (V8 has WebAssembly SIMD)", () => {
  assert.equal(denseSimdAvailable(), true);
});

for (const poisoned of [false, true]) {
  Deno.test(
    `denseForwardBlocked()/denseBackwardBlocked() SIMD match the TypeScript reference on odd shapes, every activation, bias on and off${
      poisoned ? ", scratch memory poisoned with NaN" : ""
    }`,
    () => {
      for (const { batch, inputs, outputs, why } of SHAPES) {
        for (const activation of ACTIVATIONS) {
          for (const withBias of [true, false]) {
            const context = `${batch}×${inputs}→${outputs} (${why}) ${activation} ${
              withBias ? "bias" : "no bias"
            }`;
            const rng = testRng(context);
            const x = random(rng, batch, inputs), w = random(rng, inputs, outputs, 0.5);
            const b = withBias
              ? random(rng, 1, outputs, 0.3)
              : { rows: 1, cols: outputs, data: new Float32Array(outputs) };
            const dy = random(rng, batch, outputs);

            if (poisoned) poisonDenseScratch();
            const y = denseForwardBlocked(x, w, b, activation, "simd");
            const yRef = denseForwardCpu(x, w, b, activation);
            assert.deepEqual([y.rows, y.cols], [batch, outputs], `${context}: forward shape`);
            const forwardMagnitude = productMagnitude(
              batch,
              inputs,
              outputs,
              (r, i) => x.data[r * inputs + i],
              (i, o) => w.data[i * outputs + o],
              (o) => b.data[o],
            );
            assertWithinSumBound(y.data, yRef.data, forwardMagnitude, inputs, `${context} Y`);

            // Backward from the reference's Y, so both sides see the same act'(Y).
            for (const wantInputGradient of [true, false]) {
              if (poisoned) poisonDenseScratch();
              const g = denseBackwardBlocked(x, w, yRef, dy, activation, wantInputGradient, "simd");
              const gRef = denseBackwardCpu(x, w, yRef, dy, activation, wantInputGradient);
              const dz = (r: number, o: number) =>
                dy.data[r * outputs + o] *
                activationDerivative(yRef.data[r * outputs + o], activation);
              assert.deepEqual(
                [g.weights.rows, g.weights.cols, g.bias.rows, g.bias.cols],
                [inputs, outputs, 1, outputs],
                `${context}: gradient shapes`,
              );
              assertWithinSumBound(
                g.weights.data,
                gRef.weights.data,
                productMagnitude(inputs, batch, outputs, (i, r) => x.data[r * inputs + i], dz),
                batch,
                `${context} dW`,
              );
              // ∂L/∂b is summed in float64 in the same order on both paths.
              assert.deepEqual([...g.bias.data], [...gRef.bias.data], `${context} db`);
              if (!wantInputGradient) {
                assert.equal(g.inputs, null, `${context}: no dX asked for`);
                continue;
              }
              assert.ok(g.inputs && gRef.inputs, `${context}: dX expected`);
              assert.deepEqual([g.inputs.rows, g.inputs.cols], [batch, inputs]);
              assertWithinSumBound(
                g.inputs.data,
                gRef.inputs.data,
                productMagnitude(batch, outputs, inputs, dz, (o, i) => w.data[i * outputs + o]),
                outputs,
                `${context} dX`,
              );
            }
          }
        }
      }
    },
  );
}

Deno.test("denseForwardBlocked() SIMD is exact where float32 sums are (small integers)", () => {
  const rng = testRng("integers");
  const ints = (rows: number, cols: number): Matrix => ({
    rows,
    cols,
    data: Float32Array.from({ length: rows * cols }, () => rng.int(7) - 3),
  });
  const x = ints(13, 29), w = ints(29, 11), b = ints(1, 11), dy = ints(13, 11);
  assert.deepEqual(
    [...denseForwardBlocked(x, w, b, "relu", "simd").data],
    [...denseForwardCpu(x, w, b, "relu").data],
  );
  const y = denseForwardCpu(x, w, b, "linear");
  const g = denseBackwardBlocked(x, w, y, dy, "linear", true, "simd");
  const gRef = denseBackwardCpu(x, w, y, dy, "linear", true);
  assert.deepEqual([...g.weights.data], [...gRef.weights.data]);
  assert.deepEqual([...g.inputs!.data], [...gRef.inputs!.data]);
});

Deno.test('denseForwardBlocked() kernel "typescript" is the reference itself', () => {
  const rng = testRng("typescript-kernel");
  const x = random(rng, 5, 6), w = random(rng, 6, 3), b = random(rng, 1, 3);
  assert.deepEqual(
    [...denseForwardBlocked(x, w, b, "tanh", "typescript").data],
    [...denseForwardCpu(x, w, b, "tanh").data],
  );
});

Deno.test("CpuBackend() kernel option: SIMD and TypeScript backends agree, bad values throw", async () => {
  const simd = new CpuBackend({ kernel: "simd" }),
    reference = new CpuBackend({ kernel: "typescript" });
  assert.equal(simd.description, "TypeScript and WebAssembly SIMD on the CPU");
  assert.equal(new CpuBackend().description, simd.description);
  assert.equal(reference.description, "TypeScript on the CPU");
  assert.throws(
    () => new CpuBackend({ kernel: "gpu" as "auto" }),
    /kernel must be auto, simd or typescript, got gpu/,
  );
  const rng = testRng("backend-kernels");
  const x = random(rng, 21, 10),
    w = random(rng, 10, 6),
    b = random(rng, 1, 6),
    dy = random(rng, 21, 6);
  const results: Float32Array[][] = [];
  for (const backend of [simd, reference]) {
    const up = (m: Matrix) => backend.upload(m);
    const [xt, wt] = [up(x), up(w)];
    const y = await backend.denseForward(xt, wt, up(b), "sigmoid");
    const g = await backend.denseBackward(xt, wt, y, up(dy), "sigmoid", true);
    results.push(
      await Promise.all(
        [y, g.weights, g.bias, g.inputs!].map(async (t) => (await backend.download(t)).data),
      ),
    );
  }
  const [fast, slow] = results;
  for (let part = 0; part < slow.length; part++) {
    for (let i = 0; i < slow[part].length; i++) {
      assert.ok(
        Math.abs(fast[part][i] - slow[part][i]) <= 1e-5 * Math.max(1, Math.abs(slow[part][i])),
        `part ${part}[${i}]: ${fast[part][i]} vs ${slow[part][i]} (HWER_TEST_SEED=${testSeed})`,
      );
    }
  }
});
