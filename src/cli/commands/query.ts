/**
 * `hwer recommend` and `hwer similar`: answer from a saved model folder, for
 * known users and items and for new ones given only their features.
 *
 * @module
 */
import { Command, type CommandUnknownOpts, Option } from "npm:@commander-js/extra-typings@15.1.0";
import { HybridRecommender } from "../../model/hybrid.ts";
import type { CliContext } from "../context.ts";
import { UsageError } from "../errors.ts";
import { parseFeatures, parsePositiveInt } from "./_parse.ts";

/**
 * One ranked answer line.
 *
 * @example
 * ```ts
 * import type { RankedEntry } from "./query.ts";
 * const e: RankedEntry = { rank: 1, id: "50", label: "Star Wars (1977)", score: 0.83 };
 * console.log(e.label); // "Star Wars (1977)"
 * ```
 */
export interface RankedEntry {
  /** 1-based rank. */
  readonly rank: number;
  /** Original id. */
  readonly id: string;
  /** Display name (an item's title), or the id. */
  readonly label: string;
  /** Cosine similarity of the hybrid vectors. */
  readonly score: number;
}

/**
 * The answers for one query: who or what was asked about, and the ranked list.
 *
 * @example
 * ```ts
 * import type { QueryAnswer } from "./query.ts";
 * const a: QueryAnswer = { query: { user: "196", new: false }, results: [] };
 * console.log(a.query.user); // "196"
 * ```
 */
export interface QueryAnswer {
  /** The query: a user or item id, and whether it was added from features. */
  readonly query: { readonly user?: string; readonly item?: string; readonly new: boolean };
  /** Best first. */
  readonly results: readonly RankedEntry[];
}

async function loadModel(context: CliContext, dir: string): Promise<HybridRecommender> {
  const { backend } = await context.selectBackend();
  const started = performance.now();
  const model = await HybridRecommender.load(dir, { backend });
  context.debug(`loaded ${dir} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  return model;
}

function known(model: HybridRecommender, kind: "user" | "item", id: string, dir: string): number {
  const index = kind === "user" ? model.userIndex(id) : model.itemIndex(id);
  if (index < 0) {
    const ids = kind === "user" ? model.ids.users : model.ids.items;
    throw new Error(
      `${kind} "${id}" is not in the model ${dir} (${ids.length} ${kind}s, ids such as ` +
        `${ids.slice(0, 3).join(", ")}); give a new one's features with --new-${kind}`,
    );
  }
  return index;
}

function entries(
  model: HybridRecommender,
  kind: "user" | "item",
  top: { indices: Int32Array; scores: Float32Array },
): RankedEntry[] {
  const out: RankedEntry[] = [];
  top.indices.forEach((index, n) => {
    if (index < 0) return;
    const id = kind === "item" ? model.ids.items[index] : model.ids.users[index];
    const label = kind === "item" ? model.itemLabel(index) : id;
    out.push({ rank: n + 1, id, label, score: top.scores[n] });
  });
  return out;
}

function printAnswers(
  context: CliContext,
  answers: QueryAnswer[],
  heading: (a: QueryAnswer) => string,
) {
  if (context.globals.json) {
    context.printJson(answers);
    return;
  }
  const lines: string[] = [];
  for (const answer of answers) {
    lines.push(heading(answer));
    for (const e of answer.results) {
      lines.push(
        `  ${String(e.rank).padStart(3)}. ${e.label}${e.label === e.id ? "" : ` [${e.id}]`}  ${
          e.score.toFixed(3)
        }`,
      );
    }
  }
  context.print(lines.join("\n"));
}

/**
 * Builds `hwer recommend`.
 *
 * @param context output and global options
 * @returns the command
 * @example
 * ```ts
 * import { CliContext, processIo } from "../context.ts";
 * import { recommendCommand } from "./query.ts";
 * console.log(recommendCommand(new CliContext(processIo())).name()); // "recommend"
 * ```
 */
