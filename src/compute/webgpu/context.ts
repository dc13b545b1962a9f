/**
 * The WebGPU context: one object owning adapter, device, limits, the pipeline
 * cache, the buffer pool and the device's error state. Every GPU op receives it.
 *
 * @module
 */
import {
  GpuDeviceLostError,
  GpuError,
  GpuOperationError,
  GpuShaderError,
  GpuUnavailableError,
} from "../errors.ts";
import { BufferUsage, MAP_MODE_READ, SHADER_STAGE_COMPUTE } from "./_usage.ts";

const POISON = 0x7fc0dead;
// Submit recorded work early past these, to bound memory held by released buffers.
const AUTO_SUBMIT_DISPATCHES = 2048;
const AUTO_SUBMIT_HELD_BYTES = 64 * 1024 * 1024;

/** Work recorded but not yet submitted. */
interface PendingWork {
  encoder: GPUCommandEncoder;
  pass: GPUComputePassEncoder | null;
  /** Buffers to return to the pool once the work is submitted. */
  releases: GPUBuffer[];
  /** Their total size. */
  heldBytes: number;
  /** Dispatches recorded so far. */
  dispatches: number;
  /** One per dispatch: its validation error message, or null. */
  scopes: Promise<string | null>[];
}

/**
 * Options of {@linkcode GpuContext.create}.
 *
 * @example
 * ```ts
 * import type { GpuContextOptions } from "./context.ts";
 * const options: GpuContextOptions = { powerPreference: "high-performance" };
 * console.log(options.powerPreference); // "high-performance"
 * ```
 */
export interface GpuContextOptions {
  /** Passed to `requestAdapter`. */
  readonly powerPreference?: GPUPowerPreference;
  /** Use this adapter instead of requesting one. */
  readonly adapter?: GPUAdapter;
  /** Prefix of every GPU object's label. Default `"hwer"`. */
  readonly label?: string;
  /**
   * For tests: fill every storage buffer handed out with 0x7fc0dead (a NaN as
   * f32, an out-of-range index as i32) so values a kernel failed to write show.
   */
  readonly poisonBuffers?: boolean;
}

/**
 * One binding of a kernel's explicit bind group layout.
 *
 * @example
 * ```ts
 * import type { KernelBinding } from "./context.ts";
 * const b: KernelBinding = { binding: 1, type: "read-only-storage" };
 * console.log(b.type); // "read-only-storage"
 * ```
 */
export interface KernelBinding {
  /** The `@binding(n)` number in group 0. */
  readonly binding: number;
  /** Uniform, read-only storage or read-write storage. */
  readonly type: GPUBufferBindingType;
}

/**
 * Everything that defines a compute pipeline.
 *
 * @example
 * ```ts
 * import type { KernelSpec } from "./context.ts";
 * const spec: KernelSpec = {
 *   label: "noop",
 *   code: "@compute @workgroup_size(1) fn main() {}",
 *   entryPoint: "main",
 *   bindings: [],
 * };
 * console.log(spec.entryPoint); // "main"
 * ```
 */
export interface KernelSpec {
  /** Shown in errors and GPU debuggers. */
  readonly label: string;
  /** Final WGSL text (after specialisation). */
  readonly code: string;
  /** The `@compute` function to run. */
  readonly entryPoint: string;
  /** The bind group 0 layout, in any order. */
  readonly bindings: readonly KernelBinding[];
}

/**
 * A compiled pipeline and its bind group layout.
 *
 * @example
 * ```ts ignore
 * import { GpuContext } from "./context.ts";
 * const ctx = await GpuContext.create();
 * const kernel = await ctx.kernel({ label: "noop", code: "@compute @workgroup_size(1) fn main() {}", entryPoint: "main", bindings: [] });
 * console.log(kernel.label); // "noop"
 * ```
 */
export interface Kernel {
  /** The spec's label. */
  readonly label: string;
  /** The compute pipeline. */
  readonly pipeline: GPUComputePipeline;
  /** Layout of bind group 0. */
  readonly layout: GPUBindGroupLayout;
}

