import assert from "node:assert/strict";
import { DataFormatError, getColumn, loadGenericDataset } from "../../src/data/mod.ts";

const root = await Deno.makeTempDir({ prefix: "hwer-generic-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

async function fixture(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await Deno.makeTempDir({ dir: root });
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === "string") await Deno.writeTextFile(`${dir}/${name}`, content);
    else await Deno.writeFile(`${dir}/${name}`, content);
  }
  return dir;
}

async function assertFormatError(
  promise: Promise<unknown>,
  expected: { file: string; line: number; text: string | RegExp; problem: RegExp },
) {
  const error = await promise.then(
    () => assert.fail("expected a DataFormatError"),
    (e) => e,
  );
  assert.ok(error instanceof DataFormatError, `got ${error}`);
  assert.ok(error.file.endsWith(expected.file), `file ${error.file}`);
  assert.equal(error.line, expected.line);
  if (typeof expected.text === "string") assert.equal(error.text, expected.text);
  else assert.match(error.text, expected.text);
  assert.match(error.message, expected.problem);
  assert.ok(error.message.includes(`${expected.file}:${expected.line}`), error.message);
}

Deno.test("loadGenericDataset() reads interactions, items and users and infers column kinds", async () => {
  const dir = await fixture({
    "ratings.csv": "user,item,rating,timestamp\nu1,a,4,100\nu1,b,2.5,200\nu2,a,5,300\nu3,c,1,400\n",
    "items.csv": [
      "id,title,genres,price,brand",
      'a,"The Big One, Part 2",Action|Comedy,9.5,acme',
      "b,A quiet evening at home,Drama,12,acme",
      "c,Another long title here,Action,,zenith",
      "d,Never rated by anyone,Comedy|Drama,3,acme",
      "",
    ].join("\n"),
    "users.tsv": "user_id\tage\tcity\nu1\t31\tOslo\nu2\t45\tOslo\nu3\t27\tOslo\n",
  });
  const ds = await loadGenericDataset({
    interactions: `${dir}/ratings.csv`,
    items: `${dir}/items.csv`,
    users: `${dir}/users.tsv`,
  });
  assert.equal(ds.name, "ratings");
  assert.deepEqual(ds.items.ids, ["a", "b", "c", "d"]);
  assert.deepEqual(ds.users.ids, ["u1", "u2", "u3"]);
  assert.equal(ds.interactions.length, 4);
  assert.deepEqual(Array.from(ds.interactions.rating!), [4, 2.5, 5, 1]);
  assert.deepEqual(Array.from(ds.interactions.timestamp!), [100, 200, 300, 400]);
  assert.deepEqual(ds.ratingScale, { min: 1, max: 5 });
  assert.deepEqual(
    ds.items.columns.map((c) => [c.name, c.kind]),
    [["title", "text"], ["genres", "multiCategorical"], ["price", "numeric"], [
      "brand",
      "categorical",
    ]],
  );
  const title = getColumn(ds.items, "title");
  assert.equal(title?.kind === "text" && title.values[0], "The Big One, Part 2");
  const price = getColumn(ds.items, "price");
  assert.ok(price?.kind === "numeric" && Number.isNaN(price.values[2]));
  assert.deepEqual(ds.users.columns.map((c) => [c.name, c.kind]), [["age", "numeric"], [
    "city",
    "categorical",
  ]]);
  assert.deepEqual(ds.warnings, []);
});

Deno.test("loadGenericDataset() applies a JSON schema from a file", async () => {
  const dir = await fixture({
    "log.tsv":
      "customer\tsku\tstars\twhen\nc1\ts1\t8\t2024-01-02T00:00:00Z\nc2\ts2\t10\t2024-01-03\n",
    "items.csv": "sku,tags,zip\ns1,red;big,0101\ns2,blue,0202\n",
    "schema.json": JSON.stringify({
      interactions: {
        user: "customer",
        item: "sku",
        rating: "stars",
        timestamp: "when",
        ratingScale: [1, 10],
      },
      items: {
        id: "sku",
        columns: {
          tags: { kind: "multiCategorical", separator: ";" },
          zip: { kind: "categorical" },
        },
      },
    }),
  });
  const ds = await loadGenericDataset({
    interactions: `${dir}/log.tsv`,
    items: `${dir}/items.csv`,
    schema: `${dir}/schema.json`,
    name: "shop",
  });
  assert.equal(ds.name, "shop");
  assert.deepEqual(ds.ratingScale, { min: 1, max: 10 });
  assert.equal(ds.interactions.timestamp![0], Date.UTC(2024, 0, 2) / 1000);
  const tags = getColumn(ds.items, "tags");
  assert.deepEqual(tags?.kind === "multiCategorical" && tags.values[0], ["red", "big"]);
  const zip = getColumn(ds.items, "zip");
  assert.deepEqual(zip?.kind === "categorical" && zip.vocab, ["0101", "0202"]);
});

