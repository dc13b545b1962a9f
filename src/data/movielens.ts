/**
 * Loaders for the GroupLens MovieLens folders: ML-100K (with its official
 * u1–u5, ua, ub splits) and ml-latest-small.
 *
 * @module
 */
import { buildColumn } from "./columns.ts";
import { emptyEntityTable, internId, withInteractions } from "./dataset.ts";
import { parseInteractions } from "./_interactions.ts";
import { forEachRecord, joinPath, pathLabel, type PathLike, readText } from "./_text.ts";
import {
  DataFormatError,
  type Dataset,
  type DataWarning,
  type EntityTable,
  type RatingScale,
  type Split,
} from "./types.ts";

/** Rating scale of ML-100K: whole stars 1..5. */
export const ML_100K_SCALE: RatingScale = { min: 1, max: 5 };
/** Rating scale of ml-latest-small: half stars 0.5..5. */
export const ML_LATEST_SMALL_SCALE: RatingScale = { min: 0.5, max: 5 };

/** Names of the official ML-100K splits. */
export type MovieLens100kFold = "u1" | "u2" | "u3" | "u4" | "u5" | "ua" | "ub";

/**
 * Loads an ML-100K folder (`u.data`, `u.item`, `u.user`, `u.genre`).
 *
 * Users (in `u.user` order) get `age` (numeric), `gender`, `occupation`,
 * `zip` (categorical). Items (in `u.item` order, read as Latin-1) get `title`
 * (text, the trailing "(year)" removed), `year` (numeric, from the release
 * date or else the title) and `genres` (multi-categorical, from the 19 flags
 * named in `u.genre`). Ratings 1..5 with Unix timestamps.
 *
 * @param dir the folder
 * @returns the dataset, named "ml-100k"
 * @throws {DataFormatError} on a malformed line
 * @example
 * ```ts ignore
 * import { loadMovieLens100k } from "./movielens.ts";
 * const ds = await loadMovieLens100k("../shared/data/ml-100k");
 * console.log(ds.interactions.length); // 100000
 * ```
 */
export async function loadMovieLens100k(dir: PathLike): Promise<Dataset> {
  const warnings: DataWarning[] = [];
  const users = emptyEntityTable();
  const items = emptyEntityTable();

  const userPath = joinPath(dir, "u.user");
  const userFile = pathLabel(userPath);
  const userRaw: string[][] = [[], [], [], []];
  forEachRecord(await readText(userPath, "utf-8"), "|", userFile, false, (f, line, raw) => {
    addEntity(users, f[0], userFile, line, raw);
    for (let c = 0; c < 4; c++) userRaw[c].push(f[c + 1]);
  }, 5);
  users.columns.push(
    buildColumn("age", userRaw[0], { kind: "numeric" }, (row) => {
      throw new DataFormatError("age is not a number", userFile, row + 1, userRaw[0][row]);
    }),
    buildColumn("gender", userRaw[1], { kind: "categorical" }),
    buildColumn("occupation", userRaw[2], { kind: "categorical" }),
    buildColumn("zip", userRaw[3], { kind: "categorical" }),
  );

  const genrePath = joinPath(dir, "u.genre");
  const genreFile = pathLabel(genrePath);
  const genreNames: string[] = [];
  forEachRecord(await readText(genrePath, "latin1"), "|", genreFile, false, (f, line, raw) => {
    const flag = Number(f[1]);
    if (f.length !== 2 || !Number.isInteger(flag) || flag !== genreNames.length) {
      throw new DataFormatError("expected 'name|index' in order", genreFile, line, raw);
    }
    genreNames.push(f[0]);
  });

  const itemPath = joinPath(dir, "u.item");
  const itemFile = pathLabel(itemPath);
  const titles: string[] = [];
  const years = new Array<number>();
  const genres: string[][] = [];
  const fieldCount = 5 + genreNames.length;
  forEachRecord(await readText(itemPath, "latin1"), "|", itemFile, false, (f, line, raw) => {
    addEntity(items, f[0], itemFile, line, raw);
    const { title, year } = splitTitleYear(f[1]);
    titles.push(title);
    const dateYear = /(\d{4})\s*$/.exec(f[2]);
    years.push(dateYear ? Number(dateYear[1]) : year);
    const list: string[] = [];
    for (let g = 0; g < genreNames.length; g++) {
      const flag = f[5 + g];
      if (flag === "1") list.push(genreNames[g]);
      else if (flag !== "0") {
        throw new DataFormatError(
          `genre flag ${JSON.stringify(flag)} is not 0 or 1`,
          itemFile,
          line,
          raw,
        );
      }
    }
    genres.push(list);
  }, fieldCount);
  items.columns.push(
    { kind: "text", name: "title", values: titles },
    { kind: "numeric", name: "year", values: Float64Array.from(years) },
    { kind: "multiCategorical", name: "genres", values: genres, vocab: [...genreNames] },
  );

  const dataPath = joinPath(dir, "u.data");
  const interactions = parseInteractions(
    await readText(dataPath, "utf-8"),
    { user: 0, item: 1, rating: 2, timestamp: 3, fieldCount: 4 },
    users,
    items,
    {
      file: pathLabel(dataPath),
      delimiter: "\t",
      quotes: false,
      skipHeader: false,
      scale: ML_100K_SCALE,
      unknownUsers: "error",
      unknownItems: "error",
      warnings,
    },
  );
  return { name: "ml-100k", users, items, interactions, ratingScale: ML_100K_SCALE, warnings };
}

