import assert from "node:assert/strict";
import { CpuBackend } from "../../src/compute/cpu/backend.ts";
import type { Matrix } from "../../src/compute/backend.ts";
import { FusionAutoencoder, type FusionProgress } from "../../src/content/fusion.ts";
import {
  backendCases,
  gpuSanitizers,
  skipGpu,
  testRng,
  testSeed,
  withGpu,
} from "../compute/_gpu.ts";

/** Rows on a random `rank`-dimensional subspace plus noise: compressible, so the loss must fall. */
function lowRankFeatures(seedName: string, rows: number, cols: number, rank: number): Matrix {
  const rng = testRng(seedName);
  const basis = rng.uniformArray(rank * cols, -1, 1);
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const coefficients = rng.uniformArray(rank, -1, 1);
    for (let c = 0; c < cols; c++) {
      let v = 0.01 * rng.normal();
      for (let k = 0; k < rank; k++) v += coefficients[k] * basis[k * cols + c];
      data[r * cols + c] = v;
    }
  }
  return { rows, cols, data };
}

Deno.test({
  name:
    "FusionAutoencoder.train() on WebGPU equals the CPU backend within 1e-4 after the same steps",
  ignore: skipGpu,
  ...gpuSanitizers,
  fn: () =>
    withGpu(async (gpu) => {
      const features = lowRankFeatures("fusion-equivalence", 45, 13, 3);
      const options = {
        contentDims: 4,
        hiddenDims: [9],
        epochs: 3,
        batchSize: 16,
        seed: 5,
        activation: "tanh" as const,
      };
      const onCpu = await FusionAutoencoder.train(new CpuBackend(), features, options);
      const onGpu = await FusionAutoencoder.train(gpu, features, options);
      const layers = (m: FusionAutoencoder) => [...m.encoder, ...m.decoder];
      for (const [i, layer] of layers(onGpu).entries()) {
        const reference = layers(onCpu)[i];
        for (
          const [name, a, b] of [["weights", layer.weights, reference.weights], [
            "bias",
            layer.bias,
            reference.bias,
          ]] as const
        ) {
          for (let j = 0; j < b.data.length; j++) {
            assert.ok(
              Math.abs(a.data[j] - b.data[j]) <= 1e-4,
              `layer ${i} ${name}[${j}]: ${a.data[j]} vs ${b.data[j]}`,
            );
          }
        }
      }
      for (const [e, loss] of onGpu.losses.entries()) {
        assert.ok(
          Math.abs(loss - onCpu.losses[e]) <= 1e-4 * Math.max(1, onCpu.losses[e]),
          `epoch ${e + 1} loss`,
        );
      }
    }),
});

for (const backend of backendCases) {
  Deno.test({
    name:
      `FusionAutoencoder.train() on ${backend.name} lowers the reconstruction error and reports every epoch`,
    ignore: backend.ignore,
    ...gpuSanitizers,
    fn: () =>
      backend.run(async (b) => {
        const features = lowRankFeatures(`fusion-loss-${backend.name}`, 200, 24, 4);
        const progress: FusionProgress[] = [];
        const epochs = backend.name === "cpu" ? 40 : 12;
        const model = await FusionAutoencoder.train(b, features, {
          contentDims: 6,
          hiddenDims: [16],
          epochs,
          batchSize: 32,
          learningRate: 5e-3,
          onProgress: (p) => progress.push(p),
        });
        assert.deepEqual(
          progress.map((p) => p.epoch),
          Array.from({ length: epochs }, (_, i) => i + 1),
        );
        const [first, last] = [model.losses[0], model.losses.at(-1)!];
        assert.ok(
          last < first / 3,
          `loss ${first} → ${last} should fall at least 3× (HWER_TEST_SEED=${testSeed})`,
        );
        const vectors = await model.encode(b, features);
        assert.equal(vectors.rows, 200);
        assert.equal(vectors.cols, 6);
        const reconstruction = await model.reconstruct(b, features);
        let mse = 0;
        for (let i = 0; i < features.data.length; i++) {
          mse += (reconstruction.data[i] - features.data[i]) ** 2;
        }
        assert.ok(
          mse / features.data.length < first,
          "reconstruction error below the first epoch's",
        );
      }),
  });
}

Deno.test("FusionAutoencoder.train() is deterministic for a seed and rejects bad options", async () => {
  const cpu = new CpuBackend();
  const features = lowRankFeatures("fusion-determinism", 30, 7, 2);
  const a = await FusionAutoencoder.train(cpu, features, { contentDims: 3, epochs: 2, seed: 9 });
  const b = await FusionAutoencoder.train(cpu, features, { contentDims: 3, epochs: 2, seed: 9 });
  assert.deepEqual(a.encoder[0].weights.data, b.encoder[0].weights.data);
  await assert.rejects(
    () => FusionAutoencoder.train(cpu, features, { contentDims: 0 }),
    /contentDims must be an integer ≥ 1, got 0/,
  );
  await assert.rejects(
    () => FusionAutoencoder.train(cpu, { rows: 0, cols: 3, data: new Float32Array() }),
    /no features to train on/,
  );
  await assert.rejects(
    () => a.encode(cpu, { rows: 1, cols: 2, data: new Float32Array(2) }),
    /expects 7 feature columns, got 2/,
  );
});
