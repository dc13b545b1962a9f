import assert from "node:assert/strict";
import { syntheticMovieCsv, syntheticMovies } from "../../src/experiments/synthetic.ts";
import { EXPERIMENT_MODEL_IDS } from "../../src/experiments/models.ts";
import { hwer } from "./_run.ts";

/** A generated catalogue in the generic format: 300 users, 400 movies, ~7,000 ratings. */
async function syntheticFolder(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "hwer-experiments-" });
  const files = syntheticMovieCsv(syntheticMovies({ users: 300, items: 400, seed: 11 }));
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}

interface Row {
  dataset: string;
  protocol: string;
  model: string;
  label: string;
  metrics: Record<string, number | null>;
  fitSeconds: number;
  testUsers: number;
}

Deno.test("hwer experiments --quick --json --out: every model on both protocols, JSON and markdown files", async () => {
  const data = await syntheticFolder();
  const out = `${data}/results`;
  try {
    const run = await hwer(
      "--json",
      "--backend",
      "cpu",
      "--seed",
      "7",
      "experiments",
      "--quick",
      "--datasets",
      data,
      "--out",
      out,
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      seed: number;
      quick: boolean;
      k: number;
      rows: Row[];
    };
    assert.equal(report.seed, 7);
    assert.equal(report.quick, true);
    assert.equal(report.k, 10);
    const name = data.split("/").pop()!;
    const expected = ["stratified", "cold-item"].flatMap((protocol) =>
      EXPERIMENT_MODEL_IDS.map((model) => `${name}/${protocol}/${model}`)
    );
    assert.deepEqual(report.rows.map((r) => `${r.dataset}/${r.protocol}/${r.model}`), expected);
    const predicts = new Set(["nmf", "hybrid-nmf", "hybrid-global", "hybrid-tree"]);
    for (const row of report.rows) {
      const where = `${row.protocol} ${row.model}`;
      for (const key of ["ndcg@10", "precision@10", "recall@10", "auc"]) {
        const v = row.metrics[key];
        assert.ok(typeof v === "number" && v >= 0 && v <= 1, `${where} ${key} = ${v}`);
      }
      if (predicts.has(row.model)) {
        const rmse = row.metrics.rmse;
        assert.ok(typeof rmse === "number" && rmse > 0 && rmse < 4, `${where} rmse = ${rmse}`);
      } else {
        assert.equal(row.metrics.rmse, null, `${where} predicts no ratings`);
      }
      assert.ok(row.fitSeconds >= 0 && row.testUsers > 0, where);
    }
    // The planted genre tastes are found: content beats random on cold items, the hybrid warm.
    const ndcg = (protocol: string, model: string) =>
      report.rows.find((r) => r.protocol === protocol && r.model === model)!.metrics["ndcg@10"]!;
    assert.ok(ndcg("cold-item", "content") > ndcg("cold-item", "random"));
    assert.ok(ndcg("stratified", "hybrid-tree") > ndcg("stratified", "random"));

    // --out wrote the same JSON and the markdown table; no temporary files are left.
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${out}/experiments.json`)), report);
    const markdown = await Deno.readTextFile(`${out}/experiments.md`);
    assert.match(markdown, /^# hwer experiments\n/);
    assert.match(markdown, /seed 7 · backend cpu · hwer \S+ · quick/);
    assert.match(markdown, new RegExp(`## ${name}: per-user stratified 75/25`));
    assert.match(markdown, new RegExp(`## ${name}: cold items \\(20 % held out\\)`));
    assert.match(markdown, /\| model +\| NDCG@10 \| P@10 +\| R@10 +\| AUC +\| RMSE +\| fit s \|/);
    assert.match(
      markdown,
      /\| Popularity +\| 0\.\d{4} +\| 0\.\d{4} \| 0\.\d{4} \| 0\.\d{4} \| — +\|/,
    );
    assert.match(markdown, /\| \(e\) Content \+ triplet \(α tree\) +\| 0\.\d{4} .*\| \d\.\d{4} \|/);
    assert.equal(markdown.match(/^\| \(c\) Content \+ NMF \(global α\)/gm)?.length, 2);
    assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(), [
      "experiments.json",
      "experiments.md",
    ]);
    // Not a terminal: one line per finished row on stderr instead of bars.
    assert.match(run.stderr, /^\[1\/14\] \S+\/stratified Random: NDCG 0\.\d{4}, fit \d+\.\d s$/m);
    assert.match(run.stderr, /^\[14\/14\] /m);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("hwer experiments is reproducible from --seed and prints markdown; --quiet keeps stderr empty", async () => {
  const data = await syntheticFolder();
  try {
    const args = [
      "--quiet",
      "--backend",
      "cpu",
      "experiments",
      "--quick",
      "--datasets",
      data,
      "--protocols",
      "stratified",
      "--models",
      "popularity,content,hybrid-tree",
    ];
    const first = await hwer(...args);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, "");
    const second = await hwer(...args);
    const metricsOnly = (markdown: string) => markdown.replace(/\| [\d.]+ +\|$/gm, "| |"); // fit s
    assert.equal(metricsOnly(second.stdout), metricsOnly(first.stdout));
    const rows = first.stdout.split("\n").filter((l) => /^\| (Popularity|\(a\)|\(e\))/.test(l));
    assert.deepEqual(rows.map((l) => l.split("|")[1].trim()), [
      "Popularity",
      "(a) Content",
      "(e) Content + triplet (α tree)",
    ]);
    assert.doesNotMatch(first.stdout, /cold items/);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("hwer experiments: bad --models, --protocols or --datasets are usage errors (exit 2)", async () => {
  const cases: [string[], RegExp][] = [
    [["--models", "popularity,bogus"], /unknown model bogus; use random,popularity,content,nmf/],
    [["--protocols", "warm"], /unknown protocol warm; use stratified,cold-item/],
    [["--models", "nmf,nmf"], /nmf is listed twice/],
    [["--datasets", ","], /expected a comma-separated list of dataset names or folders/],
    [["--quick", "extra"], /too many arguments/],
  ];
  for (const [args, pattern] of cases) {
    const run = await hwer("experiments", ...args);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, /^hwer: error: |^error: /m);
    assert.match(run.stderr, pattern, args.join(" "));
    assert.equal(run.stdout, "");
  }
  // A dataset that cannot be read fails (exit 1) with one line naming it.
  const missing = await hwer("experiments", "--quick", "--datasets", "/nonexistent/hwer-data");
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^hwer: error: \/nonexistent\/hwer-data: no such file or folder/);
});

Deno.test("hwer experiments --help lists the models, protocols and examples", async () => {
  const run = await hwer("experiments", "--help");
  assert.equal(run.code, 0, run.stderr);
  for (const id of EXPERIMENT_MODEL_IDS) assert.match(run.stdout, new RegExp(`^  ${id} `, "m"));
  for (
    const text of ["--datasets <list>", "--protocols <list>", "--quick", "--out <dir>", "cold-item"]
  ) {
    assert.ok(run.stdout.includes(text), text);
  }
  assert.match(run.stdout, /\$ hwer experiments --data-dir \.\.\/shared\/data --out results/);
});
