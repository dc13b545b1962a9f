/**
 * A saved hwer model is a folder: `model.safetensors` (the tensors), any
 * extra files (e.g. `fasttext.bin`) and `manifest.json`, which names the
 * format version, the configuration, the id maps, free-form tables (α
 * tables), metrics, a fingerprint of the training data, and the size and
 * sha256 of every other file. The manifest is written last, and every file
 * atomically, so a folder with a manifest is a complete model; loading checks
 * the version, the manifest's own checksum and every file's size and sha256.
 *
 * @example
 * ```ts
 * import { loadModelFiles, saveModelFiles } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * await saveModelFiles(dir, {
 *   manifest: {
 *     config: { dim: 2 },
 *     idMaps: { users: ["u1"], items: ["i1", "i2"] },
 *     dataFingerprint: { algorithm: "sha256", sha256: "00", interactions: 0, users: 1, items: 2 },
 *   },
 *   tensors: { "item.embedding": { shape: [2, 2], data: Float32Array.of(1, 0, 0, 1) } },
 * });
 * const model = await loadModelFiles(dir);
 * console.log(model.manifest.idMaps.items, [...model.tensors["item.embedding"].data]); // ["i1", "i2"] [1, 0, 0, 1]
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Dataset } from "../data/types.ts";
import { atomicWriteFile } from "../util/atomic_write.ts";
import {
  type DecodedTensor,
  decodeSafetensors,
  encodeSafetensors,
  ModelFileError,
  type StoredTensor,
} from "./safetensors.ts";

export { ModelFileError };

/** The manifest format this hwer writes and the newest it reads. */
export const MODEL_FORMAT_VERSION = 1;

/** The hwer version recorded in manifests (kept equal to deno.json's by a test). */
export const HWER_VERSION = "0.1.0";

/** The manifest's file name inside a model folder. */
export const MANIFEST_FILE_NAME = "manifest.json";

/** The tensor file's name inside a model folder. */
export const TENSORS_FILE_NAME = "model.safetensors";

/**
 * Any JSON value.
 *
 * @example
 * ```ts
 * import type { JsonValue } from "./manifest.ts";
 * const config: JsonValue = { dim: 64, stages: ["content", "collab"], compress: null };
 * console.log(JSON.stringify(config).length > 0); // true
 * ```
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * A fingerprint of the interactions a model was trained on, so a model can
 * tell whether it is being evaluated or continued on the same data.
 *
 * @example
 * ```ts
 * import type { DataFingerprint } from "./manifest.ts";
 * const f: DataFingerprint = { algorithm: "sha256", sha256: "ab", interactions: 3, users: 2, items: 2 };
 * console.log(f.interactions); // 3
 * ```
 */
export interface DataFingerprint {
  /** Always "sha256". */
  readonly algorithm: "sha256";
  /** Lowercase hex digest (see {@linkcode fingerprintDataset} for what is hashed). */
  readonly sha256: string;
  /** Number of interactions hashed. */
  readonly interactions: number;
  /** Number of users in the table. */
  readonly users: number;
  /** Number of items in the table. */
  readonly items: number;
}

/**
 * A file of a model folder as the manifest records it.
 *
 * @example
 * ```ts
 * import type { ModelFileEntry } from "./manifest.ts";
 * const e: ModelFileEntry = { name: "model.safetensors", bytes: 1024, sha256: "ab" };
 * console.log(e.name); // "model.safetensors"
 * ```
 */
export interface ModelFileEntry {
  /** File name inside the model folder. */
  readonly name: string;
  /** Size in bytes. */
  readonly bytes: number;
  /** Lowercase hex sha256 of the content. */
  readonly sha256: string;
}

/**
 * The content of `manifest.json`.
 *
 * @example
 * ```ts
 * import { MODEL_FORMAT_VERSION, type ModelManifest } from "./manifest.ts";
 * const m: ModelManifest = {
 *   formatVersion: MODEL_FORMAT_VERSION, createdAt: "2026-01-01T00:00:00.000Z", hwerVersion: "0.1.0",
 *   config: {}, idMaps: { users: [], items: [] }, tables: {}, metrics: {},
 *   dataFingerprint: { algorithm: "sha256", sha256: "", interactions: 0, users: 0, items: 0 },
 *   files: [],
 * };
 * console.log(m.formatVersion); // 1
 * ```
 */
