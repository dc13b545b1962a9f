// Private helpers: reading files as text and splitting delimited records with
// line numbers, so loaders can report file:line on bad input.
import { DataFormatError, type DataWarning } from "./types.ts";

/** A path the loaders accept. */
export type PathLike = string | URL;

/** The path shown in errors and warnings. */
export function pathLabel(path: PathLike): string {
  if (typeof path === "string") return path;
  return path.protocol === "file:" ? decodeURIComponent(path.pathname) : path.href;
}

/** Joins a folder and a file name, keeping URLs as URLs. */
export function joinPath(dir: PathLike, name: string): PathLike {
  if (typeof dir === "string") return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
  const href = dir.href.endsWith("/") ? dir.href : dir.href + "/";
  return new URL(name, href);
}

/** Text encodings the loaders understand. */
export type TextEncoding = "utf-8" | "latin1" | "auto";

/**
 * Reads a file as text. "auto" tries strict UTF-8 and falls back to Latin-1
 * (Windows-1252) with a warning. A UTF-8 byte-order mark is dropped; a UTF-16
 * one selects UTF-16.
 */
export async function readText(
  path: PathLike,
  encoding: TextEncoding,
  warnings?: DataWarning[],
): Promise<string> {
  const bytes = await Deno.readFile(path);
  return decodeText(bytes, pathLabel(path), encoding, warnings);
}

/** Decodes bytes as {@linkcode readText} does. */
export function decodeText(
  bytes: Uint8Array,
  label: string,
  encoding: TextEncoding,
  warnings?: DataWarning[],
): string {
  // A UTF-16 byte-order mark wins over the requested encoding (spreadsheet exports).
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes);
  if (encoding === "latin1") return new TextDecoder("latin1").decode(bytes);
  if (encoding === "utf-8") return new TextDecoder("utf-8").decode(bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    warnings?.push({
      code: "latin1-fallback",
      count: 1,
      message: `${label}: not valid UTF-8; read as Latin-1 (Windows-1252)`,
    });
    return new TextDecoder("latin1").decode(bytes);
  }
}

/** Called once per non-blank record with its fields, 1-based line and raw text. */
export type RecordHandler = (fields: string[], line: number, raw: string) => void;

/**
 * Splits `text` into records and fields. Handles LF and CRLF, skips blank
 * lines, and (when `quotes`) RFC 4180 quoting: fields that start with `"`
 * may hold the delimiter, `""` and line breaks. `line` is where the record
 * starts. With `fieldCount`, a record with another number of fields throws.
 */
export function forEachRecord(
  text: string,
  delimiter: string,
  file: string,
  quotes: boolean,
  handler: RecordHandler,
  fieldCount?: number,
): void {
  const onRecord: RecordHandler = fieldCount === undefined ? handler : (fields, line, raw) => {
    if (fields.length !== fieldCount) {
      throw new DataFormatError(
        `expected ${fieldCount} fields, found ${fields.length}`,
        file,
        line,
        raw,
      );
    }
    handler(fields, line, raw);
  };
  let pos = 0;
  let line = 1;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = n;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    const raw = text.slice(pos, lineEnd);
    if (!quotes || raw.indexOf('"') < 0) {
      if (raw.trim() !== "") onRecord(raw.split(delimiter), line, raw);
      pos = end + 1;
      line++;
      continue;
    }
    const startLine = line;
    const fields: string[] = [];
    let field = "";
    let i = pos;
    let atFieldStart = true;
    for (;;) {
      if (atFieldStart && text[i] === '"') {
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            throw new DataFormatError("unterminated quoted field", file, startLine, raw);
          }
          const chunk = text.slice(i, q);
          for (let c = 0; c < chunk.length; c++) if (chunk.charCodeAt(c) === 10) line++;
          field += chunk;
          if (text[q + 1] === '"') {
            field += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        atFieldStart = false;
        const c = text[i];
        if (i < n && c !== delimiter && c !== "\n" && c !== "\r") {
          throw new DataFormatError(
            "unexpected text after a closing quote",
            file,
            startLine,
            text.slice(pos, Math.min(n, text.indexOf("\n", i) < 0 ? n : text.indexOf("\n", i))),
          );
        }
        continue;
      }
      if (i >= n || text[i] === "\n" || (text[i] === "\r" && text[i + 1] === "\n")) {
        fields.push(field);
        const stop = i >= n ? n : text[i] === "\r" ? i + 2 : i + 1;
        const rawRecord = text.slice(pos, i);
        pos = stop;
        line++;
        onRecord(fields, startLine, rawRecord);
        break;
      }
      if (text[i] === delimiter) {
        fields.push(field);
        field = "";
        atFieldStart = true;
        i++;
        continue;
      }
      field += text[i];
      atFieldStart = false;
      i++;
    }
  }
}

/** Detects the delimiter of a header line: tab, comma, pipe or semicolon. */
export function sniffDelimiter(header: string, path: string): string {
  if (/\.tsv$/i.test(path)) return "\t";
  if (/\.csv$/i.test(path) && header.includes(",")) return ",";
  for (const d of ["\t", ",", "|", ";"]) if (header.includes(d)) return d;
  return ",";
}

/** Parses a finite number or returns NaN; empty strings are NaN. */
export function parseNumber(text: string): number {
  const t = text.trim();
  if (t === "") return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}
