import assert from "node:assert/strict";
import type { Activation, Backend, Matrix, Tensor } from "../../src/compute/backend.ts";
import { CpuBackend } from "../../src/compute/cpu/backend.ts";
import { activate } from "../../src/compute/cpu/nn.ts";
import type { Rng } from "../../src/util/random.ts";
import { backendCases, gpuSanitizers, testRng, testSeed } from "./_gpu.ts";

const ACTIVATIONS: Activation[] = ["linear", "relu", "tanh", "sigmoid"];
// Sizes off the 64 × 64 matmul tile and the 16-deep slice, plus the degenerate 1 × 1 × 1.
const SHAPES = [
  { batch: 1, inputs: 1, outputs: 1 },
  { batch: 37, inputs: 19, outputs: 70 },
  { batch: 130, inputs: 67, outputs: 5 },
];

function random(rng: Rng, rows: number, cols: number, scale = 1): Matrix {
  return { rows, cols, data: rng.uniformArray(rows * cols, -scale, scale) };
}

function assertClose(
  actual: Float32Array,
  expected: Float32Array,
  tolerance: number,
  context: string,
): void {
  assert.equal(actual.length, expected.length, `${context}: length`);
  for (let i = 0; i < expected.length; i++) {
    const bound = tolerance * Math.max(1, Math.abs(expected[i]));
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= bound,
      `${context}[${i}]: ${actual[i]} vs ${expected[i]} (HWER_TEST_SEED=${testSeed})`,
    );
  }
}

async function values(backend: Backend, t: Tensor | null): Promise<Float32Array> {
  assert.ok(t, "tensor expected");
  return (await backend.download(t)).data;
}

for (const backend of backendCases) {
  Deno.test({
    name:
      `denseForward()/denseBackward()/mseLoss()/adamStep()/gatherRows() on ${backend.name} match the CPU reference`,
    ignore: backend.ignore,
    ...gpuSanitizers,
    fn: () =>
      backend.run(async (b) => {
        // The reference: TypeScript kernels with float64 sums (the default CPU backend runs SIMD).
        const cpu = new CpuBackend({ kernel: "typescript" });
        for (const { batch, inputs, outputs } of SHAPES) {
          for (const activation of ACTIVATIONS) {
            const context = `${backend.name} ${batch}×${inputs}→${outputs} ${activation}`;
            const rng = testRng(context);
            const x = random(rng, batch, inputs), w = random(rng, inputs, outputs, 0.5);
            const bias = random(rng, 1, outputs, 0.1), dy = random(rng, batch, outputs);
            const on = (be: Backend) => ({
              x: be.upload(x, "x"),
              w: be.upload(w, "w"),
              b: be.upload(bias, "b"),
              dy: be.upload(dy, "dy"),
            });
            const [tc, tb] = [on(cpu), on(b)];
            const yc = await cpu.denseForward(tc.x, tc.w, tc.b, activation);
            const yb = await b.denseForward(tb.x, tb.w, tb.b, activation);
            assertClose(await values(b, yb), await values(cpu, yc), 1e-5, `${context} forward`);
            const gc = await cpu.denseBackward(tc.x, tc.w, yc, tc.dy, activation, true);
            const gb = await b.denseBackward(tb.x, tb.w, yb, tb.dy, activation, true);
            assertClose(
              await values(b, gb.weights),
              await values(cpu, gc.weights),
              1e-4,
              `${context} dW`,
            );
            assertClose(
              await values(b, gb.bias),
              await values(cpu, gc.bias),
              1e-4,
              `${context} db`,
            );
            assertClose(
              await values(b, gb.inputs),
              await values(cpu, gc.inputs),
              1e-4,
              `${context} dX`,
            );
            const noInput = await b.denseBackward(tb.x, tb.w, yb, tb.dy, activation, false);
            assert.equal(noInput.inputs, null);
          }
          const context = `${backend.name} ${batch}×${inputs}`;
          const rng = testRng(`${context} loss`);
          const p = random(rng, batch, inputs), t = random(rng, batch, inputs);
          const [lossC, lossB] = [cpu.zeros(1, 1), b.zeros(1, 1, "loss")];
          for (let repeat = 0; repeat < 2; repeat++) {
            const gradC = await cpu.mseLoss(cpu.upload(p), cpu.upload(t), lossC);
            const gradB = await b.mseLoss(b.upload(p), b.upload(t), lossB);
            assertClose(
              await values(b, gradB),
              await values(cpu, gradC),
              1e-5,
              `${context} mse gradient`,
            );
          }
          assertClose(
            await values(b, lossB),
            await values(cpu, lossC),
            1e-5,
            `${context} mse total of two calls`,
          );

          const param = random(rng, inputs, batch), grad = random(rng, inputs, batch);
          const stateC = {
            p: cpu.upload(param),
            m: cpu.zeros(inputs, batch),
            v: cpu.zeros(inputs, batch),
          };
          const stateB = {
            p: b.upload(param),
            m: b.zeros(inputs, batch),
            v: b.zeros(inputs, batch),
          };
          for (let step = 1; step <= 3; step++) {
            const options = { learningRate: 0.01, weightDecay: 0.001 };
            await cpu.adamStep(stateC.p, cpu.upload(grad), stateC.m, stateC.v, step, options);
            await b.adamStep(stateB.p, b.upload(grad), stateB.m, stateB.v, step, options);
          }
          assertClose(
            await values(b, stateB.p),
            await values(cpu, stateC.p),
            1e-5,
            `${context} adam parameter`,
          );
          assertClose(
            await values(b, stateB.v),
            await values(cpu, stateC.v),
            1e-5,
            `${context} adam second moment`,
          );

          const order = Int32Array.from({ length: batch + 3 }, () => rng.int(batch));
          const gathered = await b.gatherRows(b.upload(p), order);
          assertClose(
            await values(b, gathered),
            await values(cpu, await cpu.gatherRows(cpu.upload(p), order)),
            0,
            `${context} gather`,
          );
        }
      }),
  });
}

