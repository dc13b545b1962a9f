/**
 * Runs benchmark cases outside `deno bench` to report medians, throughput and
 * each case's speed relative to its group's baseline, as markdown.
 *
 *   deno task bench:report [cosine|dense|training|all] [--quick]
 *
 * `training` includes the dense-layer kernel cases (`dense`).
 *
 * @module
 */
import { adapterLine, type BenchCase, cosineCases } from "./_cases.ts";
import { denseCases } from "./_dense_cases.ts";
import { trainingCases } from "./_training_cases.ts";

const quick = Deno.args.includes("--quick");
const suite = Deno.args.find((a) => !a.startsWith("--")) ?? "all";
if (!["cosine", "dense", "training", "all"].includes(suite)) {
  console.error(`unknown suite "${suite}": use cosine, dense, training or all`);
  Deno.exit(2);
}
const cases: BenchCase[] = [
  ...(suite === "cosine" || suite === "all" ? await cosineCases() : []),
  ...(suite !== "cosine" ? await denseCases() : []),
  ...(suite === "training" || suite === "all" ? await trainingCases() : []),
];
const medians = new Map<string, number>();
const rows: string[] = [];

for (const c of cases) {
  if (c.skip) {
    rows.push(`| ${c.name} | skipped: ${c.skip} | | |`);
    continue;
  }
  const repetitions = c.iterations ?? (quick ? 3 : 9);
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
  const throughput = c.work / (median / 1000);
  rows.push(
    `| ${c.name} | ${median.toFixed(1)} ms | ${formatRate(throughput)} ${c.unit}/s | ${ratio} |`,
  );
  console.error(`${c.name}: ${median.toFixed(1)} ms`);
}

function formatRate(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(2);
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
console.log("| case | median | throughput | speed vs baseline |");
console.log("| --- | --- | --- | --- |");
for (const row of rows) console.log(row);
Deno.exit(0);
