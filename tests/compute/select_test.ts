import assert from "node:assert/strict";
import { selectBackend } from "../../src/compute/select.ts";
import { isFallbackAdapter, requestGpuAdapter } from "../../src/compute/webgpu/context.ts";
import { GpuUnavailableError } from "../../src/compute/errors.ts";
import { gpuSanitizers, skipGpu } from "./_gpu.ts";

const adapter = await requestGpuAdapter();

/** Runs fn with HWER_BACKEND set (or removed), restoring it afterwards. */
async function withBackendVariable(
  value: string | undefined,
  fn: () => Promise<void>,
): Promise<void> {
  const saved = Deno.env.get("HWER_BACKEND");
  if (value === undefined) Deno.env.delete("HWER_BACKEND");
  else Deno.env.set("HWER_BACKEND", value);
  try {
    await fn();
  } finally {
    if (saved === undefined) Deno.env.delete("HWER_BACKEND");
    else Deno.env.set("HWER_BACKEND", saved);
  }
}

Deno.test("selectBackend('cpu') returns the CPU backend and says it was requested", async () => {
  await withBackendVariable(undefined, async () => {
    const { backend, reason } = await selectBackend("cpu");
    assert.equal(backend.name, "cpu");
    assert.equal(reason, "cpu was requested");
  });
});

Deno.test({
  name: "selectBackend('auto') takes WebGPU only on a hardware adapter and says why",
  ...gpuSanitizers,
  fn: async () => {
    await withBackendVariable(undefined, async () => {
      const { backend, reason } = await selectBackend("auto");
      try {
        if (!adapter) {
          assert.equal(backend.name, "cpu");
          assert.match(reason, /no WebGPU adapter/);
        } else if (isFallbackAdapter(adapter)) {
          assert.equal(backend.name, "cpu");
          assert.match(reason, /software adapter/);
        } else {
          assert.equal(backend.name, "webgpu");
          assert.match(reason, /hardware adapter/);
        }
      } finally {
        backend.destroy();
      }
    });
  },
});

Deno.test({
  name: "selectBackend('webgpu') takes any adapter, software included",
  ignore: skipGpu,
  ...gpuSanitizers,
  fn: async () => {
    await withBackendVariable(undefined, async () => {
      const { backend, reason } = await selectBackend("webgpu");
      assert.equal(backend.name, "webgpu");
      assert.match(reason, /^webgpu was requested; adapter /);
      backend.destroy();
    });
  },
});

Deno.test({
  name: "selectBackend('webgpu') without an adapter throws GpuUnavailableError",
  ignore: adapter !== null,
  fn: async () => {
    await withBackendVariable(undefined, async () => {
      await assert.rejects(() => selectBackend("webgpu"), GpuUnavailableError);
    });
  },
});

Deno.test("selectBackend() obeys HWER_BACKEND over the argument, unless told to ignore it", async () => {
  await withBackendVariable("cpu", async () => {
    const chosen = await selectBackend("webgpu");
    assert.equal(chosen.backend.name, "cpu");
    assert.equal(chosen.reason, "cpu was set by HWER_BACKEND");
  });
  await withBackendVariable("tpu", async () => {
    await assert.rejects(
      () => selectBackend("auto"),
      /one of auto, cpu, webgpu; got "tpu" \(set by HWER_BACKEND\)/,
    );
    const ignored = await selectBackend("cpu", { ignoreEnvironment: true });
    assert.equal(ignored.backend.name, "cpu");
  });
});
