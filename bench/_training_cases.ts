// Training-stage benchmark cases: one fusion-autoencoder epoch and one triplet
// epoch over ML-100k (without and with a content tower), on the CPU backend
// with its TypeScript kernels (the baseline of each group), with its default
// WebAssembly SIMD kernels, and on WebGPU (whatever adapter exists: llvmpipe
// here, a real GPU on a lent machine).
import type { BenchCase } from "./_cases.ts";
import { CpuBackend } from "../src/compute/cpu/backend.ts";
import type { Backend, Matrix } from "../src/compute/backend.ts";
import { isFallbackAdapter, requestGpuAdapter } from "../src/compute/webgpu/context.ts";
import { WebGpuBackend } from "../src/compute/webgpu/backend.ts";
import { FusionAutoencoder } from "../src/content/fusion.ts";
import {
  type ContentVectors,
  sampleTriplets,
  trainTripletEmbeddings,
} from "../src/collab/triplet.ts";
import { loadMovieLens100k, stratifiedSplit } from "../src/data/mod.ts";
import { Rng } from "../src/util/random.ts";

const ML_100K = new URL("../../shared/data/ml-100k/", import.meta.url);

/** Builds the cases; WebGPU ones are skipped without an adapter, the tower epoch on a software one. */
export async function trainingCases(): Promise<BenchCase[]> {
  const adapter = await requestGpuAdapter("high-performance");
  const backends: [string, Backend | null][] = [
    ["cpu typescript", new CpuBackend({ kernel: "typescript" })],
    ["cpu simd", new CpuBackend()],
    ["webgpu", adapter ? await WebGpuBackend.create({ adapter }) : null],
  ];
  const split = stratifiedSplit(await loadMovieLens100k(ML_100K), { seed: 42 });
  const triplets = sampleTriplets(split.train, new Rng(1)).anchors.length;
  // Fusion input shaped like ML-100k item features: 1682 rows of 160 mixed-scale columns.
  const rng = new Rng(3);
  const features: Matrix = { rows: 1682, cols: 160, data: rng.uniformArray(1682 * 160, -1, 1) };
  // Content vectors for the tower, 64 wide like the content stage's default output.
  const users = split.train.users.ids.length, items = split.train.items.ids.length;
  const content: ContentVectors = {
    users: { rows: users, cols: 64, data: rng.uniformArray(users * 64, -1, 1) },
    items: { rows: items, cols: 64, data: rng.uniformArray(items * 64, -1, 1) },
  };
  const cases: BenchCase[] = [];
  for (const [name, backend] of backends) {
    const skip = backend ? undefined : "no WebGPU adapter";
    const baseline = name === "cpu typescript";
    cases.push({
      name: `${name} triplet epoch ML-100k (${triplets} triplets, 64 dims, batch 1024)`,
      group: "triplet epoch",
      baseline,
      skip,
      work: triplets,
      unit: "triplets",
      fn: async () => {
        await trainTripletEmbeddings(split.train, {
          backend: backend!,
          epochs: 1,
          validationFraction: 0,
          dims: 64,
        });
      },
    });
    cases.push({
      name: `${name} triplet epoch ML-100k with content tower (64 -> 64, content init)`,
      group: "triplet epoch with tower",
      baseline,
      skip: skip ??
        (name === "webgpu" && adapter && isFallbackAdapter(adapter)
          ? "software adapter: ~10 s per call"
          : undefined),
      work: triplets,
      unit: "triplets",
      fn: async () => {
        await trainTripletEmbeddings(split.train, {
          backend: backend!,
          epochs: 1,
          validationFraction: 0,
          dims: 64,
          content,
        });
      },
    });
    cases.push({
      name: `${name} fusion epoch 1682x160 -> 128 -> 64 (batch 64)`,
      group: "fusion epoch",
      baseline,
      skip,
      work: 1682,
      unit: "rows",
      fn: async () => {
        await FusionAutoencoder.train(backend!, features, {
          contentDims: 64,
          hiddenDims: [128],
          epochs: 1,
        });
      },
    });
  }
  return cases;
}
