import assert from "node:assert/strict";
import { zipSync } from "npm:fflate@0.8.3";
import {
  DATASET_DESCRIPTORS,
  defaultCacheDir,
  fetchDataset,
  type FetchProgress,
  loadDataset,
} from "../../src/data/mod.ts";

const ML_100K = new URL("../../../shared/data/ml-100k/", import.meta.url);

/** A zip laid out like GroupLens's: every file under "ml-100k/". */
async function buildZip(): Promise<Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for await (const entry of Deno.readDir(ML_100K)) {
    if (entry.isFile) {
      files[`ml-100k/${entry.name}`] = await Deno.readFile(new URL(entry.name, ML_100K));
    }
  }
  return zipSync(files, { level: 1 });
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

const zip = await buildZip();
const sha256 = await sha256Hex(zip);
let requests = 0;
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
  requests++;
  const path = new URL(req.url).pathname;
  if (path === "/ml-100k.zip") return new Response(zip as Uint8Array<ArrayBuffer>);
  return new Response("not found", { status: 404 });
});
const base = `http://127.0.0.1:${server.addr.port}`;
const root = await Deno.makeTempDir({ prefix: "hwer-fetch-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

Deno.test("fetchDataset() downloads, verifies, unzips and then reuses the cache", async () => {
  const cacheDir = `${root}/ok`;
  const events: FetchProgress[] = [];
  const options = {
    cacheDir,
    descriptor: { url: `${base}/ml-100k.zip`, size: zip.length, sha256 },
    onProgress: (p: FetchProgress) => events.push(p),
  };
  const before = requests;
  const dir = await fetchDataset("ml-100k", options);
  assert.equal(dir, `${cacheDir}/ml-100k`);
  assert.equal(requests - before, 1);
  const phases = [...new Set(events.map((e) => e.phase))];
  assert.deepEqual(phases, ["download", "verify", "extract", "done"]);
  const downloads = events.filter((e) => e.phase === "download");
  assert.equal(downloads.at(-1)!.loaded, zip.length);
  assert.equal(downloads.at(-1)!.total, zip.length);
  assert.equal(events.find((e) => e.phase === "verify")!.sha256, sha256);
  assert.deepEqual(
    await Deno.readFile(`${dir}/u.data`),
    await Deno.readFile(new URL("u.data", ML_100K)),
  );
  assert.ok((await Deno.stat(`${cacheDir}/ml-100k.zip`)).isFile);

  events.length = 0;
  const ds = await loadDataset("ml-100k", options);
  assert.equal(requests - before, 1, "the second call uses the cache");
  assert.deepEqual(events.map((e) => e.phase), ["cached"]);
  assert.equal(ds.interactions.length, 100000);
  const leftovers = [...Deno.readDirSync(cacheDir)].map((e) => e.name).sort();
  assert.deepEqual(leftovers, ["ml-100k", "ml-100k.zip"], "no temporary files remain");
});

Deno.test("fetchDataset() re-extracts from a cached zip without downloading", async () => {
  const cacheDir = `${root}/rezip`;
  const options = { cacheDir, descriptor: { url: `${base}/ml-100k.zip`, sha256 } };
  await fetchDataset("ml-100k", options);
  await Deno.remove(`${cacheDir}/ml-100k`, { recursive: true });
  const before = requests;
  const dir = await fetchDataset("ml-100k", options);
  assert.equal(requests, before);
  assert.ok((await Deno.stat(`${dir}/u.item`)).isFile);
});

Deno.test("fetchDataset() rejects a wrong sha256 or size and leaves no cache", async () => {
  const cacheDir = `${root}/bad`;
  await assert.rejects(
    fetchDataset("ml-100k", {
      cacheDir,
      descriptor: { url: `${base}/ml-100k.zip`, sha256: "0".repeat(64) },
    }),
    /sha256 [0-9a-f]{64}, expected 0{64}/,
  );
  await assert.rejects(
    fetchDataset("ml-100k", {
      cacheDir,
      descriptor: { url: `${base}/ml-100k.zip`, size: zip.length + 1 },
    }),
    new RegExp(`size ${zip.length} bytes, expected ${zip.length + 1}`),
  );
  assert.deepEqual([...Deno.readDirSync(cacheDir)], [], "nothing unverified is cached");
});

Deno.test("fetchDataset() survives two concurrent fetches into one cache", async () => {
  const options = { cacheDir: `${root}/race`, descriptor: { url: `${base}/ml-100k.zip`, sha256 } };
  const [a, b] = await Promise.all([
    fetchDataset("ml-100k", options),
    fetchDataset("ml-100k", options),
  ]);
  assert.equal(a, b);
  assert.ok((await Deno.stat(`${a}/u.data`)).isFile);
  const names = [...Deno.readDirSync(`${root}/race`)].map((e) => e.name).sort();
  assert.deepEqual(names, ["ml-100k", "ml-100k.zip"]);
});

Deno.test("fetchDataset() reports HTTP errors", async () => {
  await assert.rejects(
    fetchDataset("ml-100k", {
      cacheDir: `${root}/404`,
      descriptor: { url: `${base}/missing.zip` },
    }),
    /HTTP 404/,
  );
});

Deno.test("fetchDataset() accepts a local folder and checks its files", async () => {
  const events: string[] = [];
  const dir = await fetchDataset("ml-100k", {
    localDir: ML_100K,
    onProgress: (p) => events.push(p.phase),
  });
  assert.ok((await Deno.stat(`${dir}/u.data`)).isFile);
  assert.deepEqual(events, ["local"]);
  await assert.rejects(
    fetchDataset("ml-latest-small", { localDir: ML_100K }),
    /lacks ratings.csv, movies.csv, tags.csv, links.csv/,
  );
});

Deno.test("DATASET_DESCRIPTORS leave the unverified GroupLens checksums unset", () => {
  for (const d of Object.values(DATASET_DESCRIPTORS)) {
    assert.match(d.url, /^https:\/\/files\.grouplens\.org\/datasets\/movielens\/.+\.zip$/);
    assert.equal(d.sha256, undefined);
    assert.equal(d.size, undefined);
  }
  assert.ok(defaultCacheDir().endsWith("hwer") || Deno.env.get("HWER_CACHE"));
});

Deno.test("fetchDataset() caches under $HWER_CACHE by default", async () => {
  const previous = Deno.env.get("HWER_CACHE");
  Deno.env.set("HWER_CACHE", `${root}/env`);
  try {
    assert.equal(defaultCacheDir(), `${root}/env`);
    const dir = await fetchDataset("ml-100k", { descriptor: { url: `${base}/ml-100k.zip` } });
    assert.equal(dir, `${root}/env/ml-100k`);
  } finally {
    if (previous === undefined) Deno.env.delete("HWER_CACHE");
    else Deno.env.set("HWER_CACHE", previous);
  }
});

Deno.test("fetch server shuts down", async () => {
  await server.shutdown();
});