export interface ModelManifest {
  /** Manifest format version ({@linkcode MODEL_FORMAT_VERSION} when written). */
  readonly formatVersion: number;
  /** ISO 8601 time of writing. */
  readonly createdAt: string;
  /** The hwer version that wrote it. */
  readonly hwerVersion: string;
  /** The model's configuration (free JSON, owned by the model). */
  readonly config: JsonValue;
  /** Original ids of every dense user and item index. */
  readonly idMaps: { readonly users: readonly string[]; readonly items: readonly string[] };
  /** Small named tables (free JSON), e.g. the α tables of the blend. */
  readonly tables: { readonly [name: string]: JsonValue };
  /** Metric name → value measured at training time (null for NaN or ±∞). */
  readonly metrics: { readonly [name: string]: number | null };
  /** What the model was trained on. */
  readonly dataFingerprint: DataFingerprint;
  /** Every other file of the folder with its size and sha256. */
  readonly files: readonly ModelFileEntry[];
}

/**
 * The parts of a manifest the caller supplies; version, hwer version,
 * creation time and the file list are filled in by {@linkcode saveModelFiles}.
 *
 * @example
 * ```ts
 * import type { ModelManifestInput } from "./manifest.ts";
 * const input: ModelManifestInput = {
 *   config: { dim: 32 },
 *   idMaps: { users: ["a"], items: ["x"] },
 *   dataFingerprint: { algorithm: "sha256", sha256: "", interactions: 0, users: 1, items: 1 },
 *   metrics: { "ndcg@10": 0.25 },
 * };
 * console.log(input.metrics?.["ndcg@10"]); // 0.25
 * ```
 */
export interface ModelManifestInput {
  /** See {@linkcode ModelManifest.config}. */
  readonly config: JsonValue;
  /** See {@linkcode ModelManifest.idMaps}. */
  readonly idMaps: { readonly users: readonly string[]; readonly items: readonly string[] };
  /** See {@linkcode ModelManifest.tables} (default `{}`). */
  readonly tables?: { readonly [name: string]: JsonValue };
  /** See {@linkcode ModelManifest.metrics}; NaN and ±∞ are stored as null (default `{}`). */
  readonly metrics?: { readonly [name: string]: number | null };
  /** See {@linkcode ModelManifest.dataFingerprint}. */
  readonly dataFingerprint: DataFingerprint;
  /** Overrides the creation time (ISO 8601), e.g. for reproducible files in tests. */
  readonly createdAt?: string;
}

/**
 * What {@linkcode saveModelFiles} writes.
 *
 * @example
 * ```ts
 * import type { ModelFilesToSave } from "./manifest.ts";
 * const files: ModelFilesToSave = {
 *   manifest: {
 *     config: {}, idMaps: { users: [], items: [] },
 *     dataFingerprint: { algorithm: "sha256", sha256: "", interactions: 0, users: 0, items: 0 },
 *   },
 *   tensors: {},
 *   extraFiles: { "fasttext.bin": new Uint8Array(4) },
 * };
 * console.log(Object.keys(files.extraFiles ?? {})); // ["fasttext.bin"]
 * ```
 */
export interface ModelFilesToSave {
  /** The manifest fields the model owns. */
  readonly manifest: ModelManifestInput;
  /** Tensors for `model.safetensors` (name → shape and typed array). */
  readonly tensors: Readonly<Record<string, StoredTensor>>;
  /** Other files by name (letters, digits, `.`, `_`, `-`), e.g. `{"fasttext.bin": bytes}`. */
  readonly extraFiles?: Readonly<Record<string, Uint8Array>>;
}

/**
 * What {@linkcode loadModelFiles} returns, every file verified.
 *
 * @example
 * ```ts ignore
 * import { loadModelFiles } from "./manifest.ts";
 * const { manifest, tensors, extraFiles } = await loadModelFiles("models/ml-100k");
 * console.log(manifest.config, Object.keys(tensors), Object.keys(extraFiles));
 * ```
 */
