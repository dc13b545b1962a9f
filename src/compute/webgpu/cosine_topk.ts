/**
 * Binds the cosine top-k shaders: inverse norms, tiled cosine scores per chunk
 * of queries, exclusion mask, and a bitonic top-k per row, all encoded into one
 * command buffer with one readback.
 *
 * @module
 */
import type { ExclusionCsr, TopKResult } from "../backend.ts";
import {
  COSINE_SCORES_WGSL,
  EXCLUDE_MASK_WGSL,
  INVERSE_NORMS_WGSL,
  TOPK_SELECT_WGSL,
} from "../../../shaders/wgsl.ts";
import { specializeWgsl } from "./_wgsl.ts";
import { BufferUsage } from "./_usage.ts";
import type { GpuContext } from "./context.ts";
import { grid1d, input, MAX_WORKGROUPS, output, uniform } from "./_dispatch.ts";
import { GpuOperationError } from "../errors.ts";

/** Largest k the on-device selection handles; workgroup memory holds 2 × 2048 pairs. */
export const MAX_GPU_TOPK = 2048;
const SCORE_TILE = 64;
// Keeps the per-chunk score matrix small enough to stay resident next to the inputs.
const MAX_SCORE_CHUNK_BYTES = 256 * 1024 * 1024;

const { STORAGE, COPY_SRC, COPY_DST, MAP_READ } = BufferUsage;

/** A device-resident matrix as the kernels see it. */
export interface DeviceMatrix {
  readonly buffer: GPUBuffer;
  readonly rows: number;
  readonly cols: number;
  readonly label: string;
}

/**
 * Runs cosine top-k on the GPU. `k` is already `min(k, items.rows)` and ≤
 * {@linkcode MAX_GPU_TOPK}; arguments are already validated.
 */
