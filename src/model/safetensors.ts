/**
 * The safetensors tensor file format (Hugging Face), read and written
 * exactly as its specification describes:
 *
 * 1. 8 bytes: N, the header length, an unsigned 64-bit little-endian integer;
 * 2. N bytes: a UTF-8 JSON object `{name: {dtype, shape, data_offsets: [begin, end]}}`
 *    with an optional `"__metadata__"` map of strings to strings, padded with
 *    spaces so the data starts at a multiple of 8;
 * 3. the data: every tensor's elements, little-endian, row-major, with
 *    offsets relative to the start of the data and no gaps or overlaps.
 *
 * Files written here load in Python with `safetensors.numpy.load_file` or
 * with plain `json`, `struct` and `numpy.frombuffer`.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * const bytes = encodeSafetensors({ emb: { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } });
 * const { tensors } = decodeSafetensors(bytes);
 * console.log(tensors.emb.dtype, tensors.emb.shape, [...tensors.emb.data]); // "F32" [2, 2] [1, 2, 3, 4]
 * ```
 *
 * @module
 */
import { atomicWriteFile } from "../util/atomic_write.ts";

/**
 * The element types hwer reads and writes. (F16, BF16, BOOL and the 8-bit
 * floats of the specification have no JavaScript typed array and are refused.)
 *
 * @example
 * ```ts
 * import type { SafetensorsDtype } from "./safetensors.ts";
 * const dtype: SafetensorsDtype = "F32";
 * console.log(dtype); // "F32"
 * ```
 */
export type SafetensorsDtype =
  | "F64"
  | "F32"
  | "I64"
  | "U64"
  | "I32"
  | "U32"
  | "I16"
  | "U16"
  | "I8"
  | "U8";

/**
 * The typed arrays that hold tensor elements; the array class decides the dtype.
 *
 * @example
 * ```ts
 * import type { TensorArray } from "./safetensors.ts";
 * const ids: TensorArray = Int32Array.of(3, 1, 2);
 * console.log(ids.length); // 3
 * ```
 */
export type TensorArray =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/**
 * A tensor as stored in a safetensors file: row-major elements and a shape
 * whose product is the element count (`[]` is a scalar of one element).
 *
 * @example
 * ```ts
 * import type { StoredTensor } from "./safetensors.ts";
 * const t: StoredTensor = { shape: [2, 3], data: new Float32Array(6) };
 * console.log(t.shape[0] * t.shape[1] === t.data.length); // true
 * ```
 */
export interface StoredTensor {
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Elements in row-major order. */
  readonly data: TensorArray;
}

/**
 * A tensor read from a file, with its dtype.
 *
 * @example
 * ```ts
 * import type { DecodedTensor } from "./safetensors.ts";
 * const t: DecodedTensor = { dtype: "I32", shape: [1], data: Int32Array.of(7) };
 * console.log(t.dtype); // "I32"
 * ```
 */
export interface DecodedTensor extends StoredTensor {
  /** The element type named in the header. */
  readonly dtype: SafetensorsDtype;
}

/**
 * What {@linkcode decodeSafetensors} returns: tensors by name (in data order)
 * and the `__metadata__` map (empty when absent).
 *
 * @example
 * ```ts
 * import type { SafetensorsContents } from "./safetensors.ts";
 * const c: SafetensorsContents = { tensors: {}, metadata: { format: "hwer" } };
 * console.log(c.metadata.format); // "hwer"
 * ```
 */
export interface SafetensorsContents {
  /** Tensor name → tensor. */
  readonly tensors: Record<string, DecodedTensor>;
  /** The free-form string map of the header. */
  readonly metadata: Record<string, string>;
}

/**
 * A model file that cannot be used: names the file and says what is wrong
 * with it. Its message reads `"file: problem"`.
 *
 * @example
 * ```ts
 * import { ModelFileError } from "./safetensors.ts";
 * const e = new ModelFileError("model.safetensors", "file is 3 bytes, shorter than the 8-byte header length");
 * console.log(e.message); // "model.safetensors: file is 3 bytes, shorter than the 8-byte header length"
 * ```
 */
export class ModelFileError extends Error {
  /** The file (path or name) at fault. */
  readonly file: string;
  /** What is wrong with it. */
  readonly problem: string;

