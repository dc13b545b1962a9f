// Test helpers: which backends to run, a seeded random source that changes
// every run (the seed is printed on failure), and withGpu().
import assert from "node:assert/strict";
import { CpuBackend } from "../../src/compute/cpu/backend.ts";
import type { Backend } from "../../src/compute/backend.ts";
import { GpuContext, requestGpuAdapter } from "../../src/compute/webgpu/context.ts";
import { WebGpuBackend } from "../../src/compute/webgpu/backend.ts";
import { Rng } from "../../src/util/random.ts";

/** HWER_REQUIRE_GPU=1 (CI) turns a missing adapter into failures instead of skips. */
export const requireGpu = Deno.env.get("HWER_REQUIRE_GPU") === "1";
export const gpuAdapterAvailable = (await requestGpuAdapter()) !== null;
/** Passed as `ignore` to WebGPU tests. */
export const skipGpu = !gpuAdapterAvailable && !requireGpu;

/** This run's seed: HWER_TEST_SEED to replay a failure, else fresh. */
export const testSeed = Number(
  Deno.env.get("HWER_TEST_SEED") ?? crypto.getRandomValues(new Uint32Array(1))[0],
);

/** A generator for one test, derived from the run's seed and the test's name. */
export function testRng(name: string): Rng {
  let h = testSeed >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return new Rng(h);
}

/**
 * Runs `fn` on a fresh poisoned WebGPU backend inside a validation error
 * scope, asserts the scope caught nothing, and destroys the device.
 */
export async function withGpu(fn: (backend: WebGpuBackend) => Promise<void>): Promise<void> {
  const context = await GpuContext.create({ poisonBuffers: true, label: "hwer-test" });
  const backend = new WebGpuBackend(context);
  context.device.pushErrorScope("validation");
  try {
    await fn(backend);
  } finally {
    const error = await context.device.popErrorScope().catch(() => null);
    backend.destroy();
    assert.equal(error, null, `GPU validation error: ${error?.message}`);
  }
}

/** The backends every op is tested on, with how to get one. */
export const backendCases: {
  name: string;
  ignore: boolean;
  run: (fn: (b: Backend) => Promise<void>) => Promise<void>;
}[] = [
  {
    name: "cpu",
    ignore: false,
    run: async (fn) => {
      const backend = new CpuBackend();
      try {
        await fn(backend);
      } finally {
        backend.destroy();
      }
    },
  },
  { name: "webgpu", ignore: skipGpu, run: withGpu },
];

/** GPU tests keep a device and its promises alive across awaits. */
export const gpuSanitizers = { sanitizeResources: false, sanitizeOps: false } as const;