export async function gpuCosineTopK(
  ctx: GpuContext,
  queries: DeviceMatrix,
  items: DeviceMatrix,
  k: number,
  exclude?: ExclusionCsr,
): Promise<TopKResult> {
  const m = queries.rows, n = items.rows, d = queries.cols;
  if (m === 0 || k === 0) {
    return {
      queries: m,
      k,
      indices: new Int32Array(m * k).fill(-1),
      scores: new Float32Array(m * k).fill(-Infinity),
    };
  }
  if (k > MAX_GPU_TOPK) throw new RangeError(`gpuCosineTopK handles k ≤ ${MAX_GPU_TOPK}, got ${k}`);
  const maxBinding = ctx.device.limits.maxStorageBufferBindingSize;
  const rowsPerChunk = Math.min(
    m,
    MAX_WORKGROUPS,
    Math.floor(Math.min(maxBinding, MAX_SCORE_CHUNK_BYTES) / (n * 4)),
  );
  if (rowsPerChunk < 1 || Math.ceil(n / SCORE_TILE) > MAX_WORKGROUPS) {
    throw new GpuOperationError("cosineTopK", `${n} items do not fit one score row on this device`);
  }
  const vec4 = d % 4 === 0;
  const chunkSize = Math.max(512, 2 ** Math.ceil(Math.log2(k)));
  const [normsKernel, scoresKernel, maskKernel, topkKernel] = await Promise.all([
    ctx.kernel({
      label: "inverse_norms",
      code: INVERSE_NORMS_WGSL,
      entryPoint: "inverse_norms_main",
      bindings: [uniform(0), input(1), output(2)],
    }),
    ctx.kernel({
      label: vec4 ? "cosine_scores_vec4" : "cosine_scores_scalar",
      code: COSINE_SCORES_WGSL,
      entryPoint: vec4 ? "cosine_scores_vec4" : "cosine_scores_scalar",
      bindings: [
        uniform(0),
        input(vec4 ? 6 : 1),
        input(vec4 ? 7 : 2),
        input(3),
        input(4),
        output(5),
      ],
    }),
    ctx.kernel({
      label: "exclude_mask",
      code: EXCLUDE_MASK_WGSL,
      entryPoint: "exclude_mask_main",
      bindings: [uniform(0), input(1), input(2), output(3)],
    }),
    ctx.kernel({
      label: `topk_select_${chunkSize}`,
      code: specializeWgsl(TOPK_SELECT_WGSL, { CHUNK: chunkSize }),
      entryPoint: "topk_select_main",
      bindings: [uniform(0), input(1), output(2), output(3)],
    }),
  ]);

  const chunks = Math.ceil(m / rowsPerChunk);
  const acquired: GPUBuffer[] = [];
  const acquire = (bytes: number, usage: GPUBufferUsageFlags, label: string) => {
    const buffer = ctx.acquireBuffer(bytes, usage, label);
    acquired.push(buffer);
    return buffer;
  };
  try {
    const queryNorms = acquire(m * 4, STORAGE | COPY_DST, "query-inverse-norms");
    const itemNorms = acquire(n * 4, STORAGE | COPY_DST, "item-inverse-norms");
    const scores = acquire(rowsPerChunk * n * 4, STORAGE | COPY_DST, "scores-chunk");
    const outIndices = acquire(m * k * 4, STORAGE | COPY_SRC | COPY_DST, "topk-indices");
    const outScores = acquire(m * k * 4, STORAGE | COPY_SRC | COPY_DST, "topk-scores");
    const staging = acquire(2 * m * k * 4, MAP_READ | COPY_DST, "topk-staging");
    const exclusion = exclude && exclude.indices.length > 0
      ? uploadExclusions(ctx, exclude, m, acquire)
      : null;

    for (const [matrix, norms] of [[queries, queryNorms], [items, itemNorms]] as const) {
      const grid = grid1d(matrix.rows, 64);
      ctx.dispatch(
        "cosineTopK",
        normsKernel,
        { 1: matrix.buffer, 2: norms },
        grid,
        new Uint32Array([matrix.rows, matrix.cols, grid[0] * 64, 0]),
      );
    }
    for (let c = 0; c < chunks; c++) {
      const rowStart = c * rowsPerChunk;
      const rows = Math.min(rowsPerChunk, m - rowStart);
      ctx.dispatch(
        "cosineTopK",
        scoresKernel,
        {
          [vec4 ? 6 : 1]: queries.buffer,
          [vec4 ? 7 : 2]: items.buffer,
          3: queryNorms,
          4: itemNorms,
          5: scores,
        },
        [Math.ceil(n / SCORE_TILE), Math.ceil(rows / SCORE_TILE)],
        new Uint32Array([rows, n, d, rowStart]),
      );
      if (exclusion) {
        const first = exclusion.offsets[rowStart];
        const entries = exclusion.offsets[rowStart + rows] - first;
        if (entries > 0) {
          const grid = grid1d(entries, 64);
          ctx.dispatch(
            "cosineTopK",
            maskKernel,
            { 1: exclusion.rows, 2: exclusion.items, 3: scores },
            grid,
            new Uint32Array([first, entries, n, grid[0] * 64, rowStart, 0, 0, 0]),
          );
        }
      }
      ctx.dispatch(
        "cosineTopK",
        topkKernel,
        { 1: scores, 2: outIndices, 3: outScores },
        [rows],
        new Uint32Array([n, k, rowStart, 0]),
      );
    }
    ctx.copy(outIndices, 0, staging, 0, m * k * 4);
    ctx.copy(outScores, 0, staging, m * k * 4, m * k * 4);
    const bytes = await ctx.read("cosineTopK", staging, 2 * m * k * 4);
    const indices = new Int32Array(bytes, 0, m * k);
    const scoreValues = new Float32Array(bytes, m * k * 4, m * k);
    for (let i = 0; i < indices.length; i++) if (indices[i] < 0) scoreValues[i] = -Infinity;
    return { queries: m, k, indices, scores: scoreValues };
  } finally {
    for (const buffer of acquired) ctx.releaseBuffer(buffer);
  }
}

/** Uploads exclusions as COO (row, item) pairs plus row offsets for chunking. */
function uploadExclusions(
  ctx: GpuContext,
  exclude: ExclusionCsr,
  queries: number,
  acquire: (bytes: number, usage: GPUBufferUsageFlags, label: string) => GPUBuffer,
): { rows: GPUBuffer; items: GPUBuffer; offsets: ExclusionCsr["offsets"] } {
  const entries = exclude.indices.length;
  const rowOfEntry = new Uint32Array(entries);
  for (let q = 0; q < queries; q++) rowOfEntry.fill(q, exclude.offsets[q], exclude.offsets[q + 1]);
  const rows = acquire(entries * 4, STORAGE | COPY_DST, "exclusion-rows");
  const items = acquire(entries * 4, STORAGE | COPY_DST, "exclusion-items");
  ctx.write(rows, rowOfEntry);
  ctx.write(items, Uint32Array.from(exclude.indices));
  return { rows, items, offsets: exclude.offsets };
}
