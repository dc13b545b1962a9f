import assert from "node:assert/strict";
import {
  DataFormatError,
  loadMovieLens100k,
  loadMovieLensLatestSmall,
} from "../../src/data/mod.ts";
import type { Dataset } from "../../src/data/types.ts";
import { entityFeatures } from "../../src/content/features.ts";
import {
  entityDocument,
  entityDocuments,
  FastTextModel,
  loadWordVectors,
  meanWordVectors,
  parseWordVectors,
  planEntityDocuments,
  TextEmbedder,
  trainTextEmbeddings,
} from "../../src/content/text.ts";
import type { TextTrainingProgress } from "../../src/content/text.ts";
import { Rng } from "../../src/util/random.ts";

const ML_100K = new URL("../../../shared/data/ml-100k/", import.meta.url);
const ML_SMALL = new URL("../../../shared/data/ml-latest-small/", import.meta.url);

let ml100k: Dataset | undefined;
async function ml100kData(): Promise<Dataset> {
  return ml100k ??= await loadMovieLens100k(ML_100K);
}

function titleIndex(ds: Dataset, title: string): number {
  const column = ds.items.columns.find((c) => c.name === "title");
  assert.ok(column?.kind === "text");
  const i = column.values.indexOf(title);
  assert.ok(i >= 0, `no item titled ${title}`);
  return i;
}

function cosine(v: Float32Array, dims: number, a: number, b: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < dims; d++) {
    const x = v[a * dims + d];
    const y = v[b * dims + d];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "hwer_text_test_" });
}

// ------------------------------------------------------------------ documents

Deno.test("entityDocuments() builds title, genre and year tokens for ML-100K items", async () => {
  const ds = await ml100kData();
  const plan = planEntityDocuments(ds.items);
  assert.deepEqual(plan.columns, [
    { name: "title", kind: "text", role: "words" },
    { name: "year", kind: "numeric", role: "year" },
    { name: "genres", kind: "multiCategorical", role: "categories" },
  ]);
  const docs = entityDocuments(ds.items, plan);
  assert.equal(docs.length, 1682);
  assert.equal(
    docs[titleIndex(ds, "Star Wars")],
    "star wars year:1977 year:1970s genres:action genres:adventure genres:romance genres:sci_fi genres:war",
  );
  assert.equal(
    docs[0],
    "toy story year:1995 year:1990s genres:animation genres:childrens genres:comedy",
  );
  // users: gender and occupation; zip is id-like and age is not a year
  const users = entityDocuments(ds.users);
  assert.equal(users[0], "gender:m occupation:technician");
});

Deno.test("entityDocuments() on ml-latest-small uses tags and skips imdbId/tmdbId", async () => {
  const ds = await loadMovieLensLatestSmall(ML_SMALL);
  const plan = planEntityDocuments(ds.items);
  assert.deepEqual(plan.columns.map((c) => c.name), ["title", "year", "genres", "tags"]);
  const docs = entityDocuments(ds.items, plan);
  assert.equal(
    docs[0],
    "toy story year:1995 year:1990s genres:adventure genres:animation genres:children genres:comedy " +
      "genres:fantasy pixar fun",
  );
});

Deno.test("entityDocument() matches entityDocuments() rows and handles new entities", async () => {
  const ds = await ml100kData();
  const plan = planEntityDocuments(ds.items);
  const docs = entityDocuments(ds.items, plan);
  for (const row of [0, 49, 1681]) {
    assert.equal(entityDocument(entityFeatures(ds.items, row), plan), docs[row]);
  }
  assert.equal(
    entityDocument(
      { title: "Amélie", year: 2001.4, genres: ["Comedy", "Romance"], other: 1 },
      plan,
    ),
    "amélie year:2001 year:2000s genres:comedy genres:romance",
  );
  assert.equal(entityDocument({}, plan), "");
  assert.throws(() => planEntityDocuments(ds.items, { columns: ["nope"] }), /no column "nope"/);
  assert.throws(
    () => planEntityDocuments(ds.users, { columns: ["age"] }),
    /"age" can only be used as a year/,
  );
  assert.throws(
    () => planEntityDocuments(ds.users, { yearColumns: ["gender"] }),
    /"gender" is not numeric/,
  );
});

// ------------------------------------------------------------------ fastText

