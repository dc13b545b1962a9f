/**
 * Runs the cosine top-k cases outside `deno bench` to report medians, GFLOP/s
 * and each case's speed relative to its group's baseline, as markdown.
 *
 *   deno task bench:report [--quick]    (--quick: fewer repetitions)
 *
 * @module
 */
import { adapterLine, cosineCases } from "./_cosine_cases.ts";

const quick = Deno.args.includes("--quick");
const cases = await cosineCases();
const medians = new Map<string, number>();
const rows: string[] = [];

for (const c of cases) {
  if (c.skip) {
    rows.push(`| ${c.name} | skipped: ${c.skip} | | |`);
    continue;
  }
  const repetitions = c.iterations ?? (quick ? 5 : 15);
  await c.fn(); // warm-up: JIT, pipeline compilation
  const times: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const start = performance.now();
    await c.fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  medians.set(c.name, median);
  const baseline = cases.find((b) => b.group === c.group && b.baseline && medians.has(b.name));
  const ratio = c.baseline
    ? "baseline"
    : baseline
    ? `${(medians.get(baseline.name)! / median).toFixed(2)}× ${baseline.name}`
    : "—";
  rows.push(
    `| ${c.name} | ${median.toFixed(1)} ms | ${(c.flops / median / 1e6).toFixed(2)} | ${ratio} |`,
  );
  console.error(`${c.name}: ${median.toFixed(1)} ms`);
}

const commit = await new Deno.Command("git", {
  args: ["rev-parse", "--short", "HEAD"],
  stdout: "piped",
  stderr: "null",
})
  .output().then((o) => new TextDecoder().decode(o.stdout).trim()).catch(() => "unknown");
console.log(
  `Date ${new Date().toISOString().slice(0, 10)}, commit ${commit}, Deno ${Deno.version.deno}, ` +
    `${navigator.hardwareConcurrency} cores, adapter: ${await adapterLine()}\n`,
);
console.log("| case | median | GFLOP/s | speed vs baseline |");
console.log("| --- | --- | --- | --- |");
for (const row of rows) console.log(row);
Deno.exit(0);