  /**
   * Creates the error.
   *
   * @param file the file path or name
   * @param problem what is wrong, as a short sentence without the file name
   * @param options the underlying error, when there is one
   */
  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(`${file}: ${problem}`, options);
    this.name = "ModelFileError";
    this.file = file;
    this.problem = problem;
  }
}

/** The reference implementation refuses headers above 100 MB to stop JSON bombs; so does hwer. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

interface DtypeInfo {
  readonly bytes: number;
  readonly make: (buffer: ArrayBuffer) => TensorArray;
}

const DTYPES: Readonly<Record<SafetensorsDtype, DtypeInfo>> = {
  F64: { bytes: 8, make: (b) => new Float64Array(b) },
  F32: { bytes: 4, make: (b) => new Float32Array(b) },
  I64: { bytes: 8, make: (b) => new BigInt64Array(b) },
  U64: { bytes: 8, make: (b) => new BigUint64Array(b) },
  I32: { bytes: 4, make: (b) => new Int32Array(b) },
  U32: { bytes: 4, make: (b) => new Uint32Array(b) },
  I16: { bytes: 2, make: (b) => new Int16Array(b) },
  U16: { bytes: 2, make: (b) => new Uint16Array(b) },
  I8: { bytes: 1, make: (b) => new Int8Array(b) },
  U8: { bytes: 1, make: (b) => new Uint8Array(b) },
};

const METADATA_KEY = "__metadata__";
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * The safetensors dtype of a typed array.
 *
 * @param data the elements
 * @returns "F32" for a Float32Array, "I32" for an Int32Array, …
 * @throws {TypeError} for an array type safetensors has no dtype for (e.g. Uint8ClampedArray)
 * @example
 * ```ts
 * import { dtypeOf } from "./safetensors.ts";
 * console.log(dtypeOf(new Float64Array(1)), dtypeOf(new Uint32Array(1))); // "F64" "U32"
 * ```
 */
export function dtypeOf(data: TensorArray): SafetensorsDtype {
  if (data instanceof Float64Array) return "F64";
  if (data instanceof Float32Array) return "F32";
  if (data instanceof BigInt64Array) return "I64";
  if (data instanceof BigUint64Array) return "U64";
  if (data instanceof Int32Array) return "I32";
  if (data instanceof Uint32Array) return "U32";
  if (data instanceof Int16Array) return "I16";
  if (data instanceof Uint16Array) return "U16";
  if (data instanceof Int8Array) return "I8";
  // Uint8ClampedArray is no Uint8Array, so this test is exact.
  if (data instanceof Uint8Array && data.constructor === Uint8Array) return "U8";
  throw new TypeError(`no safetensors dtype for ${Object.prototype.toString.call(data)}`);
}

/**
 * Encodes tensors and optional metadata as a safetensors file. Tensors are
 * laid out by element size (largest first) and then by name, as the
 * reference implementation does, so every tensor starts at a multiple of its
 * element size; the header is compact JSON with `__metadata__` first, padded
 * with spaces to a multiple of 8 bytes.
 *
 * @param tensors name → tensor; names must be non-empty and not `__metadata__`
 * @param metadata string → string map stored as `__metadata__` (omitted when empty)
 * @returns the file's bytes
 * @throws {TypeError} on a bad name, shape, or a shape that does not match the element count
 * @example
 * ```ts
 * import { encodeSafetensors } from "./safetensors.ts";
 * const bytes = encodeSafetensors({ x: { shape: [], data: Float32Array.of(1) } });
 * const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
 * console.log(headerLength % 8, bytes.length); // 0 68
 * ```
 */