/**
 * Owns a WebGPU adapter and device and everything cached on them.
 *
 * @example
 * ```ts ignore
 * import { GpuContext } from "./context.ts";
 * const ctx = await GpuContext.create();
 * console.log(ctx.adapterDescription, ctx.isFallbackAdapter);
 * ctx.destroy();
 * ```
 */
export class GpuContext {
  /** The adapter the device came from. */
  readonly adapter: GPUAdapter;
  /** The device every op runs on. */
  readonly device: GPUDevice;
  /** Prefix of every label. */
  readonly label: string;
  #kernels = new Map<string, Promise<Kernel>>();
  #pool = new Map<string, GPUBuffer[]>();
  #lost: GpuDeviceLostError | null = null;
  #uncaptured: GpuError | null = null;
  #destroyed = false;
  #pending: PendingWork | null = null;
  /** Submitted command buffers whose error scopes have not been checked yet. */
  #submitted: Promise<{ operation: string; detail: string } | null>[] = [];
  readonly #poison: boolean;

  private constructor(adapter: GPUAdapter, device: GPUDevice, label: string, poison: boolean) {
    this.adapter = adapter;
    this.device = device;
    this.label = label;
    this.#poison = poison;
    device.lost.then((info) => {
      this.#lost = new GpuDeviceLostError(info.reason ?? "unknown", info.message || "no message");
    });
    device.addEventListener("uncapturederror", (event) => {
      const error = (event as GPUUncapturedErrorEvent).error;
      // Keep the first: later errors are usually its consequences.
      this.#uncaptured ??= new GpuError(`uncaptured WebGPU error: ${error.message}`);
    });
  }

