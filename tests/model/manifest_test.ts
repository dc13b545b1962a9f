import assert from "node:assert/strict";
import { datasetFromTriples } from "../../src/data/dataset.ts";
import { loadMovieLens100k } from "../../src/data/movielens.ts";
import {
  fingerprintDataset,
  HWER_VERSION,
  loadModelFiles,
  MANIFEST_FILE_NAME,
  MODEL_FORMAT_VERSION,
  type ModelFilesToSave,
  parseManifest,
  saveModelFiles,
  sha256Hex,
  TENSORS_FILE_NAME,
} from "../../src/model/manifest.ts";
import { encodeSafetensors, ModelFileError } from "../../src/model/safetensors.ts";

const ML_100K = new URL("../../../shared/data/ml-100k", import.meta.url);
const hasMl100k = await Deno.stat(ML_100K).then(() => true, () => false);

function sampleModel(): ModelFilesToSave {
  const train = datasetFromTriples("toy", [["u1", "i1", 5], ["u2", "i2", 3], ["u1", "i2", 4]]);
  return {
    manifest: {
      config: { dim: 2, stages: ["content", "collab"], note: null },
      idMaps: { users: train.users.ids, items: train.items.ids },
      tables: { alpha: { items: [[0, 0.9], [5, 0.5], [20, 0.1]] } },
      metrics: { "ndcg@10": 0.25, auc: NaN },
      dataFingerprint: fingerprintDataset(train),
      createdAt: "2026-12-04T00:00:00.000Z",
    },
    tensors: {
      "item.embedding": { shape: [2, 2], data: Float32Array.of(1, 0, 0.6, 0.8) },
      "user.embedding": { shape: [2, 2], data: Float32Array.of(0, 1, 1, 0) },
      "item.count": { shape: [2], data: Int32Array.of(1, 2) },
    },
    extraFiles: { "fasttext.bin": Uint8Array.from({ length: 300 }, (_, i) => i % 251) },
  };
}

async function withSavedModel(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hwer-model-" });
  try {
    await saveModelFiles(dir, sampleModel());
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function assertLoadFails(dir: string, file: string, pattern: RegExp): Promise<void> {
  await assert.rejects(() => loadModelFiles(dir), (e: unknown) => {
    assert.ok(e instanceof ModelFileError, `expected ModelFileError, got ${e}`);
    assert.equal(e.file, `${dir}/${file}`);
    assert.match(e.problem, pattern);
    assert.equal(e.message, `${dir}/${file}: ${e.problem}`);
    assert.ok(!e.message.includes("\n"), "one line");
    return true;
  });
}

async function rewriteManifest(dir: string, edit: (m: Record<string, unknown>) => void) {
  const path = `${dir}/${MANIFEST_FILE_NAME}`;
  const json = JSON.parse(await Deno.readTextFile(path));
  edit(json);
  // Recompute the checksum, as a careful forger would, to reach the later checks.
  const { manifestSha256: _, ...rest } = json;
  json.manifestSha256 = sha256Hex(new TextEncoder().encode(JSON.stringify(rest)));
  await Deno.writeTextFile(path, JSON.stringify(json));
}

Deno.test("HWER_VERSION matches deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(HWER_VERSION, config.version);
});

Deno.test("saveModelFiles() and loadModelFiles() round-trip a model folder", async () => {
  await withSavedModel(async (dir) => {
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["fasttext.bin", "manifest.json", "model.safetensors"]);
    const loaded = await loadModelFiles(dir);
    const m = loaded.manifest;
    assert.equal(m.formatVersion, MODEL_FORMAT_VERSION);
    assert.equal(m.hwerVersion, HWER_VERSION);
    assert.equal(m.createdAt, "2026-12-04T00:00:00.000Z");
    assert.deepEqual(m.config, { dim: 2, stages: ["content", "collab"], note: null });
    assert.deepEqual(m.idMaps, { users: ["u1", "u2"], items: ["i1", "i2"] });
    assert.deepEqual(m.tables, { alpha: { items: [[0, 0.9], [5, 0.5], [20, 0.1]] } });
    assert.deepEqual(m.metrics, { "ndcg@10": 0.25, auc: null });
    assert.equal(m.dataFingerprint.interactions, 3);
    assert.deepEqual(m.files.map((f) => f.name), [TENSORS_FILE_NAME, "fasttext.bin"]);
    for (const f of m.files) {
      const bytes = await Deno.readFile(`${dir}/${f.name}`);
      assert.equal(f.bytes, bytes.length);
      assert.equal(f.sha256, sha256Hex(bytes));
    }
    assert.deepEqual(
      [...loaded.tensors["item.embedding"].data],
      [1, 0, 0.6, 0.8]
        .map(Math.fround),
    );
    assert.deepEqual(loaded.tensors["item.embedding"].shape, [2, 2]);
    assert.deepEqual([...loaded.tensors["item.count"].data], [1, 2]);
    assert.deepEqual(loaded.extraFiles["fasttext.bin"], sampleModel().extraFiles!["fasttext.bin"]);
  });
});

