/**
 * Training-stage benchmarks: one triplet epoch and one fusion-autoencoder
 * epoch over ML-100k-sized data, CPU against WebGPU. `deno task bench:report`
 * prints medians and throughput (triplets/s, rows/s).
 *
 * @module
 */
import { trainingCases } from "./_training_cases.ts";

for (const c of await trainingCases()) {
  Deno.bench({
    name: c.skip ? `${c.name} (skipped: ${c.skip})` : c.name,
    group: c.group,
    baseline: c.baseline,
    ignore: c.skip !== undefined,
    n: 5,
    warmup: 1,
    fn: c.fn,
  });
}
