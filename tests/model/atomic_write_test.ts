import assert from "node:assert/strict";
import { atomicWriteFile } from "../../src/util/atomic_write.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hwer-atomic-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const namesIn = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("atomicWriteFile() writes text, bytes and chunks, leaving no temp file", async () => {
  await withTempDir(async (dir) => {
    await atomicWriteFile(`${dir}/a.txt`, "héllo");
    await atomicWriteFile(`${dir}/b.bin`, Uint8Array.of(1, 2, 3));
    await atomicWriteFile(`${dir}/c.bin`, [Uint8Array.of(1), Uint8Array.of(2, 3)]);
    await atomicWriteFile(
      new URL(`file://${dir}/d.bin`),
      (async function* () {
        yield Uint8Array.of(9);
        yield new Uint8Array(100_000).fill(7);
      })(),
    );
    assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "héllo");
    assert.deepEqual([...await Deno.readFile(`${dir}/b.bin`)], [1, 2, 3]);
    assert.deepEqual([...await Deno.readFile(`${dir}/c.bin`)], [1, 2, 3]);
    const d = await Deno.readFile(`${dir}/d.bin`);
    assert.equal(d.length, 100_001);
    assert.equal(d[0], 9);
    assert.equal(d[100_000], 7);
    assert.deepEqual(namesIn(dir), ["a.txt", "b.bin", "c.bin", "d.bin"]);
  });
});

Deno.test("atomicWriteFile() replaces an existing file", async () => {
  await withTempDir(async (dir) => {
    await atomicWriteFile(`${dir}/f`, "old content, longer");
    await atomicWriteFile(`${dir}/f`, "new");
    assert.equal(await Deno.readTextFile(`${dir}/f`), "new");
    assert.deepEqual(namesIn(dir), ["f"]);
  });
});

Deno.test("atomicWriteFile() failing mid-write keeps the old file and removes the temp file", async () => {
  await withTempDir(async (dir) => {
    await atomicWriteFile(`${dir}/model.bin`, "the previous model");
    const failing = (async function* () {
      yield new Uint8Array(64 * 1024).fill(1); // some bytes reach the temp file first
      throw new Error("disk on fire");
    })();
    await assert.rejects(() => atomicWriteFile(`${dir}/model.bin`, failing), /disk on fire/);
    assert.equal(await Deno.readTextFile(`${dir}/model.bin`), "the previous model");
    assert.deepEqual(namesIn(dir), ["model.bin"]);

    // The same when there was no file before: nothing appears, not even a partial one.
    const failingAgain = (function* () {
      yield Uint8Array.of(1, 2, 3);
      throw new Error("interrupted");
    })();
    await assert.rejects(() => atomicWriteFile(`${dir}/new.bin`, failingAgain), /interrupted/);
    assert.deepEqual(namesIn(dir), ["model.bin"]);
  });
});

Deno.test("atomicWriteFile() failing at the rename removes the temp file", async () => {
  await withTempDir(async (dir) => {
    // A non-empty folder at the target path: the data is written, the rename fails.
    await Deno.mkdir(`${dir}/target/inner`, { recursive: true });
    await assert.rejects(() => atomicWriteFile(`${dir}/target`, "data"));
    assert.deepEqual(namesIn(dir), ["target"]);
    assert.ok((await Deno.stat(`${dir}/target`)).isDirectory);
  });
});

Deno.test("atomicWriteFile() into a missing folder fails and creates nothing", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(() => atomicWriteFile(`${dir}/no/such/file`, "x"), Deno.errors.NotFound);
    assert.deepEqual(namesIn(dir), []);
  });
});