/**
 * Reads one official ML-100K split (`<fold>.base` / `<fold>.test`) in the id
 * space of a dataset loaded with {@linkcode loadMovieLens100k}.
 *
 * @param dir the ML-100K folder
 * @param dataset the loaded ML-100K dataset (its tables are shared)
 * @param fold "u1".."u5" (80/20 folds) or "ua"/"ub" (10 ratings per user held out)
 * @returns the split, kind "official-fold", named "ml-100k/<fold>"
 * @throws {DataFormatError} on a malformed line or an id the dataset lacks
 * @example
 * ```ts ignore
 * import { loadMovieLens100k, loadMovieLens100kFold } from "./movielens.ts";
 * const ds = await loadMovieLens100k("../shared/data/ml-100k");
 * const u1 = await loadMovieLens100kFold("../shared/data/ml-100k", ds, "u1");
 * console.log(u1.train.interactions.length, u1.test.interactions.length); // 80000 20000
 * ```
 */
export async function loadMovieLens100kFold(
  dir: PathLike,
  dataset: Dataset,
  fold: MovieLens100kFold,
): Promise<Split> {
  const read = async (suffix: string) => {
    const path = joinPath(dir, `${fold}.${suffix}`);
    const warnings: DataWarning[] = [];
    const interactions = parseInteractions(
      await readText(path, "utf-8"),
      { user: 0, item: 1, rating: 2, timestamp: 3, fieldCount: 4 },
      dataset.users,
      dataset.items,
      {
        file: pathLabel(path),
        delimiter: "\t",
        quotes: false,
        skipHeader: false,
        scale: ML_100K_SCALE,
        unknownUsers: "error",
        unknownItems: "error",
        warnings,
      },
    );
    return { ...withInteractions(dataset, interactions, `ml-100k/${fold}.${suffix}`), warnings };
  };
  return {
    name: `ml-100k/${fold}`,
    kind: "official-fold",
    train: await read("base"),
    test: await read("test"),
  };
}

/**
 * The five official 80/20 folds u1–u5 of ML-100K.
 *
 * @param dir the ML-100K folder
 * @param dataset the loaded ML-100K dataset
 * @returns five splits
 * @example
 * ```ts ignore
 * import { loadMovieLens100k, loadMovieLens100kFolds } from "./movielens.ts";
 * const dir = "../shared/data/ml-100k";
 * const folds = await loadMovieLens100kFolds(dir, await loadMovieLens100k(dir));
 * console.log(folds.length); // 5
 * ```
 */
export function loadMovieLens100kFolds(dir: PathLike, dataset: Dataset): Promise<Split[]> {
  const folds: MovieLens100kFold[] = ["u1", "u2", "u3", "u4", "u5"];
  return Promise.all(folds.map((fold) => loadMovieLens100kFold(dir, dataset, fold)));
}

/**
 * Loads an ml-latest-small folder (`ratings.csv`, `movies.csv`, `tags.csv`,
 * `links.csv`; CSV with a header, CRLF or LF, quoted titles).
 *
 * Items (in `movies.csv` order) get `title` (text, "(year)" removed), `year`
 * (numeric, from the title), `genres` (multi-categorical from `|`, "(no genres
 * listed)" → none), `tags` (text: the movie's distinct tags in first-seen
 * order joined by ", ") and `imdbId`, `tmdbId` (categorical). Users are the
 * raters, in first-seen order, without features. Ratings 0.5..5.
 *
 * @param dir the folder
 * @returns the dataset, named "ml-latest-small"
 * @throws {DataFormatError} on a malformed line
 * @example
 * ```ts ignore
 * import { loadMovieLensLatestSmall } from "./movielens.ts";
 * const ds = await loadMovieLensLatestSmall("../shared/data/ml-latest-small");
 * console.log(ds.items.ids.length); // 9742
 * ```
 */
