import assert from "node:assert/strict";
import { fingerprintDataset, saveModelFiles } from "../../src/model/manifest.ts";
import { datasetFromTriples } from "../../src/data/dataset.ts";
import { CLI, hasMl100k, hwer, ML_100K } from "./_run.ts";

const SUBCOMMANDS = [
  "data",
  "eval",
  "model",
  "bench",
  "train",
  "recommend",
  "similar",
  "experiments",
];

function assertOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
  assert.match(lines[0], /^hwer: error: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace without --verbose");
}

Deno.test("hwer --help lists every subcommand, the global options and examples", async () => {
  const run = await hwer("--help");
  assert.equal(run.code, 0, run.stderr);
  for (const name of SUBCOMMANDS) assert.match(run.stdout, new RegExp(`^  ${name}\\b`, "m"), name);
  for (const option of ["--backend", "--seed", "--json", "--quiet", "--verbose", "--version"]) {
    assert.ok(run.stdout.includes(option), option);
  }
  assert.match(run.stdout, /Examples:\n {2}\$ hwer data fetch ml-100k/);
  assert.match(run.stdout, /hwer eval --dataset ml-100k --model svd --split u1-u5/);
  assert.match(run.stdout, /Exit codes: 0 success, 1 failure/);
});

Deno.test("hwer <command> --help shows that command's options and examples", async () => {
  const evalHelp = await hwer("eval", "--help");
  assert.equal(evalHelp.code, 0);
  for (
    const text of [
      "--dataset <name|folder>",
      "--model <name>",
      "--split <name>",
      "--k <n>",
      "u1-u5",
      "Examples:",
    ]
  ) {
    assert.ok(evalHelp.stdout.includes(text), text);
  }
  const fetchHelp = await hwer("data", "help", "fetch");
  assert.equal(fetchHelp.code, 0);
  assert.match(fetchHelp.stdout, /--dir <folder>/);
  assert.match(fetchHelp.stdout, /\$ hwer data fetch ml-latest-small --cache/);
  const version = await hwer("--version");
  assert.equal(version.code, 0);
  assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

Deno.test("usage errors exit with code 2 and say what is wrong", async () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /unknown option '--bogus'/],
    [["data", "info", ML_100K, "--bogus"], /unknown option '--bogus'/],
    [
      ["--backend", "tpu", "data", "info", "x"],
      /argument 'tpu' is invalid. Allowed choices are auto, cpu, webgpu/,
    ],
    [["--seed", "-3", "data", "info", "x"], /option '--seed <n>' argument '-3' is invalid/],
    [["--seed", "abc", "data", "info", "x"], /expected a whole number/],
    [["--quiet", "--verbose", "data", "info", "x"], /cannot be used with option '-v, --verbose'/],
    [["data", "info"], /missing required argument 'dataset'/],
    [
      ["data", "fetch", "ml-1m"],
      /value .ml-1m. is invalid for argument .dataset.. Allowed choices are ml-100k, ml-latest-small/,
    ],
    [["eval", "--dataset", ML_100K], /required option '--model <name>' not specified/],
    [
      ["eval", "--dataset", ML_100K, "--model", "magic"],
      /Allowed choices are popularity, svd, nmf, baseline, global-mean/,
    ],
    [
      ["eval", "--dataset", ML_100K, "--model", "svd", "--k", "0"],
      /expected a whole number of at least 1/,
    ],
    [["eval", "--dataset", ML_100K, "--model", "svd", "--metrics", "rmse,speed"], /unknown speed/],
    [
      ["eval", "--dataset", ML_100K, "--model", "popularity", "--metrics", "rmse"],
      /predicts no ratings/,
    ],
    [["train", "--dataset", ML_100K], /required option '--out <dir>' not specified/],
    [
      ["train", "--dataset", ML_100K, "--out", "x", "--alpha", "magic"],
      /Allowed choices are tree, smooth, stages, global/,
    ],
    [["recommend", "--user", "1"], /required option '--model <dir>' not specified/],
    [["recommend", "--model", "x"], /give --user <id\.\.\.> or --new-user <json>/],
    [["recommend", "--model", "x", "--new-user", "{age: 3}"], /expected a JSON object/],
    [["recommend", "--model", "x", "--new-user", '{"tags": [1]}'], /feature "tags" is \[1\]/],
    [["similar", "--model", "x", "--item", "1", "--user", "2"], /exactly one of --item/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [[], /Usage: hwer/],
    [["data"], /Usage: hwer data/],
  ];
  for (const [args, pattern] of cases) {
    const run = await hwer(...args);
    assert.equal(run.code, 2, `${args.join(" ")}: exit ${run.code}\n${run.stderr}`);
    assert.match(run.stderr, pattern, args.join(" "));
    assert.equal(run.stdout, "", args.join(" "));
  }
});