Deno.test("FastTextModel.train() is deterministic for a seed and differs across seeds", async () => {
  const ds = await ml100kData();
  const docs = entityDocuments(ds.items);
  const options = { dims: 16, epochs: 3, buckets: 20_000 };
  const a = await FastTextModel.train(docs, { ...options, seed: 5 });
  const b = await FastTextModel.train(docs, { ...options, seed: 5 });
  const c = await FastTextModel.train(docs, { ...options, seed: 6 });
  const va = a.sentenceVectors(docs);
  assert.deepEqual(va, b.sentenceVectors(docs));
  assert.notDeepEqual(va, c.sentenceVectors(docs));
  assert.equal(va.length, 1682 * 16);
  assert.ok(va.every(Number.isFinite));
  for (const m of [a, b, c]) m.dispose();
  assert.throws(() => a.sentenceVector("star wars"), /disposed/);
});

Deno.test("trainTextEmbeddings() puts related ML-100K titles closer than unrelated ones", async () => {
  const ds = await ml100kData();
  const { vectors, dims, rows, embedder } = await trainTextEmbeddings(ds.items, {
    dims: 24,
    epochs: 10,
    seed: 1,
  });
  assert.equal(rows, 1682);
  const starWars = titleIndex(ds, "Star Wars");
  const jedi = titleIndex(ds, "Return of the Jedi");
  const empire = titleIndex(ds, "Empire Strikes Back, The");
  const sense = titleIndex(ds, "Sense and Sensibility");
  assert.ok(cosine(vectors, dims, starWars, jedi) > cosine(vectors, dims, starWars, sense) + 0.5);
  assert.ok(cosine(vectors, dims, starWars, empire) > cosine(vectors, dims, starWars, sense) + 0.5);
  // Over random pairs, films that share a genre are clearly more alike than films that share none.
  const genres = ds.items.columns.find((c) => c.name === "genres");
  assert.ok(genres?.kind === "multiCategorical");
  const rng = new Rng(11);
  let shared = 0, sharedN = 0, apart = 0, apartN = 0;
  for (let k = 0; k < 4000; k++) {
    const a = rng.int(rows), b = rng.int(rows);
    if (a === b) continue;
    const c = cosine(vectors, dims, a, b);
    if (genres.values[a].some((g) => genres.values[b].includes(g))) (shared += c, sharedN++);
    else (apart += c, apartN++);
  }
  assert.ok(shared / sharedN > apart / apartN + 0.15, `${shared / sharedN} vs ${apart / apartN}`);
  // A new item (cold start) with title words never seen lands near its genre mates.
  const fresh = embedder.embed({
    title: "Starfleet Odyssey",
    genres: ["Sci-Fi", "Action"],
    year: 1996,
  });
  const withFresh = new Float32Array([...vectors, ...fresh]);
  assert.ok(
    cosine(withFresh, dims, rows, starWars) > cosine(withFresh, dims, rows, sense) + 0.3,
    `${cosine(withFresh, dims, rows, starWars)} vs ${cosine(withFresh, dims, rows, sense)}`,
  );
});

Deno.test("trainTextEmbeddings() with center: false returns the raw sentence vectors", async () => {
  const items = {
    ids: ["a", "b", "c"],
    index: new Map([["a", 0], ["b", 1], ["c", 2]]),
    columns: [{
      kind: "text" as const,
      name: "title",
      values: ["red apple", "green apple", "red car"],
    }],
  };
  const raw = await trainTextEmbeddings(items, {
    dims: 8,
    epochs: 2,
    buckets: 1000,
    center: false,
  });
  assert.equal(raw.embedder.mean, null);
  assert.deepEqual(raw.vectors, raw.embedder.model.sentenceVectors(raw.documents));
  assert.equal(JSON.parse(JSON.stringify(raw.embedder)).mean, null);
  const centred = await trainTextEmbeddings(items, { dims: 8, epochs: 2, buckets: 1000 });
  for (let d = 0; d < 8; d++) {
    const sum = centred.vectors[d] + centred.vectors[8 + d] + centred.vectors[16 + d];
    assert.ok(Math.abs(sum) < 1e-5, `column ${d} sums to ${sum}`);
  }
  await assert.rejects(
    () => trainTextEmbeddings({ ...items, columns: [] }),
    /no column to build documents from/,
  );
});

