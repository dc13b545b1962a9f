/**
 * Runs every `examples/*.ts` as a user would (`deno run -A`), in quick mode
 * (`HWER_EXAMPLE_QUICK=1`: each example shrinks its work) with the shared
 * MovieLens folder as `HWER_DATA`, and checks that it exits 0 and prints what
 * it is for. A new example is picked up by listing the folder; give it a
 * quick mode and, if it is worth checking, an entry in EXPECTED.
 */
import assert from "node:assert/strict";

const EXAMPLES = new URL("../examples/", import.meta.url);
const DATA = new URL("../../shared/data", import.meta.url).pathname;
const hasMl100k = await Deno.stat(`${DATA}/ml-100k/u.data`).then(() => true, () => false);
/** Examples that run without MovieLens (the others read ML-100K from HWER_DATA). */
const WITHOUT_DATA = new Set(["demo.ts", "topk_clusters.ts"]);
/** No example may take longer than this, even on a loaded two-core machine. */
const TIME_LIMIT_MS = 300_000;

/** What each known example must print on stdout. */
const EXPECTED: Record<string, RegExp[]> = {
  "demo.ts": [
    /^hwer demo: ml-100k \(943 users, 1,682 movies, 100,000 ratings\)/m,
    /^\| Hybrid \(α tree\) +\| 0\.\d{4} +\| 0\.\d{4} \| 0\.\d{4} \|/m,
    /^user 1 rated highly: /m,
    /^ {2}1\. .+cos \d\.\d{3}$/m,
    /A brand-new movie, known only by its features: "Star Trek: The Final Voyage \(1999\)"/,
    /^most similar movies: .+; .+/m,
    /^in the top-20 of \d+ of the 20 biggest Sci-Fi fans/m,
  ],
  "topk_clusters.ts": [
    /^top-10 for 500 users × 1000 items × 64 dims/m,
    /recommendations from the user's own taste cluster: \d+\.\d %/,
    /already-seen items returned: 0$/m,
  ],
  "item_buckets.ts": [/^\| Hybrid( \| \d\.\d{3} \/ \d\.\d{3}){6} \|$/m],
  "rating_folds.ts": [/^\| FactorRating, no side vectors \| \d\.\d{4} \| \d\.\d{4} \|/m],
  "evaluate_models.ts": [
    /^### ml-100k, per-user stratified 75\/25/m,
    /^\| Hybrid \| ml-100k\/stratified-user-0\.75-seed42 \| 0\.\d{4} \|/m,
    /^### ml-100k, cold items \(20 % held out\)/m,
    /^\| Content \| \d\.\d{3} \/ \d\.\d{3} \|/m,
  ],
};

/** What the demo prints on the generated catalogue (no MovieLens at hand). */
const DEMO_GENERATED = [
  /^hwer demo: synthetic-movies \(600 users, 800 movies, [\d,]+ ratings\)/m,
  /^\| Hybrid \(α tree\) +\| 0\.\d{4}/m,
  /A brand-new movie, known only by its features: "Galaxy Android Odyssey/,
  /^in the top-20 of \d+ of the 20 biggest Sci-Fi fans/m,
];

async function runExample(name: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", new URL(name, EXAMPLES).pathname, ...args],
    env: { HWER_EXAMPLE_QUICK: "1", HWER_DATA: DATA, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(TIME_LIMIT_MS),
  }).output();
  return {
    code: out.code,
    signal: out.signal,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

const names = [...Deno.readDirSync(EXAMPLES)]
  .filter((e) => e.isFile && e.name.endsWith(".ts"))
  .map((e) => e.name)
  .sort();

Deno.test("examples/ holds the demo and the evaluation examples", () => {
  for (const name of ["demo.ts", "evaluate_models.ts", "topk_clusters.ts"]) {
    assert.ok(names.includes(name), name);
  }
});

for (const name of names) {
  Deno.test({
    name: `examples/${name} runs in quick mode and exits 0`,
    ignore: !hasMl100k && !WITHOUT_DATA.has(name),
    async fn() {
      const run = await runExample(name);
      const context = `examples/${name} (exit ${run.code}${
        run.signal ? `, ${run.signal}` : ""
      })\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
      assert.equal(run.code, 0, context);
      assert.ok(run.stdout.trim().length > 0, `examples/${name} printed nothing`);
      const expected = name === "demo.ts" && !hasMl100k ? DEMO_GENERATED : EXPECTED[name] ?? [];
      for (const pattern of expected) assert.match(run.stdout, pattern, context);
    },
  });
}

Deno.test("examples/demo.ts without MovieLens says where to point and runs on a generated catalogue", async () => {
  const run = await runExample("demo.ts", "--data", "/nonexistent/hwer-data");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^\/nonexistent\/hwer-data holds no MovieLens 100K/m);
  assert.match(run.stdout, /Point --data or HWER_DATA at a folder holding ml-100k\//);
  for (const pattern of DEMO_GENERATED) assert.match(run.stdout, pattern);
  const bad = await runExample("demo.ts", "--bogus");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /demo: unknown argument --bogus/);
});