export function encodeSafetensors(
  tensors: Readonly<Record<string, StoredTensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  assertLittleEndianHost();
  const entries = Object.entries(tensors).map(([name, tensor]) => {
    checkTensor(name, tensor);
    const dtype = dtypeOf(tensor.data);
    return { name, tensor, dtype, bytes: DTYPES[dtype].bytes };
  });
  entries.sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const header: Record<string, unknown> = {};
  const metadataEntries = Object.entries(metadata);
  if (metadataEntries.length > 0) {
    for (const [key, value] of metadataEntries) {
      if (typeof value !== "string") {
        throw new TypeError(
          `metadata ${JSON.stringify(key)} must be a string, got ${typeof value}`,
        );
      }
    }
    header[METADATA_KEY] = Object.fromEntries(metadataEntries);
  }
  let offset = 0;
  for (const { name, tensor, dtype } of entries) {
    const end = offset + tensor.data.byteLength;
    header[name] = { dtype, shape: [...tensor.shape], data_offsets: [offset, end] };
    offset = end;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // spaces: still valid JSON
  let at = 8 + headerLength;
  for (const { tensor } of entries) {
    const data = tensor.data;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

/**
 * Decodes and validates a safetensors file: the header length against the
 * file size and the 100 MB limit, UTF-8, JSON, an object without duplicate keys, `__metadata__` as
 * strings only, each tensor's dtype, shape and offsets, shape × element size
 * equal to its byte length, and the tensors covering the data exactly (no
 * gap, no overlap, nothing past the end, nothing left over). Tensor data is
 * copied into fresh, aligned typed arrays.
 *
 * @param bytes the whole file
 * @param source the file name used in error messages (default "safetensors data")
 * @returns the tensors and the metadata
 * @throws {ModelFileError} naming `source` and the problem
 * @example
 * ```ts
 * import { decodeSafetensors, ModelFileError } from "./safetensors.ts";
 * try {
 *   decodeSafetensors(new Uint8Array(4), "tiny.safetensors");
 * } catch (e) {
 *   console.log(e instanceof ModelFileError); // true
 * }
 * ```
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = "safetensors data",
): SafetensorsContents {
  assertLittleEndianHost();
  const fail = (problem: string): never => {
    throw new ModelFileError(source, problem);
  };
  if (bytes.length < 8) {
    fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    fail(`header length ${declared} exceeds the ${MAX_SAFETENSORS_HEADER_BYTES}-byte limit`);
  }
  const headerLength = Number(declared);
  if (8 + headerLength > bytes.length) {
    fail(
      `header length ${headerLength} runs past the end of the ${bytes.length}-byte file (truncated?)`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
      .decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return fail("header is not valid UTF-8");
  }
  if (!text.startsWith("{")) fail(`header does not start with "{": ${preview(text)}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${e instanceof Error ? e.message : e})`);
  }
  if (!isPlainObject(header)) return fail("header is not a JSON object");
  // JSON.parse keeps the last of two equal keys silently; the specification forbids duplicates.
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined) fail(`header names ${JSON.stringify(duplicate)} twice`);

  const metadata: Record<string, string> = {};
  const rawMetadata = header[METADATA_KEY];
  if (rawMetadata !== undefined) {
    if (!isPlainObject(rawMetadata)) fail(`${METADATA_KEY} is not an object`);
    for (const [key, value] of Object.entries(rawMetadata as Record<string, unknown>)) {
      if (typeof value !== "string") {
        fail(`${METADATA_KEY}.${key} is ${JSON.stringify(value)}, not a string`);
      }
      metadata[key] = value as string;
    }
  }

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries: {
    name: string;
    dtype: SafetensorsDtype;
    shape: number[];
    begin: number;
    end: number;
  }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) continue;
    const where = `tensor ${JSON.stringify(name)}`;
    if (!isPlainObject(info)) return fail(`${where}: entry is not an object`);
    const dtype = info.dtype;
    if (typeof dtype !== "string" || !Object.hasOwn(DTYPES, dtype)) {
      return fail(
        `${where}: dtype ${JSON.stringify(dtype)} is not one of ${Object.keys(DTYPES).join(", ")}`,
      );
    }
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      return fail(
        `${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`,
      );
    }
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      return fail(`${where}: data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    }
    const [begin, end] = offsets as number[];
    if (end < begin) return fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    const elements = shape.reduce((product: number, d: number) => product * d, 1);
    const expected = elements * DTYPES[dtype as SafetensorsDtype].bytes;
    if (!Number.isSafeInteger(expected) || expected !== end - begin) {
      return fail(
        `${where}: shape [${shape.join(", ")}] of ${dtype} needs ${expected} bytes ` +
          `but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    if (end > dataLength) {
      return fail(
        `${where}: data ends at byte ${end} of the data section, which has only ${dataLength} bytes (truncated?)`,
      );
    }
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end });
  }

  const inDataOrder = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = "";
  for (const entry of inDataOrder) {
    if (entry.begin > covered) {
      fail(
        `${entry.begin - covered} bytes at offset ${covered} belong to no tensor ` +
          `(gap before tensor ${JSON.stringify(entry.name)}); tensors must be contiguous`,
      );
    }
    if (entry.begin < covered) {
      fail(
        `tensor ${JSON.stringify(entry.name)} overlaps tensor ${JSON.stringify(previous)} ` +
          `(starts at ${entry.begin}, before ${covered})`,
      );
    }
    covered = entry.end;
    previous = entry.name;
  }
  if (covered !== dataLength) {
    fail(
      `data section has ${dataLength} bytes but the tensors cover ${covered}; ` +
        `${dataLength - covered} trailing bytes belong to no tensor`,
    );
  }

  const tensors: Record<string, DecodedTensor> = {};
  for (const { name, dtype, shape, begin, end } of inDataOrder) {
    // slice() copies into a fresh buffer, so the typed array is aligned whatever the header length.
    const buffer = bytes.slice(dataStart + begin, dataStart + end).buffer;
    tensors[name] = { dtype, shape, data: DTYPES[dtype].make(buffer) };
  }
  return { tensors, metadata };
}

/**
 * Writes tensors to a safetensors file atomically (see {@linkcode encodeSafetensors}).
 *
 * @param path the file to create or replace
 * @param tensors name → tensor
 * @param metadata optional string map
 * @returns the bytes written (e.g. to hash them)
 * @example
 * ```ts
 * import { readSafetensorsFile, writeSafetensorsFile } from "./safetensors.ts";
 * const dir = await Deno.makeTempDir();
 * await writeSafetensorsFile(`${dir}/t.safetensors`, { v: { shape: [2], data: Int32Array.of(4, 5) } });
 * console.log([...(await readSafetensorsFile(`${dir}/t.safetensors`)).tensors.v.data]); // [4, 5]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: Readonly<Record<string, StoredTensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Promise<Uint8Array> {
  const bytes = encodeSafetensors(tensors, metadata);
  await atomicWriteFile(path, bytes);
  return bytes;
}

/**
 * Reads and validates a safetensors file (see {@linkcode decodeSafetensors}).
 *
 * @param path the file
 * @returns the tensors and metadata
 * @throws {ModelFileError} when the file is missing, unreadable or malformed
 * @example
 * ```ts ignore
 * import { readSafetensorsFile } from "./safetensors.ts";
 * const { tensors } = await readSafetensorsFile("model/model.safetensors");
 * console.log(Object.keys(tensors));
 * ```
 */
export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    const problem = e instanceof Deno.errors.NotFound
      ? "file not found"
      : `cannot read (${e instanceof Error ? e.message : e})`;
    throw new ModelFileError(path, problem, { cause: e });
  }
  return decodeSafetensors(bytes, path);
}

function checkTensor(name: string, tensor: StoredTensor): void {
  if (name === "" || name === METADATA_KEY) {
    throw new TypeError(`tensor name ${JSON.stringify(name)} is not allowed`);
  }
  if (!Array.isArray(tensor.shape) || !tensor.shape.every(isCount)) {
    throw new TypeError(
      `tensor ${JSON.stringify(name)}: shape ${
        JSON.stringify(tensor.shape)
      } is not a list of non-negative integers`,
    );
  }
  const elements = tensor.shape.reduce((product, d) => product * d, 1);
  if (elements !== tensor.data.length) {
    throw new TypeError(
      `tensor ${JSON.stringify(name)}: shape [${
        tensor.shape.join(", ")
      }] has ${elements} elements but the data has ${tensor.data.length}`,
    );
  }
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The first key that appears twice in one object of a JSON text (already
 * known to be valid JSON), or undefined.
 */
function firstDuplicateKey(json: string): string | undefined {
  const objects: (Set<string> | null)[] = []; // null for an array
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === "{") objects.push(new Set());
    else if (c === "[") objects.push(null);
    else if (c === "}" || c === "]") objects.pop();
    else if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      const keys = objects.at(-1);
      if (keys && /^\s*:/.test(json.slice(end + 1, end + 64))) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = end;
    }
  }
  return undefined;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + "…" : text);
}

function assertLittleEndianHost(): void {
  // Typed arrays use the host's byte order; safetensors is little-endian. Every Deno target is.
  if (!LITTLE_ENDIAN_HOST) throw new Error("safetensors needs a little-endian host");
}