export interface LoadedModelFiles {
  /** The folder loaded from. */
  readonly dir: string;
  /** The verified manifest. */
  readonly manifest: ModelManifest;
  /** The tensors of `model.safetensors`. */
  readonly tensors: Record<string, DecodedTensor>;
  /** The bytes of every other file the manifest lists. */
  readonly extraFiles: Record<string, Uint8Array>;
}

/** Where the manifest's own checksum lives in the JSON; not part of {@linkcode ModelManifest}. */
const CHECKSUM_KEY = "manifestSha256";
const SAFE_FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Lowercase hex sha256 of bytes.
 *
 * @param bytes the data
 * @returns 64 hex digits
 * @example
 * ```ts
 * import { sha256Hex } from "./manifest.ts";
 * console.log(sha256Hex(new Uint8Array(0)).slice(0, 8)); // "e3b0c442"
 * ```
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Fingerprints a dataset's interactions: sha256 over a short text header
 * (`hwer-interactions-v1`, the counts, and which optional arrays exist)
 * followed by the raw little-endian bytes of the `user`, `item`, `rating`
 * and `timestamp` arrays, in that order. The same interactions in the same
 * order and id space always give the same digest.
 *
 * @param dataset the training data (e.g. `split.train`)
 * @returns the fingerprint with counts
 * @example
 * ```ts
 * import { datasetFromTriples } from "../data/dataset.ts";
 * import { fingerprintDataset } from "./manifest.ts";
 * const a = fingerprintDataset(datasetFromTriples("a", [["u", "i", 5]]));
 * const b = fingerprintDataset(datasetFromTriples("b", [["u", "i", 4]]));
 * console.log(a.interactions, a.sha256 === b.sha256); // 1 false
 * ```
 */
export function fingerprintDataset(dataset: Dataset): DataFingerprint {
  const x = dataset.interactions;
  const users = dataset.users.ids.length;
  const items = dataset.items.ids.length;
  const hash = createHash("sha256");
  hash.update(
    `hwer-interactions-v1 n=${x.length} users=${users} items=${items} ` +
      `rating=${x.rating !== null} timestamp=${x.timestamp !== null}\n`,
  );
  for (const array of [x.user, x.item, x.rating, x.timestamp]) {
    // Only the first `length` entries count: builders may hand over longer buffers.
    if (array) hash.update(bytesOf(array.subarray(0, x.length)));
  }
  return { algorithm: "sha256", sha256: hash.digest("hex"), interactions: x.length, users, items };
}