/** Float64 loss of a two-layer network on fixed data, for finite differences. */
function networkLoss(
  params: Float64Array[],
  x: Matrix,
  target: Matrix,
  hidden: number,
  activations: [Activation, Activation],
): number {
  const [w1, b1, w2, b2] = params;
  const inputs = x.cols, outputs = target.cols;
  let loss = 0;
  for (let r = 0; r < x.rows; r++) {
    const h = new Float64Array(hidden);
    for (let j = 0; j < hidden; j++) {
      let z = b1[j];
      for (let i = 0; i < inputs; i++) z += x.data[r * inputs + i] * w1[i * hidden + j];
      h[j] = activate(z, activations[0]);
    }
    for (let o = 0; o < outputs; o++) {
      let z = b2[o];
      for (let j = 0; j < hidden; j++) z += h[j] * w2[j * outputs + o];
      const diff = activate(z, activations[1]) - target.data[r * outputs + o];
      loss += diff * diff;
    }
  }
  return loss / (x.rows * outputs);
}

for (const kernel of ["simd", "typescript"] as const) {
  Deno.test(
    `denseBackward() and mseLoss() gradients agree with finite differences (${kernel} kernels)`,
    () => finiteDifferenceCheck(new CpuBackend({ kernel })),
  );
}

async function finiteDifferenceCheck(cpu: CpuBackend): Promise<void> {
  const rng = testRng("finite-differences");
  const batch = 4, inputs = 5, hidden = 6, outputs = 3;
  for (
    const activations of [["tanh", "sigmoid"], ["relu", "linear"], ["sigmoid", "tanh"]] as [
      Activation,
      Activation,
    ][]
  ) {
    const x = random(rng, batch, inputs), target = random(rng, batch, outputs, 0.5);
    const shapes = [[inputs, hidden], [1, hidden], [hidden, outputs], [1, outputs]];
    const params = shapes.map(([r, c]) => random(rng, r, c, 0.7));
    const [w1, b1, w2, b2] = params.map((p) => cpu.upload(p));
    const xt = cpu.upload(x);
    const h = await cpu.denseForward(xt, w1, b1, activations[0]);
    const y = await cpu.denseForward(h, w2, b2, activations[1]);
    const dy = await cpu.mseLoss(y, cpu.upload(target), cpu.zeros(1, 1));
    const g2 = await cpu.denseBackward(h, w2, y, dy, activations[1], true);
    const g1 = await cpu.denseBackward(xt, w1, h, g2.inputs!, activations[0], false);
    const analytic = [g1.weights, g1.bias, g2.weights, g2.bias];
    const exact = params.map((p) => Float64Array.from(p.data));
    const epsilon = 1e-5;
    for (let p = 0; p < exact.length; p++) {
      const grad = (await cpu.download(analytic[p])).data;
      for (let i = 0; i < exact[p].length; i++) {
        const saved = exact[p][i];
        exact[p][i] = saved + epsilon;
        const up = networkLoss(exact, x, target, hidden, activations);
        exact[p][i] = saved - epsilon;
        const down = networkLoss(exact, x, target, hidden, activations);
        exact[p][i] = saved;
        const numeric = (up - down) / (2 * epsilon);
        // ReLU kinks make finite differences meaningless right at zero.
        assert.ok(
          Math.abs(grad[i] - numeric) <= 1e-4 + 1e-3 * Math.abs(numeric),
          `${activations} parameter ${p}[${i}]: analytic ${
            grad[i]
          } vs numeric ${numeric} (HWER_TEST_SEED=${testSeed})`,
        );
      }
    }
  }
}

Deno.test("dense ops reject mismatched shapes with the tensor names", async () => {
  const cpu = new CpuBackend();
  const x = cpu.upload({ rows: 2, cols: 3, data: new Float32Array(6) }, "x");
  const w = cpu.upload({ rows: 4, cols: 2, data: new Float32Array(8) }, "w");
  const b = cpu.zeros(1, 2, "b");
  await assert.rejects(
    async () => await cpu.denseForward(x, w, b, "relu"),
    /inputs "x" \(2 × 3\) do not match weights "w" \(4 × 2\)/,
  );
  await assert.rejects(
    async () => await cpu.denseForward(x, w, b, "gelu" as Activation),
    /activation must be one of/,
  );
  await assert.rejects(
    async () => await cpu.gatherRows(x, new Int32Array([0, 2])),
    /row index 2 at position 1 is outside \[0, 2\)/,
  );
  await assert.rejects(
    async () => await cpu.adamStep(b, b, b, b, 0, { learningRate: 0.1 }),
    /step must be an integer ≥ 1, got 0/,
  );
});

for (const backend of backendCases) {
  Deno.test({
    name:
      `long op chains on ${backend.name} stay correct across automatic submits (2,100 dispatches, one readback)`,
    ignore: backend.ignore,
    ...gpuSanitizers,
    fn: () =>
      backend.run(async (b) => {
        const source = { rows: 3, cols: 2, data: new Float32Array([1, 2, 3, 4, 5, 6]) };
        const rotate = new Int32Array([1, 2, 0]);
        let t = b.upload(source, "chain");
        for (let i = 0; i < 2100; i++) {
          const next = await b.gatherRows(t, rotate, `chain-${i}`);
          b.dispose(t);
          t = next;
        }
        // 2100 rotations of 3 rows is the identity.
        assert.deepEqual([...(await b.download(t)).data], [1, 2, 3, 4, 5, 6]);
      }),
  });
}