Deno.test("saveModelFiles() overwrites an earlier save in the same folder", async () => {
  await withSavedModel(async (dir) => {
    const next = sampleModel();
    await saveModelFiles(dir, {
      ...next,
      tensors: { "item.embedding": { shape: [1, 1], data: Float32Array.of(7) } },
      extraFiles: {},
    });
    const loaded = await loadModelFiles(dir);
    assert.deepEqual(Object.keys(loaded.tensors), ["item.embedding"]);
    assert.deepEqual(loaded.extraFiles, {});
  });
});

Deno.test("saveModelFiles() writes the manifest last: a failed save leaves none", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hwer-model-" });
  try {
    await Deno.mkdir(`${dir}/fasttext.bin/blocker`, { recursive: true }); // the extra file cannot be renamed into place
    await assert.rejects(() => saveModelFiles(dir, sampleModel()));
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["fasttext.bin", TENSORS_FILE_NAME]); // no manifest, no temp files
    await assertLoadFails(
      dir,
      MANIFEST_FILE_NAME,
      /not found: the folder is not a saved hwer model/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveModelFiles() refuses unsafe extra file names", async () => {
  for (const name of ["../x", "a/b", ".hidden", "", MANIFEST_FILE_NAME, TENSORS_FILE_NAME]) {
    await assert.rejects(
      () =>
        saveModelFiles("/nonexistent-never-created", {
          ...sampleModel(),
          extraFiles: { [name]: new Uint8Array(1) },
        }),
      /extra file name .* is not allowed/,
      name,
    );
  }
});

Deno.test("loadModelFiles() names a truncated tensor file", async () => {
  await withSavedModel(async (dir) => {
    const path = `${dir}/${TENSORS_FILE_NAME}`;
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 5));
    await assertLoadFails(
      dir,
      TENSORS_FILE_NAME,
      new RegExp(
        `^${bytes.length - 5} bytes, but manifest.json says ${bytes.length} \\(truncated\\)$`,
      ),
    );
  });
});

Deno.test("loadModelFiles() names an edited byte in the tensor data (checksum mismatch)", async () => {
  await withSavedModel(async (dir) => {
    const path = `${dir}/${TENSORS_FILE_NAME}`;
    const bytes = await Deno.readFile(path);
    bytes[bytes.length - 1] ^= 0x01; // same size, one bit of the last tensor changed
    await Deno.writeFile(path, bytes);
    await assertLoadFails(
      dir,
      TENSORS_FILE_NAME,
      /sha256 [0-9a-f]{12}… differs from [0-9a-f]{12}… in manifest.json: the file was edited or corrupted after saving/,
    );
  });
});

Deno.test("loadModelFiles() names an edited or missing extra file", async () => {
  await withSavedModel(async (dir) => {
    const path = `${dir}/fasttext.bin`;
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, Uint8Array.of(...bytes, 0));
    await assertLoadFails(
      dir,
      "fasttext.bin",
      /301 bytes, but manifest.json says 300 \(replaced or appended to\)/,
    );
    await Deno.remove(path);
    await assertLoadFails(dir, "fasttext.bin", /missing, but manifest.json lists it/);
  });
});

Deno.test("loadModelFiles() names a manifest that is not JSON (truncated)", async () => {
  await withSavedModel(async (dir) => {
    const path = `${dir}/${MANIFEST_FILE_NAME}`;
    const text = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, text.slice(0, text.length / 2));
    await assertLoadFails(
      dir,
      MANIFEST_FILE_NAME,
      /^not valid JSON \(.*\); the file is truncated or was edited by hand$/,
    );
  });
});

Deno.test("loadModelFiles() detects an edited manifest value but accepts reformatting", async () => {
  await withSavedModel(async (dir) => {
    const path = `${dir}/${MANIFEST_FILE_NAME}`;
    const json = JSON.parse(await Deno.readTextFile(path));
    await Deno.writeTextFile(path, JSON.stringify(json, null, 4)); // whitespace only
    await loadModelFiles(dir);
    json.idMaps.items[0] = "i9";
    await Deno.writeTextFile(path, JSON.stringify(json));
    await assertLoadFails(
      dir,
      MANIFEST_FILE_NAME,
      /manifestSha256 does not match the content: the manifest was edited after saving/,
    );
  });
});

