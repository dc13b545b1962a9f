import assert from "node:assert/strict";
import {
  DataFormatError,
  getColumn,
  loadMovieLens100k,
  loadMovieLens100kFold,
  loadMovieLens100kFolds,
  loadMovieLensLatestSmall,
  splitTitleYear,
} from "../../src/data/mod.ts";

const ML_100K = new URL("../../../shared/data/ml-100k/", import.meta.url);
const ML_SMALL = new URL("../../../shared/data/ml-latest-small/", import.meta.url);

Deno.test("loadMovieLens100k() reads users, items, ratings and features", async () => {
  const ds = await loadMovieLens100k(ML_100K);
  assert.equal(ds.users.ids.length, 943);
  assert.equal(ds.items.ids.length, 1682);
  assert.equal(ds.interactions.length, 100000);
  assert.deepEqual(ds.ratingScale, { min: 1, max: 5 });
  assert.deepEqual(ds.warnings, []);
  assert.equal(ds.users.ids[0], "1");
  assert.equal(ds.items.index.get("1682"), 1681);
  // first line of u.data: 196 242 3 881250949
  assert.equal(ds.users.ids[ds.interactions.user[0]], "196");
  assert.equal(ds.items.ids[ds.interactions.item[0]], "242");
  assert.equal(ds.interactions.rating![0], 3);
  assert.equal(ds.interactions.timestamp![0], 881250949);
  // every user has at least 20 ratings
  const counts = new Int32Array(943);
  for (const u of ds.interactions.user) counts[u]++;
  assert.ok(counts.every((c) => c >= 20));

  const title = getColumn(ds.items, "title");
  assert.equal(title?.kind, "text");
  if (title?.kind === "text") {
    assert.equal(title.values[0], "Toy Story");
    assert.equal(title.values[ds.items.index.get("543")!], "Misérables, Les"); // Latin-1
  }
  const year = getColumn(ds.items, "year");
  if (year?.kind !== "numeric") throw new Error("year should be numeric");
  assert.equal(year.values[0], 1995);
  assert.ok(Number.isNaN(year.values[ds.items.index.get("267")!])); // "unknown" has no date
  const genres = getColumn(ds.items, "genres");
  if (genres?.kind !== "multiCategorical") throw new Error("genres should be multi-categorical");
  assert.equal(genres.vocab.length, 19);
  assert.deepEqual(genres.values[0], ["Animation", "Children's", "Comedy"]);

  const age = getColumn(ds.users, "age");
  const occupation = getColumn(ds.users, "occupation");
  if (age?.kind !== "numeric" || occupation?.kind !== "categorical") {
    throw new Error("user columns");
  }
  assert.equal(age.values[0], 24);
  assert.equal(occupation.vocab[occupation.codes[0]], "technician");
  assert.equal(occupation.vocab.length, 21);
});

Deno.test("loadMovieLens100kFold() reads the official splits in the dataset's id space", async () => {
  const ds = await loadMovieLens100k(ML_100K);
  const folds = await loadMovieLens100kFolds(ML_100K, ds);
  assert.equal(folds.length, 5);
  const testPairs = new Set<number>();
  for (const fold of folds) {
    assert.equal(fold.kind, "official-fold");
    assert.equal(fold.train.interactions.length, 80000);
    assert.equal(fold.test.interactions.length, 20000);
    assert.equal(fold.train.users, ds.users);
    const x = fold.test.interactions;
    for (let k = 0; k < x.length; k++) testPairs.add(x.user[k] * 2000 + x.item[k]);
  }
  assert.equal(testPairs.size, 100000, "u1–u5 test sets partition u.data");
  const ua = await loadMovieLens100kFold(ML_100K, ds, "ua");
  assert.equal(ua.test.interactions.length, 9430);
});

Deno.test("loadMovieLensLatestSmall() reads CRLF CSV with quoted titles, tags and links", async () => {
  const ds = await loadMovieLensLatestSmall(ML_SMALL);
  assert.equal(ds.users.ids.length, 610);
  assert.equal(ds.items.ids.length, 9742);
  assert.equal(ds.interactions.length, 100836);
  assert.deepEqual(ds.ratingScale, { min: 0.5, max: 5 });
  assert.ok(ds.interactions.rating!.includes(0.5));
  const title = getColumn(ds.items, "title");
  const year = getColumn(ds.items, "year");
  const genres = getColumn(ds.items, "genres");
  const tags = getColumn(ds.items, "tags");
  const imdb = getColumn(ds.items, "imdbId");
  if (
    title?.kind !== "text" || year?.kind !== "numeric" || genres?.kind !== "multiCategorical" ||
    tags?.kind !== "text" || imdb?.kind !== "categorical"
  ) throw new Error("unexpected item columns");
  const president = ds.items.index.get("11")!;
  assert.equal(title.values[president], "American President, The");
  assert.equal(year.values[president], 1995);
  assert.deepEqual(genres.values[president], ["Comedy", "Drama", "Romance"]);
  assert.ok(title.values.every((t) => !t.includes("\r")));
  assert.equal(tags.values[0], "pixar, fun");
  assert.equal(imdb.vocab[imdb.codes[0]], "0114709");
  assert.ok(!genres.vocab.includes("(no genres listed)"));
});

Deno.test("splitTitleYear() separates the trailing year", () => {
  assert.deepEqual(splitTitleYear("Heat (1995)"), { title: "Heat", year: 1995 });
  assert.deepEqual(splitTitleYear("Babylon 5"), { title: "Babylon 5", year: NaN });
  assert.deepEqual(splitTitleYear("Big Bang Theory (2007-)").year, 2007);
});

Deno.test("loadMovieLens100k() names file, line and text of a malformed u.data line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hwer-ml100k-" });
  try {
    await Deno.writeTextFile(`${dir}/u.user`, "1|24|M|technician|85711\n2|53|F|other|94043\n");
    await Deno.writeTextFile(`${dir}/u.genre`, "unknown|0\nAction|1\n\n");
    await Deno.writeTextFile(`${dir}/u.item`, "1|Heat (1995)|01-Jan-1995||url|0|1\n");
    const cases: Array<[string, RegExp]> = [
      ["1\t1\t7\t881250949", /outside the scale 1..5/],
      ["1\t1\t3", /expected 4 fields, found 3/],
      ["1\t1\tthree\t881250949", /is not a number/],
      ["3\t1\t3\t881250949", /unknown user id 3/],
    ];
    for (const [line, problem] of cases) {
      await Deno.writeTextFile(`${dir}/u.data`, `1\t1\t4\t881250940\n${line}\n`);
      const error = await loadMovieLens100k(dir).then(() => undefined, (e) => e);
      assert.ok(error instanceof DataFormatError, String(error));
      assert.equal(error.file, `${dir}/u.data`);
      assert.equal(error.line, 2);
      assert.equal(error.text, line);
      assert.match(error.message, problem);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
