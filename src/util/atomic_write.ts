/**
 * Atomic file writes: the bytes go to a temporary file in the target's own
 * folder, are flushed to disk, and the temporary file is renamed over the
 * target. Readers see the old file or the new one, never a half-written one.
 * This is the only way hwer writes files.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What {@linkcode atomicWriteFile} can write: bytes, text (UTF-8), or chunks
 * produced one at a time (a failure while producing them aborts the write).
 *
 * @example
 * ```ts
 * import type { AtomicWriteData } from "./atomic_write.ts";
 * const parts: AtomicWriteData = [new Uint8Array([1, 2]), new Uint8Array([3])];
 * console.log(Array.isArray(parts)); // true
 * ```
 */
export type AtomicWriteData =
  | Uint8Array
  | string
  | Iterable<Uint8Array>
  | AsyncIterable<Uint8Array>;

/**
 * Options of {@linkcode atomicWriteFile}.
 *
 * @example
 * ```ts
 * import type { AtomicWriteOptions } from "./atomic_write.ts";
 * const options: AtomicWriteOptions = { mode: 0o644 };
 * console.log(options.mode?.toString(8)); // "644"
 * ```
 */
export interface AtomicWriteOptions {
  /** Permission bits of the new file (POSIX only; default 0o644 less the umask). */
  readonly mode?: number;
}

/**
 * Writes a file atomically: temporary file in the same folder (so the rename
 * never crosses file systems), fsync, rename over `path`, then fsync of the
 * folder where the platform allows it. On any failure the temporary file is
 * removed and an existing file at `path` is left as it was.
 *
 * @param path the file to create or replace (its folder must exist)
 * @param data bytes, UTF-8 text, or chunks (sync or async iterable)
 * @param options file mode
 * @returns when the new content is in place
 * @throws {Error} whatever the file system or the chunk source threw
 * @example
 * ```ts
 * import { atomicWriteFile } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * await atomicWriteFile(`${dir}/hello.txt`, "hello");
 * console.log(await Deno.readTextFile(`${dir}/hello.txt`)); // "hello"
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function atomicWriteFile(
  path: string | URL,
  data: AtomicWriteData,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const target = path instanceof URL ? fileURLToPath(path) : path;
  const folder = dirname(target);
  // A dot name ending in .tmp: hidden, ignored by git, and easy to recognise if a crash leaves it.
  const temp = join(folder, `.${basename(target)}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  const file = await Deno.open(temp, {
    write: true,
    createNew: true,
    ...(options.mode === undefined ? {} : { mode: options.mode }),
  });
  let closed = false;
  try {
    for await (const chunk of chunksOf(data)) await writeAll(file, chunk);
    await file.sync();
    file.close();
    closed = true;
    await Deno.rename(temp, target);
  } catch (error) {
    if (!closed) file.close();
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  await syncFolder(folder);
}

async function* chunksOf(data: AtomicWriteData): AsyncIterable<Uint8Array> {
  if (typeof data === "string") yield new TextEncoder().encode(data);
  else if (data instanceof Uint8Array) yield data;
  else yield* data;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/** Makes the rename itself durable; not every platform can open a folder, so failures are ignored. */
async function syncFolder(folder: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  try {
    const handle = await Deno.open(folder, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  } catch {
    // The file is already complete and renamed; only durability across a power cut is weaker.
  }
}