Deno.test("loadGenericDataset() handles a BOM, CRLF and implicit feedback", async () => {
  const dir = await fixture({ "clicks.csv": "\uFEFFuserId,itemId\r\n1,10\r\n2,10\r\n\r\n" });
  const ds = await loadGenericDataset({ interactions: `${dir}/clicks.csv` });
  assert.equal(ds.interactions.length, 2);
  assert.equal(ds.interactions.rating, null);
  assert.equal(ds.ratingScale, undefined);
  assert.deepEqual(ds.items.ids, ["10"]);
});

Deno.test("loadGenericDataset() reads Latin-1 files with a warning", async () => {
  const latin1 = Uint8Array.from(
    [..."id,title\nx,Caf\u00e9 Ol\u00e9\n"].map((c) => c.charCodeAt(0)),
  );
  const dir = await fixture({ "r.csv": "user,item\nu,x\n", "items.csv": latin1 });
  const ds = await loadGenericDataset({ interactions: `${dir}/r.csv`, items: `${dir}/items.csv` });
  const title = getColumn(ds.items, "title");
  assert.equal(title?.kind === "text" && title.values[0], "Café Olé");
  assert.deepEqual(ds.warnings.map((w) => w.code), ["latin1-fallback"]);
});

Deno.test("loadGenericDataset() keeps the last of duplicate (user, item) pairs and warns", async () => {
  const dir = await fixture({ "r.csv": "user,item,rating\na,x,1\nb,x,2\na,x,5\na,x,4\n" });
  const ds = await loadGenericDataset({ interactions: `${dir}/r.csv` });
  assert.equal(ds.interactions.length, 2);
  assert.deepEqual(Array.from(ds.interactions.rating!), [2, 4]);
  assert.equal(ds.warnings.length, 1);
  assert.equal(ds.warnings[0].code, "duplicate-pair");
  assert.equal(ds.warnings[0].count, 2);
});

Deno.test("loadGenericDataset() adds ids missing from the items file and warns", async () => {
  const dir = await fixture({
    "r.csv": "user,item\nu,x\nu,y\n",
    "items.csv": "id,genre\nx,a\n",
  });
  const ds = await loadGenericDataset({ interactions: `${dir}/r.csv`, items: `${dir}/items.csv` });
  assert.deepEqual(ds.items.ids, ["x", "y"]);
  const genre = getColumn(ds.items, "genre");
  assert.equal(genre?.kind, "text"); // one distinct value of one: inferred as text
  assert.deepEqual(genre?.kind === "text" && genre.values, ["a", ""]);
  assert.deepEqual(ds.warnings.map((w) => [w.code, w.count]), [["unknown-item", 1]]);
});

Deno.test("loadGenericDataset() reports a wrong field count with file, line and text", async () => {
  const dir = await fixture({ "r.csv": "user,item,rating\na,x,1\nb,y\n" });
  await assertFormatError(loadGenericDataset({ interactions: `${dir}/r.csv` }), {
    file: "r.csv",
    line: 3,
    text: "b,y",
    problem: /expected 3 fields, found 2/,
  });
});

Deno.test("loadGenericDataset() rejects non-numeric and NaN ratings", async () => {
  for (const bad of ["abc", "NaN", ""]) {
    const dir = await fixture({ "r.csv": `user,item,rating\na,x,1\n\nb,y,${bad}\n` });
    await assertFormatError(loadGenericDataset({ interactions: `${dir}/r.csv` }), {
      file: "r.csv",
      line: 4,
      text: `b,y,${bad}`,
      problem: /is not a number/,
    });
  }
});

Deno.test("loadGenericDataset() rejects a rating outside the declared scale", async () => {
  const dir = await fixture({ "r.csv": "user,item,rating\na,x,1\nb,y,6\n" });
  await assertFormatError(
    loadGenericDataset({
      interactions: `${dir}/r.csv`,
      schema: { interactions: { ratingScale: [1, 5] } },
    }),
    { file: "r.csv", line: 3, text: "b,y,6", problem: /outside the scale 1\.\.5/ },
  );
});

