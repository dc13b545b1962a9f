/**
 * Dense-layer kernel benchmarks on the CPU backend: WebAssembly SIMD against
 * the TypeScript reference kernels, forward and backward, on the shapes the
 * triplet tower and the fusion autoencoder train with (sizes in the names:
 * batch x in -> out). `deno task bench:report dense` prints medians, GFLOP/s
 * and the SIMD/TypeScript ratio.
 *
 * @module
 */
import { denseCases } from "./_dense_cases.ts";

for (const c of await denseCases()) {
  Deno.bench({ name: c.name, group: c.group, baseline: c.baseline, fn: c.fn });
}
