import assert from "node:assert/strict";
import type { FetchProgress } from "../../src/data/fetch.ts";
import { CliContext } from "../../src/cli/context.ts";
import { runCli } from "../../src/cli/main.ts";
import {
  createProgress,
  epochProgress,
  fetchProgressCallback,
  type ProgressReporter,
  type ProgressStream,
  silentProgress,
  stageProgress,
} from "../../src/cli/progress.ts";
import { hasMl100k, ML_100K } from "./_run.ts";

function fakeTerminal(): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY: true,
    columns: 120,
    write: (s: string) => chunks.push(s) > 0,
    text: () => chunks.join(""),
  };
}

/** Records calls, to check the adapters. */
function recorder(): ProgressReporter & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    start: (total, label, options) =>
      calls.push(`start ${total} ${label}${options?.unit ? ` ${options.unit}` : ""}`),
    update: (value, info) =>
      calls.push(`update ${value}${info?.epoch ? ` epoch ${info.epoch}` : ""}`),
    stop: () => calls.push("stop"),
  };
}

Deno.test("createProgress() is silent with --quiet or when stderr is not a terminal", () => {
  const stream = fakeTerminal();
  assert.equal(createProgress({ quiet: true, isTerminal: true, stream }), silentProgress);
  assert.equal(createProgress({ isTerminal: false, stream }), silentProgress);
  const quiet = createProgress({ quiet: true, isTerminal: true, stream });
  quiet.start(10, "x");
  quiet.update(5, { loss: 1 });
  quiet.stop();
  assert.equal(stream.text(), "");
});

Deno.test("createProgress() on a terminal draws label, percentage, counts, epoch, loss and ETA", () => {
  const stream = fakeTerminal();
  const progress = createProgress({ isTerminal: true, stream });
  progress.update(1); // before start: ignored
  progress.start(4, "triplet epochs");
  progress.update(2, { epoch: 2, loss: 0.25 });
  progress.stop();
  progress.stop(); // twice: harmless
  const text = stream.text();
  assert.match(text, /triplet epochs \[[█░]{30}\] +50% 2\/4 \| ETA \S+ \| epoch 2 · loss 0\.2500/);
  assert.ok(text.endsWith("\n"), "the finished bar keeps its line");
});

Deno.test("createProgress() shows bytes for downloads and counts when the total is unknown", () => {
  const stream = fakeTerminal();
  const progress = createProgress({ isTerminal: true, stream });
  progress.start(4 * 1024 * 1024, "ml-100k download", { unit: "bytes" });
  progress.update(1024 * 1024);
  progress.start(0, "unknown size", { unit: "bytes" }); // starting again ends the previous bar
  progress.update(2048);
  progress.stop();
  const text = stream.text();
  assert.match(text, /ml-100k download \[.*\] +25% 1\.0 MB\/4\.0 MB/);
  assert.match(text, /unknown size 2\.0 KB/);
});

Deno.test("fetchProgressCallback() draws one bar per download and extraction, none for a cache hit", () => {
  const r = recorder();
  const onProgress = fetchProgressCallback(r);
  const events: FetchProgress[] = [
    { dataset: "ml-100k", phase: "download", loaded: 0, total: 100 },
    { dataset: "ml-100k", phase: "download", loaded: 100, total: 100 },
    { dataset: "ml-100k", phase: "verify", loaded: 100, total: 100, sha256: "ab" },
    { dataset: "ml-100k", phase: "extract", loaded: 1, total: 2 },
    { dataset: "ml-100k", phase: "extract", loaded: 2, total: 2 },
    { dataset: "ml-100k", phase: "done", loaded: 100, total: 100 },
  ];
  events.forEach(onProgress);
  assert.deepEqual(r.calls, [
    "start 100 ml-100k download bytes",
    "update 0",
    "update 100",
    "stop",
    "start 2 ml-100k extract count",
    "update 1",
    "update 2",
    "stop",
  ]);
  const cached = recorder();
  fetchProgressCallback(cached)({ dataset: "ml-100k", phase: "cached", loaded: 5, total: 5 });
  assert.deepEqual(cached.calls, []);
});

