// Small helpers shared by the WebGPU op modules.
import type { KernelBinding } from "./context.ts";

/** Largest workgroup count per grid dimension that every WebGPU device allows. */
export const MAX_WORKGROUPS = 65535;

/** Workgroups for `count` threads: x up to 65535, the rest in y. */
export function grid1d(count: number, workgroupSize: number): [number, number] {
  const groups = Math.max(1, Math.ceil(count / workgroupSize));
  if (groups <= MAX_WORKGROUPS) return [groups, 1];
  return [MAX_WORKGROUPS, Math.ceil(groups / MAX_WORKGROUPS)];
}

/** Binding constructors for kernel layouts. */
export const uniform = (binding: number): KernelBinding => ({ binding, type: "uniform" });
export const input = (binding: number): KernelBinding => ({ binding, type: "read-only-storage" });
export const output = (binding: number): KernelBinding => ({ binding, type: "storage" });