Deno.test("FastTextModel save → load gives identical vectors; the embedder round-trips through JSON", async () => {
  const ds = await ml100kData();
  const text = await trainTextEmbeddings(ds.items, {
    dims: 16,
    epochs: 2,
    seed: 3,
    buckets: 20_000,
  });
  const dir = await tempDir();
  try {
    const path = `${dir}/items.bin`;
    await text.embedder.model.save(path);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["items.bin"]); // no temp file left
    const loaded = await FastTextModel.load(path);
    assert.equal(loaded.dims, 16);
    assert.deepEqual(
      loaded.sentenceVectors(text.documents),
      text.embedder.model.sentenceVectors(text.documents),
    );
    assert.deepEqual(loaded.wordVector("jedi"), text.embedder.model.wordVector("jedi"));
    const embedder = TextEmbedder.fromJSON(JSON.parse(JSON.stringify(text.embedder)), loaded);
    assert.deepEqual(embedder.embedTable(ds.items), text.vectors);
    const row = titleIndex(ds, "Fargo");
    assert.deepEqual(
      embedder.embed(entityFeatures(ds.items, row)),
      text.vectors.slice(row * 16, row * 16 + 16),
    );
    assert.throws(
      () =>
        TextEmbedder.fromJSON({ ...JSON.parse(JSON.stringify(text.embedder)), dims: 8 }, loaded),
      /dims 8 differ/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FastTextModel.fromBytes() rejects foreign and truncated files with the file name", async () => {
  const model = await FastTextModel.train(["a b c d", "b c d e", "x y z a"], {
    dims: 4,
    epochs: 1,
    buckets: 100,
  });
  const bytes = model.toBytes();
  assert.equal((await FastTextModel.fromBytes(bytes)).dims, 4);
  await assert.rejects(() => FastTextModel.fromBytes(new Uint8Array(100), "zeros.bin"), (e) => {
    assert.ok(e instanceof DataFormatError);
    assert.match(e.message, /^zeros\.bin:0: not a fastText model: magic number 0/);
    return true;
  });
  for (const cut of [6, 120, bytes.length - 4]) {
    await assert.rejects(
      () => FastTextModel.fromBytes(bytes.slice(0, cut), "cut.bin"),
      /cut\.bin:0: truncated fastText model/,
    );
  }
  const longer = new Uint8Array(bytes.length + 3);
  longer.set(bytes);
  await assert.rejects(
    () => FastTextModel.fromBytes(longer, "long.bin"),
    /3 bytes after its output matrix/,
  );
  await assert.rejects(() => FastTextModel.load("/nonexistent/model.bin"), Deno.errors.NotFound);
});

Deno.test("FastTextModel.train() reports progress by phase and validates its input", async () => {
  const ds = await ml100kData();
  const docs = entityDocuments(ds.items);
  const events: TextTrainingProgress[] = [];
  await FastTextModel.train(docs, {
    dims: 8,
    epochs: 3,
    buckets: 10_000,
    onProgress: (p) => events.push(p),
  });
  assert.equal(events[0].phase, "prepare");
  assert.equal(events.at(-1)!.phase, "done");
  const training = events.filter((e) => e.phase === "train");
  assert.ok(training.length >= 10, `${training.length} train events`);
  for (let i = 1; i < training.length; i++) {
    assert.ok(training[i].progress >= training[i - 1].progress);
  }
  assert.deepEqual([...new Set(training.map((e) => e.epoch))], [1, 2, 3]);
  assert.ok(training.some((e) => e.loss > 0), "fastText reported a loss");
  assert.ok(events.at(-1)!.loss > 0 && events.at(-1)!.loss < 10);

  await assert.rejects(() => FastTextModel.train([], {}), /no word occurs at least minCount=1/);
  await assert.rejects(() => FastTextModel.train(["a b", "c"], { minCount: 2 }), /minCount=2/);
  await assert.rejects(() => FastTextModel.train(["a\nb"]), /document 0 contains a line break/);
  await assert.rejects(
    () => FastTextModel.train(["a"], { dims: 0 }),
    /dims must be a positive integer/,
  );
  await assert.rejects(() => FastTextModel.train(["a"], { minn: 4, maxn: 3 }), /minn ≤ maxn/);
});

// ------------------------------------------------------------------ .vec files

const TINY_VEC = "3 2\nstar 1 0 \nwars 0 2\nsci 3 4\n";

Deno.test("parseWordVectors() reads word2vec text; loadWordVectors() reads the same from a file", async () => {
  const v = parseWordVectors(TINY_VEC, "tiny.vec");
  assert.deepEqual(v.words, ["star", "wars", "sci"]);
  assert.equal(v.dims, 2);
  assert.deepEqual(Array.from(v.data), [1, 0, 0, 2, 3, 4]);
  assert.equal(v.index.get("sci"), 2);
  assert.deepEqual(parseWordVectors(TINY_VEC, "tiny.vec", { maxWords: 2 }).words, ["star", "wars"]);
  const repeated = parseWordVectors("2 1\na 1\na 2\n");
  assert.deepEqual([repeated.words, Array.from(repeated.data)], [["a"], [1]]);
  const dir = await tempDir();
  try {
    await Deno.writeTextFile(`${dir}/tiny.vec`, TINY_VEC.replaceAll("\n", "\r\n"));
    assert.deepEqual(await loadWordVectors(`${dir}/tiny.vec`), v);
    assert.deepEqual((await loadWordVectors(`${dir}/tiny.vec`, { maxWords: 1 })).words, ["star"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseWordVectors() names file, line and value of malformed input", () => {
  const bad = (text: string, pattern: RegExp) => {
    assert.throws(() => parseWordVectors(text, "bad.vec"), (e) => {
      assert.ok(e instanceof DataFormatError, String(e));
      assert.match(e.message, pattern);
      return true;
    });
  };
  bad("", /^bad\.vec:0: empty file/);
  bad("3\nstar 1\n", /^bad\.vec:1: the header must be "<count> <dims>".*"3"/);
  bad("2 x\n", /^bad\.vec:1: the header/);
  bad(
    "2 2\nstar 1 0\nwars 0\n",
    /^bad\.vec:3: expected a word and 2 numbers, found 2 fields: "wars 0"/,
  );
  bad(
    "2 2\nstar 1 0\nwars 0 abc\n",
    /^bad\.vec:3: component 2 of "wars" is not a finite number: "abc"/,
  );
  bad("2 2\nstar 1 NaN\n", /^bad\.vec:2: component 2 of "star" is not a finite number: "NaN"/);
  bad(
    "3 2\nstar 1 0\nwars 0 1\n",
    /^bad\.vec:\d+: the header promises 3 vectors, the file ends after 2/,
  );
  bad("1 2\nstar 1 0\nwars 0 1\n", /^bad\.vec:3: more vectors than the header's 1: "wars 0 1"/);
});

Deno.test("meanWordVectors() averages unit vectors, splits category tokens and counts OOV", () => {
  const v = parseWordVectors(TINY_VEC);
  const r = meanWordVectors(["star wars", "genres:sci_fi unknown", "nothing here", "Star"], v);
  assert.equal(r.rows, 4);
  // star → (1, 0), wars → (0, 1) after normalising: mean (0.5, 0.5)
  assert.deepEqual(Array.from(r.vectors.subarray(0, 2)), [0.5, 0.5]);
  // genres:sci_fi → sci (0.6, 0.8); "fi" and "unknown" have no vector
  assertAlmost(Array.from(r.vectors.subarray(2, 4)), [0.6, 0.8]);
  assert.deepEqual(Array.from(r.vectors.subarray(4, 6)), [0, 0]);
  assert.equal(r.emptyRows, 2); // "nothing here" and "Star" (lookup is as-is, then capitalised)
  assert.equal(r.missingTokens, 4); // unknown, nothing, here, Star
  // a cased vocabulary: "star" finds "Star"
  const cased = parseWordVectors("1 2\nStar 0 3\n");
  assert.deepEqual(Array.from(meanWordVectors(["star"], cased).vectors), [0, 1]);
});

function assertAlmost(actual: number[], expected: number[]) {
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) < 1e-6, `${actual} vs ${expected}`));
}

Deno.test("FastTextModel trains with no permissions (the wasm comes through the module graph)", async () => {
  const textModule = new URL("../../src/content/text.ts", import.meta.url).href;
  const script = `import { FastTextModel } from ${JSON.stringify(textModule)};
const model = await FastTextModel.train(["a b c", "b c d"], { dims: 4, epochs: 1, buckets: 100 });
console.log(model.sentenceVector("a b").length);`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-lock", "--no-prompt", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stdout).trim(), "4");
});