export async function loadMovieLensLatestSmall(dir: PathLike): Promise<Dataset> {
  const warnings: DataWarning[] = [];
  const users = emptyEntityTable();
  const items = emptyEntityTable();

  const moviesPath = joinPath(dir, "movies.csv");
  const moviesFile = pathLabel(moviesPath);
  const titles: string[] = [];
  const years: number[] = [];
  const genres: string[] = [];
  forEachRecord(await readText(moviesPath, "utf-8"), ",", moviesFile, true, (f, line, raw) => {
    if (line === 1 && f[0] === "movieId") return;
    addEntity(items, f[0], moviesFile, line, raw);
    const { title, year } = splitTitleYear(f[1]);
    titles.push(title);
    years.push(year);
    genres.push(f[2] === "(no genres listed)" ? "" : f[2]);
  }, 3);

  const ratingsPath = joinPath(dir, "ratings.csv");
  const interactions = parseInteractions(
    await readText(ratingsPath, "utf-8"),
    { user: 0, item: 1, rating: 2, timestamp: 3, fieldCount: 4 },
    users,
    items,
    {
      file: pathLabel(ratingsPath),
      delimiter: ",",
      quotes: true,
      skipHeader: true,
      scale: ML_LATEST_SMALL_SCALE,
      unknownUsers: "add",
      unknownItems: "add-and-warn",
      warnings,
    },
  );

  const tagsPath = joinPath(dir, "tags.csv");
  const tagsFile = pathLabel(tagsPath);
  const tagSets = new Map<number, Set<string>>();
  forEachRecord(await readText(tagsPath, "utf-8"), ",", tagsFile, true, (f, line) => {
    if (line === 1 && f[0] === "userId") return;
    const item = items.index.get(f[1]);
    if (item === undefined) return; // a tag on a movie outside movies.csv carries no content
    let set = tagSets.get(item);
    if (!set) tagSets.set(item, set = new Set());
    const tag = f[2].trim();
    if (tag !== "") set.add(tag);
  }, 4);

  const linksPath = joinPath(dir, "links.csv");
  const linksFile = pathLabel(linksPath);
  const imdb = new Array<string>(items.ids.length).fill("");
  const tmdb = new Array<string>(items.ids.length).fill("");
  forEachRecord(await readText(linksPath, "utf-8"), ",", linksFile, true, (f, line) => {
    if (line === 1 && f[0] === "movieId") return;
    const item = items.index.get(f[0]);
    if (item === undefined) return;
    imdb[item] = f[1];
    tmdb[item] = f[2];
  }, 3);

  const n = items.ids.length;
  const pad = <T>(a: T[], fill: T) => {
    while (a.length < n) a.push(fill);
    return a;
  };
  const tags = Array.from({ length: n }, (_, i) => [...(tagSets.get(i) ?? [])].join(", "));
  items.columns.push(
    { kind: "text", name: "title", values: pad(titles, "") },
    { kind: "numeric", name: "year", values: Float64Array.from(pad(years, NaN)) },
    buildColumn("genres", pad(genres, ""), { kind: "multiCategorical", separator: "|" }),
    { kind: "text", name: "tags", values: tags },
    buildColumn("imdbId", imdb, { kind: "categorical" }),
    buildColumn("tmdbId", tmdb, { kind: "categorical" }),
  );
  return {
    name: "ml-latest-small",
    users,
    items,
    interactions,
    ratingScale: ML_LATEST_SMALL_SCALE,
    warnings,
  };
}

/**
 * Splits a MovieLens title "Heat (1995)" into "Heat" and 1995. The rest of the
 * title stays as written (e.g. "Usual Suspects, The").
 *
 * @param raw the title as in the file
 * @returns the title without the year, and the year (NaN when absent)
 * @example
 * ```ts
 * import { splitTitleYear } from "./movielens.ts";
 * console.log(splitTitleYear("Heat (1995)")); // { title: "Heat", year: 1995 }
 * ```
 */
export function splitTitleYear(raw: string): { title: string; year: number } {
  const m = /^(.*?)\s*\((\d{4})(?:[–-]\d{0,4})?\)\s*$/.exec(raw);
  if (!m) return { title: raw.trim(), year: NaN };
  return { title: m[1], year: Number(m[2]) };
}

function addEntity(table: EntityTable, id: string, file: string, line: number, raw: string): void {
  const key = id.trim();
  if (key === "") throw new DataFormatError("empty id", file, line, raw);
  if (table.index.has(key)) throw new DataFormatError(`duplicate id ${key}`, file, line, raw);
  internId(table, key);
}
