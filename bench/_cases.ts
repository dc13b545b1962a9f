// Benchmark cases shared by the *_bench.ts files (deno bench) and report.ts
// (median timings and throughput as a markdown table): cosine top-k here,
// training stages in _training_cases.ts.
import { CpuBackend } from "../src/compute/cpu/backend.ts";
import { cosineTopKBlocked, cosineTopKNaive } from "../src/compute/cpu/cosine_topk.ts";
import type { Backend, ExclusionCsr, Matrix } from "../src/compute/backend.ts";
import { isFallbackAdapter, requestGpuAdapter } from "../src/compute/webgpu/context.ts";
import { WebGpuBackend } from "../src/compute/webgpu/backend.ts";
import { Rng } from "../src/util/random.ts";

/** One timed call and how to name and size it. */
export interface BenchCase {
  name: string;
  group: string;
  baseline?: boolean;
  /** Why it does not run here, if it does not. */
  skip?: string;
  /** Work done by one call, in `unit` (GFLOP for 2·m·n·d, or triplets, rows, …). */
  work: number;
  /** What `work` counts. */
  unit: string;
  /** Deno.bench iteration limits for slow cases. */
  iterations?: number;
  fn: () => Promise<void> | void;
}

const K = 10;
const rng = new Rng(2026);

function matrix(rows: number, cols: number): Matrix {
  return { rows, cols, data: rng.uniformArray(rows * cols, -1, 1) };
}

/** About 106 seen items per query, like ML-100k users' training histories. */
function exclusions(queries: number, items: number): ExclusionCsr {
  const offsets = new Int32Array(queries + 1);
  const indices: number[] = [];
  for (let q = 0; q < queries; q++) {
    for (let j = 0; j < items; j++) if (rng.next() < 106 / 1682) indices.push(j);
    offsets[q + 1] = indices.length;
  }
  return { offsets, indices: Int32Array.from(indices) };
}

interface Shape {
  label: string;
  queries: Matrix;
  items: Matrix;
  exclude?: ExclusionCsr;
}

function shape(m: number, n: number, d: number, exclude = false): Shape {
  return {
    label: `${m}x${n}x${d}`,
    queries: matrix(m, d),
    items: matrix(n, d),
    exclude: exclude ? exclusions(m, n) : undefined,
  };
}

const gflop = (s: Shape) => ({
  work: (2 * s.queries.rows * s.items.rows * s.queries.cols) / 1e9,
  unit: "GFLOP",
});

function topK(backend: Backend, s: Shape): () => Promise<void> {
  const q = backend.upload(s.queries, "queries"), x = backend.upload(s.items, "items");
  return async () => {
    await backend.cosineTopK(q, x, { k: K, exclude: s.exclude });
  };
}

/** Builds every case; WebGPU cases are skipped without an adapter, large ones on a software adapter. */
export async function cosineCases(): Promise<BenchCase[]> {
  const ml100k = shape(943, 1682, 64, true);
  const large = shape(10_000, 10_000, 128);
  const small = shape(256, 1024, 64);
  const cpu = new CpuBackend();
  const adapter = await requestGpuAdapter("high-performance");
  const gpu = adapter ? await WebGpuBackend.create({ adapter }) : null;
  const software = adapter ? isFallbackAdapter(adapter) : false;
  const noGpu = gpu ? undefined : "no WebGPU adapter";
  const cases: BenchCase[] = [
    {
      name: `cpu naive ${ml100k.label} k=10`,
      group: `cpu ${ml100k.label}`,
      baseline: true,
      ...gflop(ml100k),
      fn: () => void cosineTopKNaive(ml100k.queries, ml100k.items, K, ml100k.exclude),
    },
    {
      name: `cpu blocked typescript ${ml100k.label} k=10`,
      group: `cpu ${ml100k.label}`,
      ...gflop(ml100k),
      fn: () =>
        void cosineTopKBlocked(ml100k.queries, ml100k.items, K, ml100k.exclude, "typescript"),
    },
    {
      name: `cpu blocked ${ml100k.label} k=10`,
      group: `cpu ${ml100k.label}`,
      ...gflop(ml100k),
      fn: topK(cpu, ml100k),
    },
    {
      name: `cpu blocked ${large.label} k=10`,
      group: `cpu ${large.label}`,
      ...gflop(large),
      iterations: 3,
      fn: topK(cpu, large),
    },
    {
      name: `cpu blocked ${small.label} k=10`,
      group: `${small.label}`,
      baseline: true,
      ...gflop(small),
      fn: topK(cpu, small),
    },
  ];
  const gpuCase = (s: Shape, group: string, skip?: string): BenchCase => ({
    name: `webgpu ${s.label} k=10`,
    group,
    skip: skip ?? noGpu,
    ...gflop(s),
    fn: gpu && !(skip ?? noGpu) ? topK(gpu, s) : () => {},
  });
  cases.push(
    gpuCase(small, small.label),
    gpuCase(ml100k, `webgpu ${ml100k.label}`),
    gpuCase(
      large,
      `webgpu ${large.label}`,
      software ? "software adapter: minutes per call" : undefined,
    ),
  );
  return cases;
}

/** A line naming the adapter, for reports. */
export async function adapterLine(): Promise<string> {
  const adapter = await requestGpuAdapter("high-performance");
  if (!adapter) return "no WebGPU adapter";
  return `${adapter.info?.description || adapter.info?.vendor} (fallback: ${
    isFallbackAdapter(adapter)
  })`;
}
