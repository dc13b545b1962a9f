/**
 * Cosine top-k benchmarks: the blocked CPU kernel against a plain triple loop,
 * and the WebGPU kernels. Sizes are in the names (queries x items x dims);
 * `deno task bench:report` prints medians and GFLOP/s (2·m·n·d flops a call).
 *
 * @module
 */
import { cosineCases } from "./_cases.ts";

for (const c of await cosineCases()) {
  Deno.bench({
    name: c.skip ? `${c.name} (skipped: ${c.skip})` : c.name,
    group: c.group,
    baseline: c.baseline,
    ignore: c.skip !== undefined,
    ...(c.iterations ? { n: c.iterations, warmup: 1 } : {}),
    fn: c.fn,
  });
}
