import assert from "node:assert/strict";
import { GpuContext } from "../../src/compute/webgpu/context.ts";
import { WebGpuBackend } from "../../src/compute/webgpu/backend.ts";
import { GpuDeviceLostError, GpuError, GpuShaderError } from "../../src/compute/errors.ts";
import { gpuSanitizers, skipGpu } from "./_gpu.ts";

const gpuTest = { ignore: skipGpu, ...gpuSanitizers };

/** Fails instead of hanging when a promise never settles. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const matrix = { rows: 2, cols: 4, data: new Float32Array([1, 2, 3, 4, 4, 3, 2, 1]) };

Deno.test({
  name:
    "GpuContext.kernel() rejects a broken shader with GpuShaderError carrying label and message",
  ...gpuTest,
  fn: async () => {
    const ctx = await GpuContext.create();
    try {
      const error = await ctx.kernel({
        label: "broken_kernel",
        code: "@compute @workgroup_size(1) fn main() { let x: f32 = 1u; }",
        entryPoint: "main",
        bindings: [],
      }).then(() => null, (e) => e);
      assert.ok(error instanceof GpuShaderError, `expected GpuShaderError, got ${error}`);
      assert.equal(error.shaderLabel, "hwer:broken_kernel");
      assert.match(error.detail, /f32/);
      assert.match(error.message, /shader "hwer:broken_kernel" is invalid/);
      // The failure is not cached: a good kernel still compiles afterwards.
      await ctx.kernel({
        label: "ok",
        code: "@compute @workgroup_size(1) fn main() {}",
        entryPoint: "main",
        bindings: [],
      });
    } finally {
      ctx.destroy();
    }
  },
});

Deno.test({
  name:
    "WebGpuBackend.cosineTopK() after the device is destroyed rejects with GpuDeviceLostError, no hang",
  ...gpuTest,
  fn: async () => {
    const backend = await WebGpuBackend.create();
    const items = backend.upload(matrix, "items");
    await backend.cosineTopK(items, items, { k: 1 });
    // Destroyed behind hwer's back, as a driver reset would.
    backend.context.device.destroy();
    const error = await within(10_000, backend.cosineTopK(items, items, { k: 2 }), "cosineTopK")
      .then(
        () => null,
        (e) => e,
      );
    assert.ok(error instanceof GpuDeviceLostError, `expected GpuDeviceLostError, got ${error}`);
    assert.match(error.message, /device was lost/);
    backend.destroy();
  },
});

Deno.test({
  name: "WebGpuBackend after destroy() throws GpuDeviceLostError on the next call",
  ...gpuTest,
  fn: async () => {
    const backend = await WebGpuBackend.create();
    const items = backend.upload(matrix, "items");
    backend.destroy();
    await assert.rejects(
      () => within(10_000, backend.download(items), "download"),
      GpuDeviceLostError,
    );
    assert.throws(() => backend.upload(matrix), GpuDeviceLostError);
  },
});

Deno.test({
  name: "GpuContext surfaces an uncaptured GPU error on the next call, once",
  ...gpuTest,
  fn: async () => {
    const ctx = await GpuContext.create();
    try {
      // MAP_READ may only be combined with COPY_DST: a validation error nobody scoped.
      ctx.device.createBuffer({
        label: "invalid",
        size: 16,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE,
      });
      await ctx.device.queue.onSubmittedWorkDone();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.throws(
        () => ctx.assertUsable(),
        (e) => e instanceof GpuError && /uncaptured WebGPU error/.test(e.message),
      );
      ctx.assertUsable();
    } finally {
      ctx.destroy();
    }
  },
});

Deno.test({
  name: "WebGpuBackend.download() returns what upload() stored",
  ...gpuTest,
  fn: async () => {
    const backend = await WebGpuBackend.create({ poisonBuffers: true });
    try {
      const back = await backend.download(
        backend.upload({ rows: 3, cols: 3, data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) }),
      );
      assert.deepEqual([...back.data], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(back.rows, 3);
    } finally {
      backend.destroy();
    }
  },
});