export function recommendCommand(context: CliContext): CommandUnknownOpts {
  return new Command("recommend")
    .description("top-k unseen items for users of a saved model, or for a new user's features")
    .requiredOption("--model <dir>", "a model folder written by `hwer train`")
    .option("--user <id...>", "original user ids (repeatable)")
    .option(
      "--new-user <json>",
      'a new user\'s features as JSON, e.g. \'{"age": 30, "occupation": "writer"}\'',
      parseFeatures,
    )
    .option("--k <n>", "how many items per user", parsePositiveInt, 10)
    .addHelpText(
      "after",
      `
Items the user interacted with in training are never recommended. A new user
is embedded from their features (content → tower → the α of an entity with
no history), with no retraining.

Examples:
  $ hwer recommend --model models/ml-100k --user 196 --k 5
  $ hwer recommend --model models/ml-100k --user 196 186 --json
  $ hwer recommend --model models/ml-100k --new-user '{"age": 25, "gender": "F", "occupation": "student"}'`,
    )
    .action(async (options) => {
      if (!options.user?.length && !options.newUser) {
        throw new UsageError("give --user <id...> or --new-user <json>", "recommend");
      }
      const model = await loadModel(context, options.model);
      const queries: { index: number; id: string; isNew: boolean }[] = (options.user ?? []).map((
        id,
      ) => ({ index: known(model, "user", id, options.model), id, isNew: false }));
      if (options.newUser) {
        const id = "(new user)";
        queries.push({ index: await model.addUser(id, options.newUser), id, isNew: true });
      }
      const lists = await model.recommendBatch(queries.map((q) => q.index), options.k);
      const answers = queries.map((q, n): QueryAnswer => ({
        query: { user: q.id, new: q.isNew },
        results: entries(model, "item", lists[n]),
      }));
      printAnswers(
        context,
        answers,
        (a) =>
          a.query.new
            ? `a new user (from features, no history):`
            : `user ${a.query.user} (${
              model.interactionCount("user", model.userIndex(a.query.user!))
            } interactions):`,
      );
    });
}

/**
 * Builds `hwer similar`.
 *
 * @param context output and global options
 * @returns the command
 * @example
 * ```ts
 * import { CliContext, processIo } from "../context.ts";
 * import { similarCommand } from "./query.ts";
 * console.log(similarCommand(new CliContext(processIo())).name()); // "similar"
 * ```
 */
export function similarCommand(context: CliContext): CommandUnknownOpts {
  return new Command("similar")
    .description("items (or users) most similar to an item of a saved model, or to a new item")
    .requiredOption("--model <dir>", "a model folder written by `hwer train`")
    .option("--item <id>", "an original item id")
    .option(
      "--new-item <json>",
      'a new item\'s features as JSON, e.g. \'{"title": "Heat", "genres": ["Action"]}\'',
      parseFeatures,
    )
    .option("--user <id>", "an original user id: list the most similar users")
    .addOption(
      new Option(
        "--space <space>",
        "items: by the blended vectors (hybrid) or by features alone (content)",
      ).choices(["hybrid", "content"] as const).default("hybrid" as const),
    )
    .option("--k <n>", "how many", parsePositiveInt, 10)
    .addHelpText(
      "after",
      `
Similarity is the cosine of the blended (content + collaborative) vectors —
"people who liked this also liked", which favours popular films among warm
items — or, with --space content, of the content vectors alone ("films like
this one" by title, genres, year). A new item needs only its features: it is
embedded through the content model (and the tower, with the α of an item with
no history).

Examples:
  $ hwer similar --model models/ml-100k --item 50 --k 5
  $ hwer similar --model models/ml-100k --item 50 --space content
  $ hwer similar --model models/ml-100k --new-item '{"title": "Space Saga", "genres": ["Sci-Fi", "Adventure"]}'
  $ hwer similar --model models/ml-100k --user 196 --json`,
    )
    .action(async (options) => {
      const given = [options.item, options.newItem, options.user].filter((v) => v !== undefined);
      if (given.length !== 1) {
        throw new UsageError(
          "give exactly one of --item <id>, --new-item <json>, --user <id>",
          "similar",
        );
      }
      const model = await loadModel(context, options.model);
      let answer: QueryAnswer;
      if (options.user !== undefined) {
        const index = known(model, "user", options.user, options.model);
        answer = {
          query: { user: options.user, new: false },
          results: entries(model, "user", await model.similarUsers(index, options.k)),
        };
      } else {
        const isNew = options.newItem !== undefined;
        const index = isNew
          ? await model.addItem("(new item)", options.newItem!)
          : known(model, "item", options.item!, options.model);
        answer = {
          query: { item: isNew ? "(new item)" : options.item, new: isNew },
          results: entries(
            model,
            "item",
            await model.similarItems(index, options.k, { space: options.space }),
          ),
        };
      }
      printAnswers(
        context,
        [answer],
        (a) =>
          a.query.user !== undefined
            ? `users most similar to user ${a.query.user}:`
            : a.query.new
            ? `items most similar to the new item ${JSON.stringify(options.newItem)}:`
            : `items most similar to ${
              model.itemLabel(model.itemIndex(a.query.item!))
            } [${a.query.item}]:`,
      );
    });
}