  /**
   * Requests an adapter (unless given) and a device with the adapter's own
   * storage-buffer and buffer size limits.
   *
   * @param options adapter choice and label prefix
   * @returns a ready context
   * @throws {GpuUnavailableError} when WebGPU, an adapter or a device is missing
   * @example
   * ```ts ignore
   * import { GpuContext } from "./context.ts";
   * const ctx = await GpuContext.create({ powerPreference: "high-performance" });
   * ctx.destroy();
   * ```
   */
  static async create(options: GpuContextOptions = {}): Promise<GpuContext> {
    const label = options.label ?? "hwer";
    const adapter = options.adapter ?? await requestGpuAdapter(options.powerPreference);
    if (!adapter) throw new GpuUnavailableError("no WebGPU adapter is available on this machine");
    const limits = adapter.limits;
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({
        label: `${label}:device`,
        requiredLimits: {
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
        },
      });
    } catch (cause) {
      throw new GpuUnavailableError(`the WebGPU adapter refused a device: ${errorMessage(cause)}`, {
        cause,
      });
    }
    return new GpuContext(adapter, device, label, options.poisonBuffers ?? false);
  }

  /**
   * The adapter's name, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)".
   *
   * @example
   * ```ts ignore
   * import { GpuContext } from "./context.ts";
   * console.log((await GpuContext.create()).adapterDescription);
   * ```
   */
  get adapterDescription(): string {
    return describeAdapter(this.adapter);
  }

  /**
   * True for a software (fallback) adapter such as llvmpipe.
   *
   * @example
   * ```ts ignore
   * import { GpuContext } from "./context.ts";
   * console.log((await GpuContext.create()).isFallbackAdapter);
   * ```
   */
  get isFallbackAdapter(): boolean {
    return isFallbackAdapter(this.adapter);
  }

  /**
   * Throws the error that made the context unusable: destroyed, device lost, or
   * an uncaptured GPU error since the last call (reported once).
   *
   * @example
   * ```ts ignore
   * import { GpuContext } from "./context.ts";
   * const ctx = await GpuContext.create();
   * ctx.assertUsable(); // fine
   * ```
   */
  assertUsable(): void {
    if (this.#lost) throw this.#lost;
    if (this.#destroyed) {
      throw new GpuDeviceLostError("destroyed", "the hwer GPU context was destroyed");
    }
    const uncaptured = this.#uncaptured;
    if (uncaptured) {
      this.#uncaptured = null;
      throw uncaptured;
    }
  }

  /**
   * The compiled kernel for a spec, cached by its WGSL text, entry point and
   * layout; compilation errors reject with {@linkcode GpuShaderError}.
   *
   * @param spec code, entry point and bindings
   * @returns the kernel
   * @example
   * ```ts ignore
   * import { GpuContext } from "./context.ts";
   * const ctx = await GpuContext.create();
   * await ctx.kernel({ label: "noop", code: "@compute @workgroup_size(1) fn main() {}", entryPoint: "main", bindings: [] });
   * ```
   */
  kernel(spec: KernelSpec): Promise<Kernel> {
    this.assertUsable();
    const key = `${spec.entryPoint}\u0000${JSON.stringify(spec.bindings)}\u0000${spec.code}`;
    let kernel = this.#kernels.get(key);
    if (!kernel) {
      kernel = this.#compile(spec);
      this.#kernels.set(key, kernel);
      // A failed compile must not stay cached.
      kernel.catch(() => this.#kernels.delete(key));
    }
    return kernel;
  }

  async #compile(spec: KernelSpec): Promise<Kernel> {
    const device = this.device;
    const label = `${this.label}:${spec.label}`;
    device.pushErrorScope("validation");
    let pipeline: GPUComputePipeline | null = null;
    let layout: GPUBindGroupLayout | null = null;
    let pipelineError: unknown = null;
    try {
      const module = device.createShaderModule({ label, code: spec.code });
      layout = device.createBindGroupLayout({
        label: `${label}:layout`,
        entries: spec.bindings.map((b) => ({
          binding: b.binding,
          visibility: SHADER_STAGE_COMPUTE,
          buffer: { type: b.type },
        })),
      });
      pipeline = await device.createComputePipelineAsync({
        label,
        layout: device.createPipelineLayout({
          label: `${label}:pipeline-layout`,
          bindGroupLayouts: [layout],
        }),
        compute: { module, entryPoint: spec.entryPoint },
      });
    } catch (cause) {
      pipelineError = cause;
    }
    const scoped = await device.popErrorScope();
    if (scoped) throw new GpuShaderError(label, scoped.message.trim());
    if (pipelineError || !pipeline || !layout) {
      this.assertUsable();
      throw new GpuShaderError(label, errorMessage(pipelineError));
    }
    return { label, pipeline, layout };
  }

  /**
   * A bind group for a kernel from buffers listed by binding number.
   *
   * @param kernel the kernel whose layout to use
   * @param buffers binding number → buffer (or a buffer range)
   * @returns the bind group
   * @example
   * ```ts ignore
   * const group = ctx.bindGroup(kernel, { 0: params, 1: input, 2: output });
   * ```
   */
  bindGroup(kernel: Kernel, buffers: Record<number, GPUBuffer | GPUBufferBinding>): GPUBindGroup {
    return this.device.createBindGroup({
      label: `${kernel.label}:bind-group`,
      layout: kernel.layout,
      entries: Object.entries(buffers).map(([binding, resource]) => ({
        binding: Number(binding),
        resource: "buffer" in resource ? resource : { buffer: resource },
      })),
    });
  }

  /**
   * A buffer from the pool (or a new one) of at least `bytes`, padded to a
   * multiple of 16 (at least 16, so empty inputs still bind).
   *
   * @param bytes wanted size
   * @param usage GPUBufferUsage flags
   * @param label a name for debugging
   * @returns the buffer; give it back with {@linkcode GpuContext.releaseBuffer}
   * @example
   * ```ts ignore
   * const buffer = ctx.acquireBuffer(1000, GPUBufferUsage.STORAGE, "scores");
   * ctx.releaseBuffer(buffer);
   * ```
   */
  acquireBuffer(bytes: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    this.assertUsable();
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    const maxBufferSize = this.device.limits.maxBufferSize;
    if (size > maxBufferSize) {
      throw new GpuOperationError(
        label,
        `needs a ${size}-byte buffer; the device allows ${maxBufferSize}`,
      );
    }
    const buffer = this.#pool.get(`${usage}:${size}`)?.pop() ??
      this.device.createBuffer({ label: `${this.label}:${label}:${size}`, size, usage });
    if (this.#poison && (usage & BufferUsage.STORAGE) && (usage & BufferUsage.COPY_DST)) {
      this.device.queue.writeBuffer(buffer, 0, new Uint32Array(size / 4).fill(POISON));
    }
    return buffer;
  }

  /**
   * Returns a buffer to the pool. While recorded work is pending the buffer is
   * held back until that work is submitted: a queue write into a reused buffer
   * would otherwise land before the recorded commands that still read it.
   *
   * @param buffer a buffer from {@linkcode GpuContext.acquireBuffer}
   * @example
   * ```ts ignore
   * ctx.releaseBuffer(ctx.acquireBuffer(64, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, "params"));
   * ```
   */
  releaseBuffer(buffer: GPUBuffer): void {
    if (this.#destroyed) return buffer.destroy();
    if (this.#pending) {
      this.#pending.releases.push(buffer);
      this.#pending.heldBytes += buffer.size;
      return;
    }
    const key = `${buffer.usage}:${buffer.size}`;
    const free = this.#pool.get(key);
    if (free) free.push(buffer);
    else this.#pool.set(key, [buffer]);
  }

  /**
   * Returns a buffer to the pool only after the work recorded so far (and
   * whatever is recorded before the next submit) has been submitted: for
   * temporaries written now and bound by dispatches recorded next.
   *
   * @param buffer a buffer from {@linkcode GpuContext.acquireBuffer}
   * @example
   * ```ts ignore
   * const indices = ctx.acquireBuffer(16, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, "indices");
   * ctx.write(indices, new Uint32Array([0, 1, 2, 3]));
   * ctx.releaseAfterSubmit(indices);
   * ctx.dispatch("gather", kernel, { 1: indices }, [1]);
   * ```
   */
  releaseAfterSubmit(buffer: GPUBuffer): void {
    if (this.#destroyed) return buffer.destroy();
    const pending = this.#begin();
    pending.releases.push(buffer);
    pending.heldBytes += buffer.size;
  }

  /**
   * Writes host data into a buffer through the queue (ordered before any work
   * recorded but not yet submitted).
   *
   * @param buffer destination, with COPY_DST usage
   * @param data the bytes to write
   * @param offset byte offset in the buffer
   * @example
   * ```ts ignore
   * ctx.write(buffer, new Float32Array([1, 2, 3, 4]));
   * ```
   */
  write(buffer: GPUBuffer, data: ArrayBufferView, offset = 0): void {
    this.assertUsable();
    this.device.queue.writeBuffer(buffer, offset, data as ArrayBufferView<ArrayBuffer>);
  }

  /**
   * Records one compute dispatch into the pending command buffer; nothing runs
   * until {@linkcode GpuContext.flush} (or a read, which flushes). `uniforms`,
   * when given, are copied into a fresh uniform buffer bound at binding 0.
   * Validation errors of the dispatch reject the next flush, naming `operation`.
   *
   * @param operation name for errors
   * @param kernel the compiled kernel
   * @param buffers binding number → buffer, except binding 0 when `uniforms` is given
   * @param workgroups dispatch size (x, y, z)
   * @param uniforms the uniform block's bytes (u32/f32 words)
   * @example
   * ```ts ignore
   * ctx.dispatch("scale", kernel, { 1: input, 2: output }, [Math.ceil(n / 64)], new Uint32Array([n, 0, 0, 0]));
   * await ctx.flush("scale");
   * ```
   */
  dispatch(
    operation: string,
    kernel: Kernel,
    buffers: Record<number, GPUBuffer | GPUBufferBinding>,
    workgroups: readonly [number, number?, number?],
    uniforms?: ArrayBufferView,
  ): void {
    this.assertUsable();
    const pending = this.#begin();
    const device = this.device;
    const entries = { ...buffers };
    if (uniforms) {
      const uniformBuffer = this.acquireBuffer(
        uniforms.byteLength,
        BufferUsage.UNIFORM | BufferUsage.COPY_DST,
        `${operation}-params`,
      );
      pending.releases.push(uniformBuffer);
      this.write(uniformBuffer, uniforms);
      entries[0] = {
        buffer: uniformBuffer,
        offset: 0,
        size: Math.ceil(uniforms.byteLength / 16) * 16,
      };
    }
    device.pushErrorScope("validation");
    const group = this.bindGroup(kernel, entries);
    pending.pass ??= pending.encoder.beginComputePass({ label: `${this.label}:pass` });
    pending.pass.setPipeline(kernel.pipeline);
    pending.pass.setBindGroup(0, group);
    pending.pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1);
    pending.scopes.push(
      device.popErrorScope().then((error) =>
        error ? `${operation} (${kernel.label}): ${error.message.trim()}` : null
      ),
    );
    if (
      ++pending.dispatches >= AUTO_SUBMIT_DISPATCHES || pending.heldBytes >= AUTO_SUBMIT_HELD_BYTES
    ) {
      this.#submit(operation);
    }
  }

  /**
   * Records a buffer-to-buffer copy into the pending command buffer.
   *
   * @param source buffer with COPY_SRC usage
   * @param sourceOffset byte offset in the source
   * @param destination buffer with COPY_DST usage
   * @param destinationOffset byte offset in the destination
   * @param bytes how many bytes, a multiple of 4
   * @example
   * ```ts ignore
   * ctx.copy(a, 0, b, 0, 64);
   * ```
   */
  copy(
    source: GPUBuffer,
    sourceOffset: number,
    destination: GPUBuffer,
    destinationOffset: number,
    bytes: number,
  ): void {
    this.assertUsable();
    const pending = this.#begin();
    pending.pass?.end();
    pending.pass = null;
    pending.encoder.copyBufferToBuffer(source, sourceOffset, destination, destinationOffset, bytes);
  }

  /**
   * Submits the recorded work as one command buffer inside validation and
   * out-of-memory error scopes, then returns held-back buffers to the pool.
   * Rejects with {@linkcode GpuOperationError} naming the first failing op.
   *
   * @param operation name for errors
   * @example
   * ```ts ignore
   * await ctx.flush("epoch");
   * ```
   */
  async flush(operation = "flush"): Promise<void> {
    this.#submit(operation);
    const checks = this.#submitted;
    this.#submitted = [];
    const failures = await Promise.all(checks);
    this.assertUsable();
    const failure = failures.find((f) => f !== null);
    if (failure) throw new GpuOperationError(failure.operation, failure.detail);
  }

  /**
   * Submits the pending command buffer without waiting; its error scopes are
   * settled by the next {@linkcode GpuContext.flush}. Long op sequences (a
   * training epoch) submit this way now and then, so held-back buffers return
   * to the pool and memory stays bounded without any readback.
   */
  #submit(operation: string): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    const device = this.device;
    let thrown: string | null = null;
    device.pushErrorScope("out-of-memory");
    device.pushErrorScope("validation");
    try {
      pending.pass?.end();
      device.queue.submit([pending.encoder.finish({ label: `${this.label}:${operation}` })]);
    } catch (cause) {
      thrown = errorMessage(cause);
    }
    const scopes = [device.popErrorScope(), device.popErrorScope()];
    this.#submitted.push(
      Promise.all([
        ...pending.scopes,
        ...scopes.map((p) => p.then((e) => e ? e.message.trim() : null)),
      ])
        .then((messages) => {
          const detail = messages.find((m) => m !== null) ?? thrown;
          return detail ? { operation, detail } : null;
        }),
    );
    for (const buffer of pending.releases) this.releaseBuffer(buffer);
  }

  #begin(): PendingWork {
    this.#pending ??= {
      encoder: this.device.createCommandEncoder({ label: `${this.label}:commands` }),
      pass: null,
      releases: [],
      heldBytes: 0,
      dispatches: 0,
      scopes: [],
    };
    return this.#pending;
  }

  /**
   * Flushes pending work, maps a MAP_READ buffer and returns a copy of its
   * first `bytes`. A device lost meanwhile rejects with
   * {@linkcode GpuDeviceLostError}, never hangs.
   *
   * @param operation name for errors
   * @param buffer a buffer with MAP_READ usage
   * @param bytes how many bytes to copy out
   * @returns the bytes
   * @example
   * ```ts ignore
   * ctx.copy(result, 0, staging, 0, 64);
   * const bytes = await ctx.read("download", staging, 64);
   * ```
   */
  async read(operation: string, buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    await this.flush(operation);
    const mapped = Math.max(16, Math.ceil(bytes / 16) * 16);
    try {
      await buffer.mapAsync(MAP_MODE_READ, 0, mapped);
    } catch (cause) {
      // A destroyed device rejects the map before `lost` resolves; give it a moment.
      await Promise.race([this.device.lost, new Promise((resolve) => setTimeout(resolve, 100))]);
      this.assertUsable();
      throw new GpuOperationError(operation, `reading results failed: ${errorMessage(cause)}`);
    }
    const copy = buffer.getMappedRange(0, mapped).slice(0, bytes);
    buffer.unmap();
    return copy;
  }

  /**
   * Destroys pooled buffers and the device. Later calls throw.
   *
   * @example
   * ```ts ignore
   * ctx.destroy();
   * ```
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const buffers of this.#pool.values()) for (const b of buffers) b.destroy();
    this.#pool.clear();
    this.#kernels.clear();
    this.#pending = null;
    this.#submitted = [];
    this.device.destroy();
  }
}

/**
 * Requests an adapter, or resolves to null where WebGPU is missing.
 *
 * @param powerPreference passed to `requestAdapter`
 * @returns the adapter, or null
 * @example
 * ```ts
 * import { requestGpuAdapter } from "./context.ts";
 * const adapter = await requestGpuAdapter();
 * console.log(adapter === null || typeof adapter.requestDevice === "function"); // true
 * ```
 */