/**
 * Saves a model folder: creates `dir` if needed, writes `model.safetensors`,
 * then every extra file, then `manifest.json` last, each atomically. A
 * reader that finds a manifest therefore finds every file it lists; a crash
 * part-way leaves the previous manifest, which then fails verification
 * rather than loading mixed files.
 *
 * @param dir the model folder
 * @param files manifest fields, tensors and extra files
 * @returns the manifest as written
 * @throws {TypeError} on a bad extra file name or a tensor whose shape does not match its data
 * @example
 * ```ts
 * import { saveModelFiles } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * const manifest = await saveModelFiles(dir, {
 *   manifest: {
 *     config: {}, idMaps: { users: [], items: ["x"] },
 *     dataFingerprint: { algorithm: "sha256", sha256: "", interactions: 0, users: 0, items: 1 },
 *   },
 *   tensors: { bias: { shape: [1], data: Float32Array.of(0.5) } },
 *   extraFiles: { "fasttext.bin": new Uint8Array([1, 2, 3]) },
 * });
 * console.log(manifest.files.map((f) => `${f.name} ${f.bytes}`)); // ["model.safetensors 124", "fasttext.bin 3"]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveModelFiles(dir: string, files: ModelFilesToSave): Promise<ModelManifest> {
  const extras = Object.entries(files.extraFiles ?? {});
  for (const [name, bytes] of extras) {
    if (!SAFE_FILE_NAME.test(name) || name === MANIFEST_FILE_NAME || name === TENSORS_FILE_NAME) {
      throw new TypeError(
        `extra file name ${
          JSON.stringify(name)
        } is not allowed: use letters, digits, ".", "_", "-" ` +
          `and neither ${MANIFEST_FILE_NAME} nor ${TENSORS_FILE_NAME}`,
      );
    }
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`extra file ${JSON.stringify(name)} must be a Uint8Array`);
    }
  }
  const tensorBytes = encodeSafetensors(files.tensors, {
    format: "hwer",
    formatVersion: String(MODEL_FORMAT_VERSION),
  });
  await Deno.mkdir(dir, { recursive: true });
  const entries: ModelFileEntry[] = [];
  for (const [name, bytes] of [[TENSORS_FILE_NAME, tensorBytes] as const, ...extras]) {
    await atomicWriteFile(join(dir, name), bytes);
    entries.push({ name, bytes: bytes.length, sha256: sha256Hex(bytes) });
  }
  const input = files.manifest;
  const manifest: ModelManifest = {
    formatVersion: MODEL_FORMAT_VERSION,
    createdAt: input.createdAt ?? new Date().toISOString(),
    hwerVersion: HWER_VERSION,
    config: input.config,
    idMaps: { users: [...input.idMaps.users], items: [...input.idMaps.items] },
    tables: input.tables ?? {},
    metrics: Object.fromEntries(
      Object.entries(input.metrics ?? {}).map(([name, v]) => [name, finiteOrNull(v)]),
    ),
    dataFingerprint: input.dataFingerprint,
    files: entries,
  };
  await atomicWriteFile(join(dir, MANIFEST_FILE_NAME), manifestText(manifest));
  return manifest;
}

/**
 * Loads a model folder and verifies it: the manifest parses, has a format
 * version this hwer reads, matches its own checksum and has every required
 * field; every listed file exists with the recorded size and sha256; and
 * `model.safetensors` decodes. Any failure throws a {@linkcode ModelFileError}
 * naming the file and the problem.
 *
 * @param dir the model folder
 * @returns the manifest, the tensors and the extra files' bytes
 * @throws {ModelFileError} on a missing, truncated, edited or malformed file, or a newer format
 * @example
 * ```ts ignore
 * import { loadModelFiles, ModelFileError } from "./manifest.ts";
 * try {
 *   const { manifest } = await loadModelFiles("models/ml-100k");
 *   console.log(manifest.hwerVersion);
 * } catch (e) {
 *   if (e instanceof ModelFileError) console.error(`${e.file}: ${e.problem}`);
 * }
 * ```
 */
export async function loadModelFiles(dir: string): Promise<LoadedModelFiles> {
  const manifestPath = join(dir, MANIFEST_FILE_NAME);
  let text: string;
  try {
    text = await Deno.readTextFile(manifestPath);
  } catch (e) {
    const problem = e instanceof Deno.errors.NotFound
      ? "not found: the folder is not a saved hwer model (or saving did not finish)"
      : `cannot read (${messageOf(e)})`;
    throw new ModelFileError(manifestPath, problem, { cause: e });
  }
  const manifest = parseManifest(text, manifestPath);

  let tensors: Record<string, DecodedTensor> | undefined;
  const extraFiles: Record<string, Uint8Array> = {};
  for (const entry of manifest.files) {
    const path = join(dir, entry.name);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      const problem = e instanceof Deno.errors.NotFound
        ? `missing, but ${MANIFEST_FILE_NAME} lists it`
        : `cannot read (${messageOf(e)})`;
      throw new ModelFileError(path, problem, { cause: e });
    }
    if (bytes.length !== entry.bytes) {
      throw new ModelFileError(
        path,
        `${bytes.length} bytes, but ${MANIFEST_FILE_NAME} says ${entry.bytes} ` +
          `(${bytes.length < entry.bytes ? "truncated" : "replaced or appended to"})`,
      );
    }
    const digest = sha256Hex(bytes);
    if (digest !== entry.sha256) {
      throw new ModelFileError(
        path,
        `sha256 ${digest.slice(0, 12)}… differs from ${entry.sha256.slice(0, 12)}… in ` +
          `${MANIFEST_FILE_NAME}: the file was edited or corrupted after saving`,
      );
    }
    if (entry.name === TENSORS_FILE_NAME) tensors = decodeSafetensors(bytes, path).tensors;
    else extraFiles[entry.name] = bytes;
  }
  if (!tensors) {
    throw new ModelFileError(manifestPath, `lists no ${TENSORS_FILE_NAME}`);
  }
  return { dir, manifest, tensors, extraFiles };
}

