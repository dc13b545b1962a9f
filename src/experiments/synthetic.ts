/**
 * A generated movie catalogue with planted tastes: items have a title made of
 * words typical of their genres, genres and a year; users have one or two
 * favourite genres, an age and an occupation that leans on their taste, and
 * rate popular items of their favourite genres high. Content, collaborative
 * and hybrid models all have signal to find, so demos, examples and CI can run
 * the whole pipeline without MovieLens.
 *
 * @module
 */
import { buildColumn } from "../data/columns.ts";
import { emptyEntityTable, InteractionsBuilder, internId } from "../data/dataset.ts";
import type { Dataset } from "../data/types.ts";
import { Rng } from "../util/random.ts";

/**
 * Options of {@linkcode syntheticMovies}.
 *
 * @example
 * ```ts
 * import type { SyntheticMoviesOptions } from "./synthetic.ts";
 * const o: SyntheticMoviesOptions = { users: 100, items: 200, seed: 1 };
 * console.log(o.items); // 200
 * ```
 */
export interface SyntheticMoviesOptions {
  /** Users. Default 300. */
  readonly users?: number;
  /** Items. Default 400. */
  readonly items?: number;
  /** Fewest interactions per user. Default 8. */
  readonly minPerUser?: number;
  /** Most interactions per user. Default 40. */
  readonly maxPerUser?: number;
  /** Share of a user's interactions drawn from their favourite genres. Default 0.8. */
  readonly affinity?: number;
  /** Seed of every choice. Default 42. */
  readonly seed?: number;
  /** Dataset name. Default "synthetic-movies". */
  readonly name?: string;
}

/**
 * One generated movie.
 *
 * @example
 * ```ts
 * import type { SyntheticMovie } from "./synthetic.ts";
 * const m: SyntheticMovie = { id: "m1", title: "Galaxy Robot (1999)", genres: ["Sci-Fi"], year: 1999 };
 * console.log(m.genres[0]); // "Sci-Fi"
 * ```
 */
export interface SyntheticMovie {
  /** Item id. */
  readonly id: string;
  /** Title words come from the movie's genres; the year in brackets, as MovieLens. */
  readonly title: string;
  /** One or two genres of {@linkcode SYNTHETIC_GENRES}. */
  readonly genres: readonly string[];
  /** Release year. */
  readonly year: number;
}

/**
 * One generated user.
 *
 * @example
 * ```ts
 * import type { SyntheticUser } from "./synthetic.ts";
 * const u: SyntheticUser = { id: "u1", age: 30, occupation: "engineer", favourites: ["Sci-Fi"] };
 * console.log(u.occupation); // "engineer"
 * ```
 */
export interface SyntheticUser {
  /** User id. */
  readonly id: string;
  /** Age in years. */
  readonly age: number;
  /** Occupation; usually the one that goes with the first favourite genre. */
  readonly occupation: string;
  /** Favourite genres (hidden from models: the truth the data was drawn from). */
  readonly favourites: readonly string[];
}

/**
 * The generated catalogue: movies, users and ratings with ids.
 *
 * @example
 * ```ts
 * import { syntheticMovies } from "./synthetic.ts";
 * const s = syntheticMovies({ users: 20, items: 30, seed: 1 });
 * console.log(s.users.length, s.movies.length); // 20 30
 * ```
 */
export interface SyntheticMovies {
  /** The movies. */
  readonly movies: readonly SyntheticMovie[];
  /** The users. */
  readonly users: readonly SyntheticUser[];
  /** `[user id, item id, rating 1–5, timestamp]`. */
  readonly ratings: readonly (readonly [string, string, number, number])[];
  /** The dataset name. */
  readonly name: string;
}

/**
 * The genres, each with the title words typical of it and the occupation of
 * its typical fan.
 *
 * @example
 * ```ts
 * import { SYNTHETIC_GENRES } from "./synthetic.ts";
 * console.log(SYNTHETIC_GENRES.map((g) => g.name).includes("Sci-Fi")); // true
 * ```
 */
export const SYNTHETIC_GENRES: readonly {
  readonly name: string;
  readonly words: readonly string[];
  readonly occupation: string;
}[] = [
  {
    name: "Action",
    words: ["Fury", "Strike", "Mission", "Bullet", "Chase", "Vengeance", "Siege"],
    occupation: "technician",
  },
  {
    name: "Comedy",
    words: ["Wedding", "Roommates", "Vacation", "Party", "Mixup", "Neighbours", "Pranks"],
    occupation: "salesman",
  },
  {
    name: "Drama",
    words: ["Letters", "Silence", "River", "Winter", "Promise", "Memory", "Orchard"],
    occupation: "writer",
  },
  {
    name: "Romance",
    words: ["Love", "Heart", "Kiss", "Paris", "Sweetheart", "Forever", "Valentine"],
    occupation: "artist",
  },
  {
    name: "Sci-Fi",
    words: ["Galaxy", "Robot", "Star", "Planet", "Android", "Orbit", "Nebula"],
    occupation: "engineer",
  },
  {
    name: "Horror",
    words: ["Haunting", "Curse", "Blood", "Shadow", "Nightmare", "Crypt", "Zombie"],
    occupation: "student",
  },
  {
    name: "Animation",
    words: ["Bunny", "Dragon", "Toy", "Kingdom", "Puppy", "Magic", "Penguin"],
    occupation: "homemaker",
  },
  {
    name: "Documentary",
    words: ["Oceans", "Journey", "Truth", "Wild", "Volcano", "Empire", "Glacier"],
    occupation: "educator",
  },
];