Deno.test("epochProgress() starts at the first epoch and stops after the last", () => {
  const r = recorder();
  const { onEpoch } = epochProgress(r, "SVD epochs");
  for (let epoch = 1; epoch <= 3; epoch++) onEpoch!(epoch, 3);
  assert.deepEqual(r.calls, [
    "start 3 SVD epochs",
    "update 1 epoch 1",
    "update 2 epoch 2",
    "update 3 epoch 3",
    "stop",
  ]);
});

async function runInProcess(args: string[], stderrIsTerminal: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    writeOut: (s) => out.push(s),
    writeErr: (s) => err.push(s),
    stderrIsTerminal,
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

Deno.test({
  name: "hwer eval draws a training progress bar only on a terminal and never with --quiet",
  ignore: !hasMl100k,
  async fn() {
    const args = [
      "eval",
      "--dataset",
      ML_100K,
      "--model",
      "svd",
      "--split",
      "u1",
      "--metrics",
      "rmse",
    ];
    const terminal = await runInProcess(args, true);
    assert.equal(terminal.code, 0, terminal.stderr);
    assert.match(
      terminal.stderr,
      /SVD on ml-100k\/u1 \[█{30}\] 100% 20\/20 \| ETA \S+ \| epoch 20/,
    );
    assert.match(terminal.stdout, /^\| model \| split \| rmse \| fit s \|/);

    const quiet = await runInProcess(["--quiet", ...args], true);
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stderr, "");
    const piped = await runInProcess(args, false);
    assert.equal(piped.code, 0);
    assert.equal(piped.stderr, "");
    const withoutFitTime = (table: string) => table.replace(/\| [\d.]+ \|$/gm, "| – |");
    assert.equal(withoutFitTime(piped.stdout), withoutFitTime(terminal.stdout)); // same results
  },
});

Deno.test("CliContext.selectBackend() picks the --backend choice once and says why with --verbose", async () => {
  const err: string[] = [];
  const context = new CliContext({
    writeOut: () => {},
    writeErr: (s) => err.push(s),
    stderrIsTerminal: false,
  });
  context.setGlobals({ backend: "cpu", seed: 42, json: false, quiet: false, verbose: true });
  const first = await context.selectBackend();
  const second = await context.selectBackend();
  try {
    assert.equal(first, second);
    if (!Deno.env.get("HWER_BACKEND")) assert.equal(first.backend.name, "cpu");
    assert.match(err.join(""), /^backend: \w+ \(.+\)\n$/);
  } finally {
    first.backend.destroy();
  }
});

Deno.test("stageProgress() draws one bar per stage run, not per report within an epoch", () => {
  const starts: string[] = [];
  const notes: string[] = [];
  const reporter = {
    start: (_: number, label: string) => starts.push(label),
    update: () => {},
    stop: () => {},
  };
  const draw = stageProgress(reporter, (stage) => `${stage} epochs`, (p, newStage) => {
    notes.push(`${p.stage}:${newStage}`);
  });
  // fastText reports several times within one epoch; the item and user autoencoders restart.
  for (const epoch of [1, 1, 1, 2, 2]) draw({ stage: "text", epoch, epochs: 2, loss: NaN });
  for (const epoch of [1, 2, 1, 2]) draw({ stage: "content", epoch, epochs: 2 });
  draw({ stage: "alpha", message: "fitting" });
  draw({ stage: "alpha", message: "done" });
  draw({ stage: "text", epoch: 1, epochs: 2 });
  assert.deepEqual(starts, ["text epochs", "content epochs", "content epochs", "text epochs"]);
  assert.deepEqual(notes, ["alpha:true", "alpha:false"]);
});