export async function requestGpuAdapter(
  powerPreference?: GPUPowerPreference,
): Promise<GPUAdapter | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return null;
  try {
    return await gpu.requestAdapter(powerPreference ? { powerPreference } : undefined);
  } catch {
    return null;
  }
}

/**
 * True for a software adapter: flagged as fallback, or a known CPU rasteriser.
 *
 * @param adapter the adapter
 * @returns whether it runs on the CPU
 * @example
 * ```ts
 * import { isFallbackAdapter, requestGpuAdapter } from "./context.ts";
 * const adapter = await requestGpuAdapter();
 * if (adapter) console.log(typeof isFallbackAdapter(adapter)); // "boolean"
 * ```
 */
export function isFallbackAdapter(adapter: GPUAdapter): boolean {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  if (info?.isFallbackAdapter || legacy) return true;
  return /llvmpipe|lavapipe|swiftshader|softpipe|warp/i.test(describeAdapter(adapter));
}

/**
 * A one-line description of an adapter.
 *
 * @param adapter the adapter
 * @returns description, else vendor and architecture
 * @example
 * ```ts
 * import { describeAdapter, requestGpuAdapter } from "./context.ts";
 * const adapter = await requestGpuAdapter();
 * if (adapter) console.log(describeAdapter(adapter).length > 0); // true
 * ```
 */
export function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  return info?.description ||
    [info?.vendor, info?.architecture, info?.device].filter(Boolean).join(" ") ||
    "unknown adapter";
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