Deno.test("an official fold asked of a generic dataset is a usage error (exit 2)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hwer-cli-" });
  try {
    const rows = Array.from({ length: 60 }, (_, n) => `u${n % 6},i${n % 10},${1 + (n % 5)}`);
    await Deno.writeTextFile(`${dir}/ratings.csv`, `user,item,rating\n${rows.join("\n")}\n`);
    const run = await hwer("eval", "--dataset", dir, "--model", "svd", "--split", "u1");
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^hwer: error: --split u1 is one of ML-100K's official folds/);
    assert.match(run.stderr, /run "hwer eval --help" for usage/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failure exits 1 with a one-line message, the stack only with --verbose", async () => {
  const missing = "/nonexistent/hwer-test-folder";
  const run = await hwer("data", "info", missing);
  assert.equal(run.code, 1);
  assert.equal(run.stdout, "");
  assertOneLineError(
    run.stderr,
    /\/nonexistent\/hwer-test-folder: no such file or folder, and not a known dataset name/,
  );

  const verbose = await hwer("--verbose", "data", "info", missing);
  assert.equal(verbose.code, 1);
  assert.match(verbose.stderr, /^hwer: error: \/nonexistent\/hwer-test-folder: no such file/);
  assert.match(verbose.stderr, /^\s+at openDataset \(.*datasets\.ts/m);

  const evalRun = await hwer("eval", "--dataset", missing, "--model", "popularity");
  assert.equal(evalRun.code, 1);
  assertOneLineError(evalRun.stderr, /no such file or folder/);
});

Deno.test("bench without a repository checkout fails with a clear message", async () => {
  const empty = await Deno.makeTempDir({ prefix: "hwer-cli-" });
  try {
    const run = await hwer("bench", "--repo", empty);
    assert.equal(run.code, 1);
    assertOneLineError(
      run.stderr,
      /bench needs a checkout of the hwer repository with bench\/ and deno.json; .* has none/,
    );
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test({
  name: "hwer data info --json on ML-100K reports 943 users, 1682 items, 100000 interactions",
  ignore: !hasMl100k,
  async fn() {
    const run = await hwer("data", "info", ML_100K, "--json");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    const info = JSON.parse(run.stdout);
    assert.equal(info.users, 943);
    assert.equal(info.items, 1682);
    assert.equal(info.interactions, 100000);
    assert.equal(info.layout, "ml-100k");
    assert.deepEqual(info.ratings.scale, { min: 1, max: 5 });
    assert.deepEqual(info.perUser.min, 20); // every ML-100K user rated at least 20 movies
    assert.deepEqual(
      info.columns.items.map((c: { name: string; kind: string }) => `${c.name}:${c.kind}`),
      ["title:text", "year:numeric", "genres:multiCategorical"],
    );
    assert.deepEqual(info.columns.users.map((c: { name: string }) => c.name), [
      "age",
      "gender",
      "occupation",
      "zip",
    ]);
    assert.deepEqual(info.warnings, []);

    const text = await hwer("data", "info", ML_100K);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^ {2}users\s+943$/m);
    assert.match(text.stdout, /^ {2}interactions\s+100,000 \(density 6\.30%\)$/m);
  },
});

Deno.test("hwer data info reads a generic folder and a single interactions file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hwer-cli-" });
  try {
    await Deno.writeTextFile(`${dir}/interactions.csv`, "user,item\na,x\na,y\nb,x\nb,x\n");
    await Deno.writeTextFile(`${dir}/items.csv`, "id,genres\nx,Action|Drama\ny,Comedy\nz,\n");
    const folder = JSON.parse((await hwer("--json", "data", "info", dir)).stdout);
    assert.deepEqual([folder.users, folder.items, folder.interactions], [2, 3, 3]);
    assert.equal(folder.ratings, null);
    assert.deepEqual(folder.columns.items, [{
      name: "genres",
      kind: "multiCategorical",
      missing: 1,
      distinct: 3,
    }]);
    assert.deepEqual(folder.warnings.map((w: { code: string }) => w.code), ["duplicate-pair"]);
    const file = JSON.parse(
      (await hwer("--json", "data", "info", `${dir}/interactions.csv`)).stdout,
    );
    assert.deepEqual([file.users, file.items, file.interactions], [2, 2, 3]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "hwer data fetch --dir checks a local copy and prints where it is",
  ignore: !hasMl100k,
  async fn() {
    const run = await hwer("data", "fetch", "ml-100k", "--dir", ML_100K, "--json");
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { dataset: "ml-100k", dir: ML_100K, source: "local" });
    const incomplete = await Deno.makeTempDir({ prefix: "hwer-cli-" });
    try {
      const bad = await hwer("data", "fetch", "ml-100k", "--dir", incomplete);
      assert.equal(bad.code, 1);
      assertOneLineError(bad.stderr, /ml-100k: .* lacks u\.data, u\.item/);
    } finally {
      await Deno.remove(incomplete, { recursive: true });
    }
  },
});

Deno.test({
  name: "hwer eval --json on ML-100K (popularity, stratified) parses and has NDCG@10",
  ignore: !hasMl100k,
  async fn() {
    const run = await hwer(
      "eval",
      "--dataset",
      ML_100K,
      "--model",
      "popularity",
      "--split",
      "stratified",
      "--json",
    );
    assert.equal(run.code, 0, run.stderr);
    const results = JSON.parse(run.stdout);
    assert.equal(results.length, 1);
    const [result] = results;
    assert.equal(result.model, "Popularity");
    assert.equal(result.k, 10);
    assert.equal(typeof result.metrics["ndcg@10"], "number");
    // docs/DATA.md: Popularity on the per-user stratified 75/25 split, seed 42: NDCG@10 0.2505.
    assert.ok(
      Math.abs(result.metrics["ndcg@10"] - 0.2505) < 5e-4,
      String(result.metrics["ndcg@10"]),
    );

    const markdown = await hwer(
      "eval",
      "--dataset",
      ML_100K,
      "--model",
      "popularity",
      "--seed",
      "7",
      "--k",
      "5",
    );
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(markdown.stdout, /^\| model \| split \| precision@5 \| recall@5 \| ndcg@5 \|/);
    assert.match(markdown.stdout, /\| Popularity \| ml-100k\/stratified-user-0\.75-seed7 \|/);
  },
});

Deno.test({
  name: "hwer eval averages the five official folds (BaselineOnly RMSE as documented)",
  ignore: !hasMl100k,
  async fn() {
    const run = await hwer(
      "--json",
      "eval",
      "--dataset",
      ML_100K,
      "--model",
      "baseline",
      "--split",
      "u1-u5",
      "--metrics",
      "rmse,mae",
    );
    assert.equal(run.code, 0, run.stderr);
    const results = JSON.parse(run.stdout);
    assert.equal(results.length, 6); // five folds and their mean
    const mean = results[5];
    assert.equal(mean.runs, 5);
    // docs/DATA.md: BaselineOnly on u1–u5, RMSE 0.9457 ± 0.0077.
    assert.ok(Math.abs(mean.metrics.rmse - 0.9457) < 1e-3, String(mean.metrics.rmse));
    assert.deepEqual(Object.keys(mean.metrics), ["rmse", "mae"]);
  },
});

Deno.test("hwer model info verifies a model folder and names a corrupted file (exit 1)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hwer-cli-model-" });
  try {
    const train = datasetFromTriples("toy", [["u1", "i1", 5], ["u2", "i2", 3]]);
    await saveModelFiles(dir, {
      manifest: {
        config: { dim: 2 },
        idMaps: { users: train.users.ids, items: train.items.ids },
        metrics: { "ndcg@10": 0.5 },
        dataFingerprint: fingerprintDataset(train),
      },
      tensors: { "item.embedding": { shape: [2, 2], data: Float32Array.of(1, 0, 0, 1) } },
      extraFiles: { "fasttext.bin": new Uint8Array(16) },
    });
    const ok = await hwer("model", "info", dir, "--json");
    assert.equal(ok.code, 0, ok.stderr);
    const info = JSON.parse(ok.stdout);
    assert.equal(info.verified, true);
    assert.deepEqual(info.tensors, { "item.embedding": { dtype: "F32", shape: [2, 2] } });
    assert.deepEqual([info.users, info.items], [2, 2]);

    const tensorFile = `${dir}/model.safetensors`;
    const bytes = await Deno.readFile(tensorFile);
    bytes[bytes.length - 2] ^= 0xff;
    await Deno.writeFile(tensorFile, bytes);
    const edited = await hwer("model", "info", dir);
    assert.equal(edited.code, 1);
    assert.equal(edited.stdout, "");
    assertOneLineError(
      edited.stderr,
      new RegExp(`${tensorFile}: sha256 [0-9a-f]{12}… differs .* edited or corrupted after saving`),
    );

    await Deno.writeFile(tensorFile, bytes.subarray(0, 40));
    const truncated = await hwer("model", "info", dir);
    assert.equal(truncated.code, 1);
    assertOneLineError(
      truncated.stderr,
      new RegExp(`${tensorFile}: 40 bytes, but manifest.json says ${bytes.length} \\(truncated\\)`),
    );

    const notAModel = await hwer("model", "info", `${dir}/nothing-here`);
    assert.equal(notAModel.code, 1);
    assertOneLineError(
      notAModel.stderr,
      /manifest.json: not found: the folder is not a saved hwer model/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a dataset name resolves through the cache: data fetch, data info and eval --split u1",
  ignore: !hasMl100k,
  async fn() {
    // A complete cache entry made of links to the shared copy (never a copy of the data).
    const cache = await Deno.makeTempDir({ prefix: "hwer-cli-cache-" });
    try {
      await Deno.mkdir(`${cache}/ml-100k`);
      for await (const entry of Deno.readDir(ML_100K)) {
        if (entry.isFile) {
          await Deno.symlink(`${ML_100K}/${entry.name}`, `${cache}/ml-100k/${entry.name}`);
        }
      }
      await Deno.writeTextFile(
        `${cache}/ml-100k/.hwer-complete`,
        JSON.stringify({ size: 1, sha256: "test" }),
      );

      const fetched = await hwer("--json", "data", "fetch", "ml-100k", "--cache", cache);
      assert.equal(fetched.code, 0, fetched.stderr);
      assert.deepEqual(JSON.parse(fetched.stdout), {
        dataset: "ml-100k",
        dir: `${cache}/ml-100k`,
        source: "cache",
      });
      const note = await hwer("data", "fetch", "ml-100k", "--cache", cache);
      assert.equal(note.stdout, `${cache}/ml-100k\n`);
      assert.equal(note.stderr, "ml-100k: already in the cache\n");
      assert.equal(
        (await hwer("--quiet", "data", "fetch", "ml-100k", "--cache", cache)).stderr,
        "",
      );

      const info = await hwer("--json", "data", "info", "ml-100k", "--cache", cache);
      assert.equal(info.code, 0, info.stderr);
      assert.equal(JSON.parse(info.stdout).interactions, 100000);

      const evaluated = await hwer(
        "--json",
        "eval",
        "--dataset",
        "ml-100k",
        "--cache",
        cache,
        "--model",
        "global-mean",
        "--split",
        "u1",
      );
      assert.equal(evaluated.code, 0, evaluated.stderr);
      const [result] = JSON.parse(evaluated.stdout);
      assert.equal(result.split, "ml-100k/u1");
      assert.equal(result.testInteractions, 20000);
    } finally {
      await Deno.remove(cache, { recursive: true });
    }
  },
});

Deno.test({
  name: "a known dataset name is read from $HWER_DATA/<name> before the cache and the download",
  ignore: !hasMl100k,
  async fn() {
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-lock", CLI, "--json", "data", "info", "ml-100k"],
      env: { NO_COLOR: "1", HWER_DATA: new URL("..", `file://${ML_100K}/`).pathname },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    assert.equal(JSON.parse(new TextDecoder().decode(run.stdout)).interactions, 100_000);
  },
});