/**
 * Generates a catalogue. Items get Zipf-like popularity; each rating is drawn
 * from the user's favourite genres with probability `affinity` (rated 4–5
 * mostly), else from the whole catalogue (rated 1–3 mostly).
 *
 * @param options sizes, affinity and seed
 * @returns movies, users and ratings
 * @throws {RangeError} for sizes that are not positive integers or an affinity outside [0, 1]
 * @example
 * ```ts
 * import { syntheticMovies } from "./synthetic.ts";
 * const { ratings } = syntheticMovies({ users: 10, items: 20, minPerUser: 3, maxPerUser: 5, seed: 7 });
 * console.log(ratings.length >= 30 && ratings.length <= 50); // true
 * ```
 */
export function syntheticMovies(options: SyntheticMoviesOptions = {}): SyntheticMovies {
  const nUsers = positiveInteger("users", options.users ?? 300);
  const nItems = positiveInteger("items", options.items ?? 400);
  const minPerUser = positiveInteger("minPerUser", options.minPerUser ?? 8);
  const maxPerUser = positiveInteger("maxPerUser", options.maxPerUser ?? 40);
  if (maxPerUser < minPerUser) {
    throw new RangeError(`maxPerUser (${maxPerUser}) must be at least minPerUser (${minPerUser})`);
  }
  const affinity = options.affinity ?? 0.8;
  if (!(affinity >= 0 && affinity <= 1)) {
    throw new RangeError(`affinity must be in [0, 1], got ${affinity}`);
  }
  const rng = new Rng(options.seed ?? 42);
  const G = SYNTHETIC_GENRES.length;

  const movies: SyntheticMovie[] = [];
  const itemGenres: number[][] = [];
  for (let i = 0; i < nItems; i++) {
    const first = rng.int(G);
    const genres = [first];
    if (rng.next() < 0.35) genres.push((first + 1 + rng.int(G - 1)) % G);
    const words = new Set<string>();
    const wordsWanted = 1 + rng.int(2);
    while (words.size < wordsWanted) words.add(pick(rng, SYNTHETIC_GENRES[first].words));
    if (genres.length > 1) words.add(pick(rng, SYNTHETIC_GENRES[genres[1]].words));
    const year = 1950 + rng.int(71);
    const article = rng.next() < 0.4 ? "The " : "";
    movies.push({
      id: `m${i + 1}`,
      title: `${article}${[...words].join(" ")} (${year})`,
      genres: genres.map((g) => SYNTHETIC_GENRES[g].name),
      year,
    });
    itemGenres.push(genres);
  }
  // Zipf-like popularity over a random order of the items.
  const order = Array.from({ length: nItems }, (_, i) => i);
  for (let i = nItems - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const popularity = new Float64Array(nItems);
  order.forEach((item, rank) => (popularity[item] = 1 / Math.pow(rank + 5, 0.9)));
  const byGenre = Array.from(
    { length: G },
    (_, g) => sampler(popularity, (i) => itemGenres[i].includes(g)),
  );
  const anyItem = sampler(popularity, () => true);

  const users: SyntheticUser[] = [];
  const ratings: [string, string, number, number][] = [];
  const occupations = SYNTHETIC_GENRES.map((g) => g.occupation);
  let time = 880_000_000;
  for (let u = 0; u < nUsers; u++) {
    const favourites = [rng.int(G)];
    if (rng.next() < 0.5) favourites.push((favourites[0] + 1 + rng.int(G - 1)) % G);
    const user: SyntheticUser = {
      id: `u${u + 1}`,
      age: 16 + rng.int(55) + (favourites[0] === 6 ? -8 : 0),
      occupation: rng.next() < 0.6 ? occupations[favourites[0]] : pick(rng, occupations),
      favourites: favourites.map((g) => SYNTHETIC_GENRES[g].name),
    };
    users.push(user);
    const want = Math.min(nItems, minPerUser + rng.int(maxPerUser - minPerUser + 1));
    const seen = new Set<number>();
    for (let tries = 0; seen.size < want && tries < want * 20; tries++) {
      const liked = rng.next() < affinity;
      const draw = liked ? byGenre[favourites[rng.int(favourites.length)]] : anyItem;
      const item = draw(rng);
      if (item < 0 || seen.has(item)) continue;
      seen.add(item);
      const fan = itemGenres[item].some((g) => favourites.includes(g));
      const base = fan ? 4.3 : 2.3;
      const rating = Math.min(5, Math.max(1, Math.round(base + 0.8 * rng.normal())));
      time += 1 + rng.int(3600);
      ratings.push([user.id, movies[item].id, rating, time]);
    }
  }
  return { movies, users, ratings, name: options.name ?? "synthetic-movies" };
}

/**
 * Generates a catalogue (see {@linkcode syntheticMovies}) as a {@linkcode Dataset}
 * with MovieLens-like columns: items `title` (text), `genres`
 * (multi-categorical) and `year` (numeric); users `age` (numeric) and
 * `occupation` (categorical). Ratings are on a 1–5 scale.
 *
 * @param options sizes, affinity and seed
 * @returns the dataset
 * @example
 * ```ts
 * import { syntheticMovieDataset } from "./synthetic.ts";
 * const ds = syntheticMovieDataset({ users: 30, items: 40, seed: 3 });
 * console.log(ds.items.columns.map((c) => c.name)); // ["title", "genres", "year"]
 * ```
 */
export function syntheticMovieDataset(options: SyntheticMoviesOptions = {}): Dataset {
  return syntheticToDataset(syntheticMovies(options));
}

/**
 * Turns a generated catalogue into a dataset (see {@linkcode syntheticMovieDataset}).
 *
 * @param synthetic the catalogue
 * @returns the dataset; movies and users without ratings are kept
 * @example
 * ```ts
 * import { syntheticMovies, syntheticToDataset } from "./synthetic.ts";
 * const ds = syntheticToDataset(syntheticMovies({ users: 5, items: 50, seed: 1 }));
 * console.log(ds.items.ids.length); // 50
 * ```
 */
export function syntheticToDataset(synthetic: SyntheticMovies): Dataset {
  const { movies, users } = synthetic;
  // Dense ids in catalogue order, so entities without ratings keep their place.
  const userTable = emptyEntityTable(), itemTable = emptyEntityTable();
  for (const u of users) internId(userTable, u.id);
  for (const m of movies) internId(itemTable, m.id);
  const builder = new InteractionsBuilder(true, true);
  for (const [u, i, r, t] of synthetic.ratings) {
    builder.push(internId(userTable, u), internId(itemTable, i), r, t);
  }
  userTable.columns.push(
    buildColumn("age", users.map((u) => String(u.age)), { kind: "numeric" }),
    buildColumn("occupation", users.map((u) => u.occupation), { kind: "categorical" }),
  );
  itemTable.columns.push(
    buildColumn("title", movies.map((m) => m.title), { kind: "text" }),
    buildColumn("genres", movies.map((m) => m.genres.join("|")), {
      kind: "multiCategorical",
      separator: "|",
    }),
    buildColumn("year", movies.map((m) => String(m.year)), { kind: "numeric" }),
  );
  return {
    name: synthetic.name,
    users: userTable,
    items: itemTable,
    interactions: builder.build(),
    ratingScale: { min: 1, max: 5 },
    warnings: [],
  };
}

/**
 * Generates a catalogue as the generic format's CSV files (see docs/DATA.md):
 * `ratings.csv` (user,item,rating,timestamp), `items.csv`
 * (id,title,genres,year) and `users.csv` (id,age,occupation).
 *
 * @param synthetic the catalogue (from {@linkcode syntheticMovies})
 * @returns the three files' text
 * @example
 * ```ts
 * import { syntheticMovieCsv, syntheticMovies } from "./synthetic.ts";
 * const files = syntheticMovieCsv(syntheticMovies({ users: 5, items: 8, seed: 2 }));
 * console.log(files["items.csv"].split("\n")[0]); // "id,title,genres,year"
 * ```
 */
export function syntheticMovieCsv(
  synthetic: SyntheticMovies,
): { "ratings.csv": string; "items.csv": string; "users.csv": string } {
  const lines = (rows: string[]) => `${rows.join("\n")}\n`;
  return {
    "ratings.csv": lines([
      "user,item,rating,timestamp",
      ...synthetic.ratings.map((r) => r.join(",")),
    ]),
    "items.csv": lines([
      "id,title,genres,year",
      ...synthetic.movies.map((m) => `${m.id},${m.title},${m.genres.join("|")},${m.year}`),
    ]),
    "users.csv": lines([
      "id,age,occupation",
      ...synthetic.users.map((u) => `${u.id},${u.age},${u.occupation}`),
    ]),
  };
}

function pick<T>(rng: Rng, values: readonly T[]): T {
  return values[rng.int(values.length)];
}

/** A popularity-weighted sampler over the items that pass `keep`; -1 when none do. */
function sampler(weights: Float64Array, keep: (item: number) => boolean): (rng: Rng) => number {
  const items: number[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    if (!keep(i)) continue;
    total += weights[i];
    items.push(i);
    cumulative.push(total);
  }
  return (rng) => {
    if (items.length === 0) return -1;
    const target = rng.next() * total;
    let lo = 0, hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return items[lo];
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}
