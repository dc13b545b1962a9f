/**
 * Backend selection: WebGPU on a hardware adapter, the CPU backend on a
 * software adapter (llvmpipe is slower than plain TypeScript) or none.
 *
 * @module
 */
import type { Backend } from "./backend.ts";
import { CpuBackend } from "./cpu/backend.ts";
import { GpuUnavailableError } from "./errors.ts";
import {
  describeAdapter,
  GpuContext,
  isFallbackAdapter,
  requestGpuAdapter,
} from "./webgpu/context.ts";
import { WebGpuBackend } from "./webgpu/backend.ts";

/**
 * What the caller asks for; `"auto"` lets hwer decide.
 *
 * @example
 * ```ts
 * import type { BackendPreference } from "./select.ts";
 * const p: BackendPreference = "auto";
 * console.log(p); // "auto"
 * ```
 */
export type BackendPreference = "auto" | "cpu" | "webgpu";

/**
 * The chosen backend and a sentence saying why.
 *
 * @example
 * ```ts
 * import { selectBackend } from "./select.ts";
 * const { backend, reason } = await selectBackend("cpu");
 * console.log(backend.name, reason); // "cpu" "cpu was requested"
 * ```
 */
export interface BackendSelection {
  /** The backend to pass to every stage. */
  readonly backend: Backend;
  /** Why it was chosen, for logs and `--verbose`. */
  readonly reason: string;
}

/**
 * Options of {@linkcode selectBackend}.
 *
 * @example
 * ```ts
 * import type { SelectBackendOptions } from "./select.ts";
 * const options: SelectBackendOptions = { ignoreEnvironment: true };
 * console.log(options.ignoreEnvironment); // true
 * ```
 */
export interface SelectBackendOptions {
  /** Do not read `HWER_BACKEND`. */
  readonly ignoreEnvironment?: boolean;
  /** Passed to `requestAdapter`. */
  readonly powerPreference?: GPUPowerPreference;
}

const PREFERENCES: readonly BackendPreference[] = ["auto", "cpu", "webgpu"];

/**
 * Picks a backend. `HWER_BACKEND` (auto, cpu or webgpu), when set and readable,
 * overrides `preference`. `"auto"` takes WebGPU only on a hardware adapter;
 * `"webgpu"` takes any adapter, software included, and throws without one.
 *
 * @param preference what the caller asks for
 * @param options environment handling and adapter preference
 * @returns the backend and the reason
 * @throws {GpuUnavailableError} when `"webgpu"` is required and no adapter exists
 * @throws {RangeError} for an unknown preference
 * @example
 * ```ts
 * import { selectBackend } from "./select.ts";
 * const { backend, reason } = await selectBackend("auto");
 * console.log(backend.name === "cpu" || backend.name === "webgpu", reason.length > 0); // true true
 * backend.destroy();
 * ```
 */
export async function selectBackend(
  preference: BackendPreference = "auto",
  options: SelectBackendOptions = {},
): Promise<BackendSelection> {
  let wanted = preference;
  let source = "requested";
  const fromEnvironment = options.ignoreEnvironment ? undefined : readEnvironment("HWER_BACKEND");
  if (fromEnvironment) {
    wanted = fromEnvironment as BackendPreference;
    source = "set by HWER_BACKEND";
  }
  if (!PREFERENCES.includes(wanted)) {
    throw new RangeError(
      `backend must be one of ${PREFERENCES.join(", ")}; got "${wanted}" (${source})`,
    );
  }
  if (wanted === "cpu") return { backend: new CpuBackend(), reason: `cpu was ${source}` };
  const adapter = await requestGpuAdapter(options.powerPreference);
  if (wanted === "webgpu") {
    if (!adapter) {
      throw new GpuUnavailableError(`webgpu was ${source} but no WebGPU adapter is available`);
    }
    const backend = new WebGpuBackend(await GpuContext.create({ adapter }));
    return { backend, reason: `webgpu was ${source}; adapter ${describeAdapter(adapter)}` };
  }
  if (!adapter) {
    return { backend: new CpuBackend(), reason: "auto: no WebGPU adapter, so the CPU backend" };
  }
  if (isFallbackAdapter(adapter)) {
    return {
      backend: new CpuBackend(),
      reason: `auto: ${
        describeAdapter(adapter)
      } is a software adapter, slower than the CPU backend`,
    };
  }
  try {
    const backend = new WebGpuBackend(await GpuContext.create({ adapter }));
    return { backend, reason: `auto: hardware adapter ${describeAdapter(adapter)}` };
  } catch (error) {
    if (!(error instanceof GpuUnavailableError)) throw error;
    return { backend: new CpuBackend(), reason: `auto: ${error.message}, so the CPU backend` };
  }
}

function readEnvironment(name: string): string | undefined {
  try {
    return globalThis.Deno?.env.get(name) || undefined;
  } catch {
    // No --allow-env: behave as if unset.
    return undefined;
  }
}