/**
 * Parses and validates the text of a `manifest.json`.
 *
 * @param text the file's content
 * @param source the file name for error messages
 * @returns the manifest
 * @throws {ModelFileError} on bad JSON, a wrong checksum, an unknown version or a missing field
 * @example
 * ```ts
 * import { ModelFileError, parseManifest } from "./manifest.ts";
 * try {
 *   parseManifest('{"formatVersion": 99}', "manifest.json");
 * } catch (e) {
 *   console.log(e instanceof ModelFileError); // true
 * }
 * ```
 */
export function parseManifest(text: string, source: string = MANIFEST_FILE_NAME): ModelManifest {
  const fail = (problem: string): never => {
    throw new ModelFileError(source, problem);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(`not valid JSON (${messageOf(e)}); the file is truncated or was edited by hand`);
  }
  if (!isObject(raw)) return fail("not a JSON object");
  const version = raw.formatVersion;
  if (!Number.isInteger(version)) {
    return fail("has no integer formatVersion: not a hwer model manifest");
  }
  if ((version as number) > MODEL_FORMAT_VERSION) {
    fail(
      `format version ${version} is newer than this hwer (${HWER_VERSION}) reads ` +
        `(up to ${MODEL_FORMAT_VERSION}); upgrade hwer`,
    );
  }
  if ((version as number) < 1) fail(`format version ${version} is not a valid version`);
  const { [CHECKSUM_KEY]: checksum, ...rest } = raw;
  if (typeof checksum !== "string") fail(`has no ${CHECKSUM_KEY}`);
  if (sha256Hex(new TextEncoder().encode(canonicalJson(rest))) !== checksum) {
    fail(`${CHECKSUM_KEY} does not match the content: the manifest was edited after saving`);
  }

  const field = (name: string, ok: (v: unknown) => boolean, what: string) => {
    if (!ok(rest[name])) fail(`field ${name} is missing or not ${what}`);
    return rest[name];
  };
  field("createdAt", (v) => typeof v === "string", "a string");
  field("hwerVersion", (v) => typeof v === "string", "a string");
  field("config", (v) => v !== undefined, "JSON");
  field(
    "idMaps",
    (v) => isObject(v) && isStringArray(v.users) && isStringArray(v.items),
    "{users: string[], items: string[]}",
  );
  field("tables", isObject, "an object");
  field(
    "metrics",
    (v) => isObject(v) && Object.values(v).every((m) => m === null || typeof m === "number"),
    "an object of numbers",
  );
  field(
    "dataFingerprint",
    (v) => isObject(v) && v.algorithm === "sha256" && typeof v.sha256 === "string",
    "a sha256 fingerprint",
  );
  const files = field("files", Array.isArray, "a list") as unknown[];
  const seen = new Set<string>();
  for (const entry of files) {
    if (
      !isObject(entry) || typeof entry.name !== "string" || !Number.isSafeInteger(entry.bytes) ||
      typeof entry.sha256 !== "string"
    ) {
      return fail(`files has an entry that is not {name, bytes, sha256}: ${JSON.stringify(entry)}`);
    }
    // A manifest must not make hwer read outside its folder.
    if (!SAFE_FILE_NAME.test(entry.name) || entry.name === MANIFEST_FILE_NAME) {
      fail(`files lists ${JSON.stringify(entry.name)}, which is not a plain file name`);
    }
    if (seen.has(entry.name)) fail(`files lists ${JSON.stringify(entry.name)} twice`);
    seen.add(entry.name);
  }
  return rest as unknown as ModelManifest;
}

/** The manifest as written: pretty JSON with its checksum as the last field. */
function manifestText(manifest: ModelManifest): string {
  const checksum = sha256Hex(new TextEncoder().encode(canonicalJson(manifest)));
  return JSON.stringify({ ...manifest, [CHECKSUM_KEY]: checksum }, null, 2) + "\n";
}

/** Compact JSON in insertion order: whitespace edits do not change it, value edits do. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value);
}

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function finiteOrNull(value: number | null): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