Deno.test("loadModelFiles() refuses a newer format version and a non-manifest", async () => {
  await withSavedModel(async (dir) => {
    await rewriteManifest(dir, (m) => (m.formatVersion = MODEL_FORMAT_VERSION + 1));
    await assertLoadFails(
      dir,
      MANIFEST_FILE_NAME,
      new RegExp(
        `format version ${
          MODEL_FORMAT_VERSION + 1
        } is newer than this hwer \\(${HWER_VERSION}\\) reads \\(up to ${MODEL_FORMAT_VERSION}\\); upgrade hwer`,
      ),
    );
    await Deno.writeTextFile(`${dir}/${MANIFEST_FILE_NAME}`, '{"hello": "world"}');
    await assertLoadFails(
      dir,
      MANIFEST_FILE_NAME,
      /has no integer formatVersion: not a hwer model manifest/,
    );
  });
});

Deno.test("loadModelFiles() refuses manifests that list unsafe or malformed files", async () => {
  await withSavedModel(async (dir) => {
    await rewriteManifest(
      dir,
      (m) => (m.files as unknown[]).push({ name: "../../etc/passwd", bytes: 1, sha256: "x" }),
    );
    await assertLoadFails(
      dir,
      MANIFEST_FILE_NAME,
      /files lists "..\/..\/etc\/passwd", which is not a plain file name/,
    );
    await rewriteManifest(dir, (m) => (m.files = [{ name: TENSORS_FILE_NAME }]));
    await assertLoadFails(
      dir,
      MANIFEST_FILE_NAME,
      /files has an entry that is not \{name, bytes, sha256\}/,
    );
    await rewriteManifest(dir, (m) => delete m.idMaps);
    await assertLoadFails(
      dir,
      MANIFEST_FILE_NAME,
      /field idMaps is missing or not \{users: string\[\], items: string\[\]\}/,
    );
  });
});

Deno.test("loadModelFiles() reports a malformed tensor file whose checksum was updated", async () => {
  await withSavedModel(async (dir) => {
    // A tensor file with trailing garbage, and a manifest re-signed to match it.
    const bad = Uint8Array.of(
      ...encodeSafetensors({ v: { shape: [1], data: Float32Array.of(1) } }),
      9,
      9,
    );
    await Deno.writeFile(`${dir}/${TENSORS_FILE_NAME}`, bad);
    await rewriteManifest(dir, (m) => {
      (m.files as { name: string; bytes: number; sha256: string }[])[0] = {
        name: TENSORS_FILE_NAME,
        bytes: bad.length,
        sha256: sha256Hex(bad),
      };
    });
    await assertLoadFails(
      dir,
      TENSORS_FILE_NAME,
      /data section has 6 bytes but the tensors cover 4/,
    );
  });
});

Deno.test("parseManifest() names the source in its errors", () => {
  assert.throws(
    () => parseManifest("[]", "x/manifest.json"),
    /^ModelFileError: x\/manifest.json: not a JSON object$/,
  );
});

Deno.test("fingerprintDataset() depends on the interactions, their order and values", () => {
  const a = datasetFromTriples("a", [["u1", "i1", 5], ["u2", "i2", 3]]);
  const same = datasetFromTriples("renamed", [["u1", "i1", 5], ["u2", "i2", 3]]);
  const rating = datasetFromTriples("a", [["u1", "i1", 4], ["u2", "i2", 3]]);
  const order = datasetFromTriples("a", [["u2", "i2", 3], ["u1", "i1", 5]]);
  const implicit = datasetFromTriples("a", [["u1", "i1"], ["u2", "i2"]]);
  const fa = fingerprintDataset(a);
  assert.match(fa.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(fa, { ...fingerprintDataset(same) });
  assert.deepEqual({ ...fa, sha256: "" }, {
    algorithm: "sha256",
    sha256: "",
    interactions: 2,
    users: 2,
    items: 2,
  });
  for (const other of [rating, order, implicit]) {
    assert.notEqual(fingerprintDataset(other).sha256, fa.sha256);
  }
});

Deno.test({
  name: "fingerprintDataset() of ML-100K is stable across loads",
  ignore: !hasMl100k,
  async fn() {
    const first = fingerprintDataset(await loadMovieLens100k(ML_100K));
    const second = fingerprintDataset(await loadMovieLens100k(ML_100K));
    assert.deepEqual(first, second);
    assert.deepEqual([first.interactions, first.users, first.items], [100000, 943, 1682]);
  },
});
