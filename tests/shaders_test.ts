import assert from "node:assert/strict";
import * as embedded from "../shaders/wgsl.ts";

Deno.test("shaders/wgsl.ts embeds every shaders/*.wgsl file verbatim", async () => {
  const dir = new URL("../shaders/", import.meta.url);
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.endsWith(".wgsl")) names.push(entry.name);
  }
  assert.ok(names.length >= 4, `expected the cosine top-k shaders, found ${names.join(", ")}`);
  for (const name of names) {
    const constant = name.replace(/\.wgsl$/, "").toUpperCase().replace(/[^A-Z0-9]+/g, "_") +
      "_WGSL";
    const source = await Deno.readTextFile(new URL(name, dir));
    assert.equal(
      (embedded as Record<string, string>)[constant],
      source,
      `${constant} is stale: run deno task shaders`,
    );
  }
});
