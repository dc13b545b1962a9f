/**
 * `hwer eval`: fit a baseline on a split and print the evaluation table.
 *
 * @module
 */
import {
  Command,
  type CommandUnknownOpts,
  InvalidArgumentError,
  Option,
} from "npm:@commander-js/extra-typings@15.1.0";
import { BaselineOnly, GlobalMean, Popularity, RandomRecommender } from "../../collab/baselines.ts";
import { TripletRecommender } from "../../collab/triplet.ts";
import { ContentRecommender } from "../../content/recommender.ts";
import { HybridRecommender } from "../../model/hybrid.ts";
import { NMF } from "../../collab/nmf.ts";
import { SVD } from "../../collab/svd.ts";
import type { Recommender } from "../../eval/recommender.ts";
import {
  ALL_METRICS,
  evaluate,
  type EvaluationResult,
  formatJson,
  formatMarkdown,
  meanResult,
  type MetricName,
} from "../../eval/runner.ts";
import type { CliContext } from "../context.ts";
import { makeSplits, openDataset, SPLIT_NAMES } from "../datasets.ts";
import { UsageError } from "../errors.ts";
import { epochProgress } from "../progress.ts";
import { parsePositiveInt } from "./_parse.ts";

/** `--model` values and the models they make (seeded where the model is random). */
export const EVAL_MODELS: Readonly<Record<string, (seed: number) => Recommender>> = {
  popularity: () => new Popularity(),
  svd: (seed) => new SVD({ seed }),
  nmf: (seed) => new NMF({ seed }),
  baseline: () => new BaselineOnly(),
  "global-mean": () => new GlobalMean(),
  random: (seed) => new RandomRecommender({ seed }),
  content: (seed) => new ContentRecommender({ seed }),
  triplet: (seed) => new TripletRecommender({ seed }),
  hybrid: (seed) => new HybridRecommender({ seed }),
};

/**
 * Builds `hwer eval`.
 *
 * @param context output and global options
 * @returns the command
 * @example
 * ```ts
 * import { CliContext, processIo } from "../context.ts";
 * import { evalCommand } from "./eval.ts";
 * console.log(evalCommand(new CliContext(processIo())).name()); // "eval"
 * ```
 */
export function evalCommand(context: CliContext): CommandUnknownOpts {
  return new Command("eval")
    .description("fit a model on a split and report rating and ranking metrics")
    .requiredOption("--dataset <name|folder>", "ml-100k, ml-latest-small, or a dataset folder/file")
    .addOption(
      new Option("--model <name>", "model to evaluate")
        .choices(Object.keys(EVAL_MODELS))
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--split <name>", "how to hold out test data").choices(SPLIT_NAMES).default(
        "stratified",
      ),
    )
    .option("--k <n>", "top-k cut-off of the ranking metrics", parsePositiveInt, 10)
    .option(
      "--metrics <list>",
      `comma-separated subset of ${ALL_METRICS.join(",")} (default: what the model supports)`,
      parseMetrics,
    )
    .addOption(
      new Option("--breakdown <by>", "also report by train interaction count").choices(
        ["user", "item"] as const,
      ),
    )
    .option(
      "--within-bucket",
      "with --breakdown item: rank each bucket's held-out items among that bucket's items only",
      false,
    )
    .option("--cache <dir>", "cache folder for named datasets")
    .addHelpText(
      "after",
      `
Splits: stratified (75/25 per user), random (80/20), cold-item, cold-user
(20% of items/users held out entirely), leave-last-out (each user's latest),
kfold (5 folds, averaged), and for ML-100K the official u1 … u5, ua, ub, or
u1-u5 (all five, averaged). --seed seeds the split, the model and sampling.

Examples:
  $ hwer eval --dataset ml-100k --model popularity --split stratified
  $ hwer eval --dataset ml-100k --model svd --split u1-u5 --metrics rmse,mae
  $ hwer eval --dataset ./shop --model nmf --split cold-item --k 20 --json
  $ hwer eval --dataset ml-100k --model hybrid --breakdown item --within-bucket`,
    )
    .action(async (options) => {
      const { seed } = context.globals;
      const makeModel = EVAL_MODELS[options.model];
      const probe = makeModel(seed);
      const metrics = options.metrics;
      if (metrics?.some((m) => m === "rmse" || m === "mae") && !probe.predict) {
        throw new UsageError(
          `--model ${options.model} ranks items but predicts no ratings: drop rmse/mae from --metrics`,
          "eval",
        );
      }
      if (metrics?.some((m) => m !== "rmse" && m !== "mae") && !probe.scoreItems) {
        throw new UsageError(`--model ${options.model} cannot rank items`, "eval");
      }
      if (options.withinBucket && options.breakdown !== "item") {
        throw new UsageError("--within-bucket needs --breakdown item", "eval");
      }
      const progress = context.progress();
      try {
        const opened = await openDataset(options.dataset, { cacheDir: options.cache, progress });
        progress.stop();
        const splits = await makeSplits(opened, options.split, seed);
        context.debug(
          `eval: ${opened.dataset.name} (${opened.layout}), ${splits.length} split(s), seed ${seed}; ` +
            `the baselines run on the CPU, so --backend is not used`,
        );
        const results: EvaluationResult[] = [];
        for (const split of splits) {
          const model = makeModel(seed);
          const started = performance.now();
          await model.fit(split.train, epochProgress(progress, `${model.name} on ${split.name}`));
          const fitSeconds = (performance.now() - started) / 1000;
          progress.stop();
          const result = await evaluate(model, split, {
            fit: false,
            k: options.k,
            seed,
            ...(metrics ? { metrics } : {}),
            ...(options.breakdown ? { breakdown: options.breakdown } : {}),
            ...(options.withinBucket ? { bucketCandidates: "bucket" as const } : {}),
            // The cold-item protocol ranks held-out items among themselves.
            ...(split.kind === "cold-item" ? { candidates: "test-items" as const } : {}),
          });
          results.push({ ...result, fitSeconds });
          context.debug(
            `eval: ${split.name}: fit ${fitSeconds.toFixed(2)} s, metrics ${
              result.evaluateSeconds.toFixed(2)
            } s`,
          );
        }
        if (results.length > 1) {
          results.push(
            meanResult(
              results,
              `${opened.dataset.name}/${options.split} (mean of ${results.length})`,
            ),
          );
        }
        context.print(context.globals.json ? formatJson(results) : formatMarkdown(results));
      } finally {
        progress.stop();
      }
    });
}

function parseMetrics(value: string): MetricName[] {
  const names = value.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(ALL_METRICS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `${unknown.length ? `unknown ${unknown.join(", ")}; ` : ""}use ${ALL_METRICS.join(",")}`,
    );
  }
  return names as MetricName[];
}