Deno.test("loadGenericDataset() rejects an empty file and a missing column", async () => {
  const dir = await fixture({
    "empty.csv": "",
    "blank.csv": "\n\r\n",
    "noitem.csv": "user,rating\na,1\n",
    "r.csv": "user,item\na,x\n",
    "items.csv": "id,price\nx,12\ny,cheap\n",
  });
  await assertFormatError(loadGenericDataset({ interactions: `${dir}/empty.csv` }), {
    file: "empty.csv",
    line: 0,
    text: "",
    problem: /empty/,
  });
  await assertFormatError(loadGenericDataset({ interactions: `${dir}/blank.csv` }), {
    file: "blank.csv",
    line: 0,
    text: "",
    problem: /empty/,
  });
  await assertFormatError(loadGenericDataset({ interactions: `${dir}/noitem.csv` }), {
    file: "noitem.csv",
    line: 1,
    text: "user,rating",
    problem: /missing column item/,
  });
  await assertFormatError(
    loadGenericDataset({
      interactions: `${dir}/r.csv`,
      schema: { interactions: { rating: "stars" } },
    }),
    { file: "r.csv", line: 1, text: "user,item", problem: /missing column stars/ },
  );
  await assertFormatError(
    loadGenericDataset({
      interactions: `${dir}/r.csv`,
      items: `${dir}/items.csv`,
      schema: { items: { columns: { price: { kind: "numeric" } } } },
    }),
    { file: "items.csv", line: 3, text: "cheap", problem: /price is numeric/ },
  );
});

Deno.test("loadGenericDataset() accepts a header-only file with a warning", async () => {
  const dir = await fixture({ "r.csv": "user,item,rating\n" });
  const ds = await loadGenericDataset({ interactions: `${dir}/r.csv` });
  assert.equal(ds.interactions.length, 0);
  assert.deepEqual(ds.warnings.map((w) => w.code), ["no-interactions"]);
});

Deno.test("loadGenericDataset() parses quoted fields with delimiters, quotes and line breaks", async () => {
  const dir = await fixture({
    "r.csv": "user,item\na,x\nb,y\n",
    "items.csv": 'id,title\nx,"Say ""hi"", then\nleave"\ny,plain\n',
    "bad.csv": 'user,item\na,"x"y\n',
  });
  const ds = await loadGenericDataset({ interactions: `${dir}/r.csv`, items: `${dir}/items.csv` });
  const title = getColumn(ds.items, "title");
  assert.deepEqual(title?.kind === "text" && title.values, ['Say "hi", then\nleave', "plain"]);
  await assertFormatError(loadGenericDataset({ interactions: `${dir}/bad.csv` }), {
    file: "bad.csv",
    line: 2,
    text: 'a,"x"y',
    problem: /after a closing quote/,
  });
});

Deno.test("loadGenericDataset() schema can drop columns and read ratings as implicit", async () => {
  const dir = await fixture({
    "r.csv": "user,item,rating\na,x,3\n",
    "items.csv": "id,note,genre\nx,internal,drama\n",
  });
  const ds = await loadGenericDataset({
    interactions: `${dir}/r.csv`,
    items: `${dir}/items.csv`,
    schema: { interactions: { rating: null }, items: { columns: { note: "ignore" } } },
  });
  assert.equal(ds.interactions.rating, null);
  assert.deepEqual(ds.items.columns.map((c) => c.name), ["genre"]);
  await assertFormatError(
    loadGenericDataset({
      interactions: `${dir}/r.csv`,
      items: `${dir}/items.csv`,
      schema: { items: { columns: { price: { kind: "numeric" } } } },
    }),
    { file: "items.csv", line: 1, text: "id,note,genre", problem: /schema names column price/ },
  );
});

Deno.test("loadGenericDataset() rejects a malformed schema", async () => {
  const dir = await fixture({
    "r.csv": "user,item,rating\na,x,3\n",
    "items.csv": "id,genre\nx,drama\n",
    "schema.json": "{ interactions: }",
  });
  await assertFormatError(
    loadGenericDataset({ interactions: `${dir}/r.csv`, schema: `${dir}/schema.json` }),
    { file: "schema.json", line: 0, text: "{ interactions: }", problem: /not valid JSON/ },
  );
  await assertFormatError(
    loadGenericDataset({
      interactions: `${dir}/r.csv`,
      schema: { interactions: { ratingScale: [5, 1] } },
    }),
    { file: "schema", line: 0, text: "[5,1]", problem: /ratingScale/ },
  );
  await assertFormatError(
    loadGenericDataset({
      interactions: `${dir}/r.csv`,
      items: `${dir}/items.csv`,
      schema: { items: { columns: { genre: { kind: "tags" as "text" } } } },
    }),
    { file: "schema", line: 0, text: '{"kind":"tags"}', problem: /column genre: kind must be/ },
  );
});

Deno.test("loadGenericDataset() reads UTF-16 files that carry a byte-order mark", async () => {
  const text = "user\titem\r\nzoë\tx\r\n";
  const utf16 = new Uint8Array(2 + text.length * 2);
  utf16.set([0xff, 0xfe]);
  for (let c = 0; c < text.length; c++) utf16[2 + 2 * c] = text.charCodeAt(c);
  const dir = await fixture({ "r.tsv": utf16 });
  const ds = await loadGenericDataset({ interactions: `${dir}/r.tsv` });
  assert.deepEqual(ds.users.ids, ["zoë"]);
  assert.deepEqual(ds.warnings, []);
});
