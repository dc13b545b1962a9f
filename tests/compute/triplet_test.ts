import assert from "node:assert/strict";
import type { Backend, Matrix } from "../../src/compute/backend.ts";
import { CpuBackend } from "../../src/compute/cpu/backend.ts";
import { segmentRows } from "../../src/compute/segments.ts";
import { backendCases, gpuSanitizers, testRng, testSeed } from "./_gpu.ts";

function assertClose(
  actual: Float32Array,
  expected: Float32Array,
  tolerance: number,
  context: string,
): void {
  assert.equal(actual.length, expected.length, `${context}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tolerance * Math.max(1, Math.abs(expected[i])),
      `${context}[${i}]: ${actual[i]} vs ${expected[i]} (HWER_TEST_SEED=${testSeed})`,
    );
  }
}

/** f64 weighted triplet loss of one triplet, for finite differences. */
function tripletLoss(
  a: Float64Array,
  p: Float64Array,
  n: Float64Array,
  wp: number,
  wn: number,
  margin: number,
): number {
  const dot = (x: Float64Array, y: Float64Array) => x.reduce((s, v, i) => s + v * y[i], 0);
  const cos = (x: Float64Array, y: Float64Array) => dot(x, y) / Math.sqrt(dot(x, x) * dot(y, y));
  return Math.max(0, wp * (1 - cos(a, p)) - (1 - cos(a, n)) / wn + margin);
}

Deno.test("tripletGradients() agrees with finite differences and is zero for satisfied triplets", async () => {
  const cpu = new CpuBackend();
  const rng = testRng("triplet-fd");
  const count = 6, dims = 5, margin = 0.3;
  const stacked = { rows: 3 * count, cols: dims, data: rng.uniformArray(3 * count * dims, -1, 1) };
  const weights = Float32Array.from({ length: 2 * count }, () => 0.5 + rng.next());
  const total = cpu.zeros(1, 1);
  const grads = (await cpu.download(
    await cpu.tripletGradients(cpu.upload(stacked), weights, margin, total),
  )).data;
  let expectedLoss = 0;
  for (let t = 0; t < count; t++) {
    const rows = [0, 1, 2].map((role) =>
      Float64Array.from(
        stacked.data.subarray((role * count + t) * dims, (role * count + t + 1) * dims),
      )
    );
    const loss = () =>
      tripletLoss(rows[0], rows[1], rows[2], weights[2 * t], weights[2 * t + 1], margin) / count;
    expectedLoss += loss();
    for (let role = 0; role < 3; role++) {
      for (let i = 0; i < dims; i++) {
        const saved = rows[role][i];
        rows[role][i] = saved + 1e-6;
        const up = loss();
        rows[role][i] = saved - 1e-6;
        const down = loss();
        rows[role][i] = saved;
        const numeric = (up - down) / 2e-6;
        const analytic = grads[(role * count + t) * dims + i];
        assert.ok(
          Math.abs(analytic - numeric) <= 1e-4 + 1e-3 * Math.abs(numeric),
          `triplet ${t} role ${role} dim ${i}: ${analytic} vs ${numeric} (HWER_TEST_SEED=${testSeed})`,
        );
      }
    }
  }
  assert.ok(Math.abs((await cpu.download(total)).data[0] - expectedLoss) < 1e-5);

  // An anchor equal to its positive and opposite its negative satisfies any margin below 2.
  const easy = cpu.upload({ rows: 3, cols: 2, data: new Float32Array([1, 0, 2, 0, -1, 0]) });
  const satisfied = await cpu.tripletGradients(easy, new Float32Array([1, 1]), 1, cpu.zeros(1, 1));
  assert.deepEqual([...(await cpu.download(satisfied)).data], [0, 0, 0, 0, 0, 0]);
});

Deno.test("segmentRows() groups contributions by target row in a stable order", () => {
  const s = segmentRows(new Int32Array([5, 2, 5, 0, 2, 5]), 6);
  assert.deepEqual([...s.rows], [0, 2, 5]);
  assert.deepEqual([...s.offsets], [0, 1, 3, 6]);
  assert.deepEqual([...s.order], [3, 1, 4, 0, 2, 5]);
  assert.throws(
    () => segmentRows(new Int32Array([6]), 6),
    /target 6 at position 0 is outside \[0, 6\)/,
  );
});

for (const backend of backendCases) {
  Deno.test({
    name:
      `tripletGradients()/segmentSum()/adamRows() on ${backend.name} match the CPU reference, repeated rows included`,
    ignore: backend.ignore,
    ...gpuSanitizers,
    fn: () =>
      backend.run(async (b: Backend) => {
        const cpu = new CpuBackend();
        for (const [count, dims, tableRows] of [[1, 1, 1], [37, 19, 8], [300, 64, 50]]) {
          const context = `${backend.name} ${count} triplets × ${dims} dims, ${tableRows} rows`;
          const rng = testRng(context);
          const table: Matrix = {
            rows: tableRows,
            cols: dims,
            data: rng.uniformArray(tableRows * dims, -1, 1),
          };
          table.data.fill(0, 0, dims); // a zero row: the norm floor must keep it finite
          // Each operand is a table row, so rows repeat across and within triplets.
          const targets = Int32Array.from({ length: 3 * count }, () => rng.int(tableRows));
          const weights = Float32Array.from({ length: 2 * count }, () => 0.5 + rng.next());
          const run = async (be: Backend) => {
            const t = be.upload(table, "table");
            const total = be.zeros(1, 1, "loss");
            const grads = await be.tripletGradients(
              await be.gatherRows(t, targets),
              weights,
              0.4,
              total,
            );
            const segments = segmentRows(targets, tableRows);
            const sums = await be.segmentSum(grads, segments.offsets, segments.order);
            const m = be.zeros(tableRows, dims), v = be.zeros(tableRows, dims);
            for (let step = 1; step <= 2; step++) {
              // ε = 1e-3 keeps m / (√v + ε) smooth for near-zero gradients, where float32 and
              // float64 rounding would otherwise flip the sign of a whole step.
              await be.adamRows(t, segments.rows, sums, m, v, step, {
                learningRate: 0.05,
                epsilon: 1e-3,
              });
            }
            return {
              grads: (await be.download(grads)).data,
              sums: (await be.download(sums)).data,
              table: (await be.download(t)).data,
              loss: (await be.download(total)).data,
            };
          };
          const [expected, actual] = [await run(cpu), await run(b)];
          assertClose(actual.grads, expected.grads, 1e-5, `${context} gradients`);
          assertClose(actual.sums, expected.sums, 1e-5, `${context} segment sums`);
          assertClose(actual.table, expected.table, 1e-4, `${context} table after adamRows`);
          assertClose(actual.loss, expected.loss, 1e-5, `${context} loss`);
          // The segment sums are the plain per-row totals of the gradient rows.
          const segments = segmentRows(targets, tableRows);
          for (let k = 0; k < segments.rows.length; k++) {
            for (let i = 0; i < dims; i++) {
              let sum = 0;
              for (let j = 0; j < targets.length; j++) {
                if (targets[j] === segments.rows[k]) sum += expected.grads[j * dims + i];
              }
              assert.ok(
                Math.abs(actual.sums[k * dims + i] - sum) <= 1e-5,
                `${context}: row ${segments.rows[k]} dim ${i}`,
              );
            }
          }
        }
      }),
  });
}

Deno.test("triplet ops reject bad input with clear messages", async () => {
  const cpu = new CpuBackend();
  const x = cpu.zeros(2, 3, "x");
  const six = cpu.zeros(6, 3, "six");
  const total = cpu.zeros(1, 1);
  await assert.rejects(
    async () => await cpu.tripletGradients(x, new Float32Array(2), 0.1, total),
    /"x" has 2 rows; stacked triplets need a multiple of 3/,
  );
  await assert.rejects(
    async () => await cpu.tripletGradients(six, new Float32Array(3), 0.1, total),
    /2 triplets need 4 weights, got 3/,
  );
  await assert.rejects(
    async () => await cpu.tripletGradients(six, new Float32Array([1, 0, 1, 1]), 0.1, total),
    /weight 1 is 0/,
  );
  await assert.rejects(
    async () => await cpu.segmentSum(x, new Int32Array([0, 3]), new Int32Array([0, 1, 2])),
    /order\[2\] = 2 is outside \[0, 2\)/,
  );
  await assert.rejects(
    async () =>
      await cpu.adamRows(
        x,
        new Int32Array([1, 1]),
        cpu.zeros(2, 3),
        cpu.zeros(2, 3),
        cpu.zeros(2, 3),
        1,
        { learningRate: 1 },
      ),
    /row 1 is listed twice/,
  );
});
