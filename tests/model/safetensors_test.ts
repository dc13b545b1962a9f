import assert from "node:assert/strict";
import {
  decodeSafetensors,
  dtypeOf,
  encodeSafetensors,
  ModelFileError,
  readSafetensorsFile,
  type StoredTensor,
  writeSafetensorsFile,
} from "../../src/model/safetensors.ts";

/** A hand-written safetensors file: 8-byte length, JSON header, data. */
function fileOf(header: string, data: number[] = [], declaredLength?: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function assertModelFileError(fn: () => unknown, pattern: RegExp, file = "bad.safetensors") {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ModelFileError, `expected ModelFileError, got ${e}`);
    assert.equal(e.file, file);
    assert.match(e.message, pattern);
    assert.ok(e.message.startsWith(`${file}: `), e.message);
    return true;
  });
}

Deno.test("encodeSafetensors() writes the byte layout of the specification", () => {
  const bytes = encodeSafetensors(
    {
      w: { shape: [2], data: Float32Array.of(1, -2) },
      ids: { shape: [1], data: Int32Array.of(7) },
    },
    { format: "hwer" },
  );
  // Computed by hand from the specification. Both dtypes are 4 bytes wide, so
  // the order is by name: "ids" (data bytes 0..4), then "w" (4..12).
  const header = '{"__metadata__":{"format":"hwer"},' +
    '"ids":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},' +
    '"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}';
  // 1 + 15 ("__metadata__":) + 17 ({"format":"hwer"}) + 1 + 6 ("ids":) + 48 + 1 + 4 ("w":) + 49 + 1
  assert.equal(header.length, 143);
  const expected = [
    // N = 144 (143 bytes of JSON + 1 space of padding to a multiple of 8), u64 little-endian
    0x90,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    ...new TextEncoder().encode(header),
    0x20,
    // ids: int32 7, little-endian
    0x07,
    0x00,
    0x00,
    0x00,
    // w: float32 1.0 = 0x3F800000, -2.0 = 0xC0000000, little-endian
    0x00,
    0x00,
    0x80,
    0x3f,
    0x00,
    0x00,
    0x00,
    0xc0,
  ];
  assert.equal(expected.length, 8 + 144 + 12);
  assert.deepEqual([...bytes], expected);
});

Deno.test("encodeSafetensors() omits __metadata__ when empty and pads with spaces to 8", () => {
  const bytes = encodeSafetensors({ x: { shape: [], data: Float64Array.of(0.5) } });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.equal(n % 8, 0);
  assert.equal(header.trimEnd(), '{"x":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}');
  assert.match(header, /^[^ ]* *$/); // only trailing spaces
  assert.equal(bytes.length, 8 + n + 8);
});

Deno.test("encodeSafetensors() and decodeSafetensors() round-trip every dtype", () => {
  const tensors: Record<string, StoredTensor> = {
    f64: { shape: [2, 3], data: Float64Array.of(0, -0, 1.5, NaN, Infinity, -Number.MAX_VALUE) },
    f32: { shape: [3], data: Float32Array.of(Math.PI, -Infinity, 1e-40) },
    i64: { shape: [2], data: BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n) },
    u64: { shape: [1], data: BigUint64Array.of(2n ** 64n - 1n) },
    i32: { shape: [3, 1], data: Int32Array.of(-(2 ** 31), 0, 2 ** 31 - 1) },
    u32: { shape: [2], data: Uint32Array.of(0, 2 ** 32 - 1) },
    i16: { shape: [3], data: Int16Array.of(-32768, 1, 32767) },
    u16: { shape: [1, 1, 1], data: Uint16Array.of(65535) },
    i8: { shape: [5], data: Int8Array.of(-128, -1, 0, 1, 127) },
    u8: { shape: [3], data: Uint8Array.of(0, 128, 255) },
    empty: { shape: [0, 4], data: new Float32Array(0) },
    scalar: { shape: [], data: Int32Array.of(42) },
  };
  const metadata = { format: "hwer", "note with ünïcode": '✓ "quoted"\n' };
  const bytes = encodeSafetensors(tensors, metadata);
  const decoded = decodeSafetensors(bytes, "roundtrip.safetensors");
  assert.deepEqual(decoded.metadata, metadata);
  assert.deepEqual(Object.keys(decoded.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, tensor] of Object.entries(tensors)) {
    const got = decoded.tensors[name];
    assert.equal(got.dtype, dtypeOf(tensor.data), name);
    assert.deepEqual(got.shape, tensor.shape, name);
    assert.equal(got.data.constructor, tensor.data.constructor, name);
    // Compare bytes so NaN and -0 count as equal only when bit-identical.
    const bytesOf = (
      a: StoredTensor["data"],
    ) => [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];
    assert.deepEqual(bytesOf(got.data), bytesOf(tensor.data), name);
  }
});

Deno.test("encodeSafetensors() aligns every tensor to its element size", () => {
  const bytes = encodeSafetensors({
    a: { shape: [3], data: Uint8Array.of(1, 2, 3) },
    b: { shape: [1], data: Float64Array.of(1) },
    c: { shape: [1], data: Int16Array.of(1) },
    d: { shape: [1], data: Float32Array.of(1) },
  }, { k: "v" });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.equal((8 + n) % 8, 0);
  const sizes: Record<string, number> = { F64: 8, F32: 4, I16: 2, U8: 1 };
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype, data_offsets } = info as { dtype: string; data_offsets: number[] };
    assert.equal(data_offsets[0] % sizes[dtype], 0, name);
  }
  assert.deepEqual(header.b.data_offsets, [0, 8]);
  assert.deepEqual(header.a.data_offsets, [14, 17]);
});

Deno.test("encodeSafetensors() encodes a subarray view, not its whole buffer", () => {
  const big = Float32Array.of(9, 1, 2, 9);
  const bytes = encodeSafetensors({ v: { shape: [2], data: big.subarray(1, 3) } });
  assert.deepEqual([...decodeSafetensors(bytes).tensors.v.data], [1, 2]);
});

Deno.test("encodeSafetensors() refuses bad names, shapes and metadata", () => {
  const data = Float32Array.of(1, 2);
  assert.throws(
    () => encodeSafetensors({ v: { shape: [3], data } }),
    /shape \[3\] has 3 elements but the data has 2/,
  );
  assert.throws(
    () => encodeSafetensors({ v: { shape: [-2], data } }),
    /not a list of non-negative integers/,
  );
  assert.throws(() => encodeSafetensors({ v: { shape: [1.5], data } }), /non-negative integers/);
  assert.throws(() => encodeSafetensors({ "": { shape: [2], data } }), /name "" is not allowed/);
  assert.throws(() => encodeSafetensors({ __metadata__: { shape: [2], data } }), /not allowed/);
  assert.throws(
    () => encodeSafetensors({ v: { shape: [2], data } }, { n: 3 as unknown as string }),
    /metadata "n" must be a string/,
  );
  assert.throws(
    () =>
      encodeSafetensors({
        v: { shape: [1], data: new Uint8ClampedArray(1) as unknown as Uint8Array },
      }),
    /no safetensors dtype/,
  );
});

Deno.test("decodeSafetensors() reads files from other writers: no padding, any key order", () => {
  const header = '{"b":{"shape":[1],"data_offsets":[4,8],"dtype":"I32"},' +
    '"a":{"dtype":"F32","data_offsets":[0,4],"shape":[]}}';
  const decoded = decodeSafetensors(fileOf(header, [0, 0, 0x80, 0x3f, 5, 0, 0, 0]));
  assert.deepEqual(Object.keys(decoded.tensors), ["a", "b"]); // data order
  assert.deepEqual([...decoded.tensors.a.data], [1]);
  assert.deepEqual([...decoded.tensors.b.data], [5]);
  assert.deepEqual(decoded.metadata, {});
});

Deno.test("decodeSafetensors() reports a malformed header with the file name", () => {
  const ok = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
  const four = [0, 0, 0x80, 0x3f];
  const cases: [string, Uint8Array, RegExp][] = [
    ["too short", new Uint8Array(5), /file is 5 bytes, shorter than the 8-byte header length/],
    [
      "length past the end",
      fileOf(ok, four, 1000),
      /header length 1000 runs past the end of the \d+-byte file \(truncated\?\)/,
    ],
    [
      "length over 100 MB",
      fileOf(ok, four, 2 ** 40),
      /header length 1099511627776 exceeds the 100000000-byte limit/,
    ],
    ["not JSON", fileOf('{"a":{"dtype":"F32",', four), /header is not valid JSON/],
    [
      "not an object",
      fileOf("[1,2]", four),
      /header does not start with "\{"/,
    ],
    [
      "JSON null",
      fileOf('{"a":null}', four),
      /tensor "a": entry is not an object/,
    ],
    [
      "not UTF-8",
      fileOf('{"a":1}').map((b, i) => (i === 10 ? 0xff : b)),
      /header is not valid UTF-8/,
    ],
    [
      "unknown dtype",
      fileOf(ok.replace("F32", "F16"), [0, 0]),
      /dtype "F16" is not one of F64, F32/,
    ],
    [
      "shape mismatch",
      fileOf(ok.replace("[1]", "[2]"), four),
      /shape \[2\] of F32 needs 8 bytes but data_offsets \[0, 4\] hold 4/,
    ],
    [
      "bad shape",
      fileOf(ok.replace("[1]", '["1"]'), four),
      /shape \["1"\] is not a list of non-negative integers/,
    ],
    [
      "bad offsets",
      fileOf(ok.replace("[0,4]", "[0]"), four),
      /data_offsets \[0\] is not \[begin, end\]/,
    ],
    ["reversed offsets", fileOf(ok.replace("[0,4]", "[4,0]"), four), /end before they begin/],
    [
      "truncated data",
      fileOf(ok, [0, 0]),
      /data ends at byte 4 of the data section, which has only 2 bytes \(truncated\?\)/,
    ],
    [
      "trailing bytes",
      fileOf(ok, [...four, 1, 2]),
      /data section has 6 bytes but the tensors cover 4; 2 trailing bytes/,
    ],
    [
      "bad metadata",
      fileOf('{"__metadata__":{"n":3},' + ok.slice(1), four),
      /__metadata__.n is 3, not a string/,
    ],
    [
      "metadata not an object",
      fileOf('{"__metadata__":[],' + ok.slice(1), four),
      /__metadata__ is not an object/,
    ],
    [
      "duplicate tensor",
      fileOf(ok.slice(0, -1) + "," + ok.slice(1), four),
      /header names "a" twice/,
    ],
    [
      "duplicate after unescaping",
      fileOf('{"__metadata__":{"k":"1","\\u006b":"2"},' + ok.slice(1), four),
      /header names "k" twice/,
    ],
    [
      "gap",
      fileOf(
        '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}',
        [1, 2, 3],
      ),
      /1 bytes at offset 1 belong to no tensor \(gap before tensor "b"\)/,
    ],
    [
      "overlap",
      fileOf(
        '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}',
        [1, 2, 3],
      ),
      /tensor "b" overlaps tensor "a" \(starts at 1, before 2\)/,
    ],
    [
      "not starting at 0",
      fileOf('{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', [1, 2]),
      /1 bytes at offset 0 belong to no tensor/,
    ],
  ];
  for (const [what, bytes, pattern] of cases) {
    try {
      decodeSafetensors(bytes, "bad.safetensors");
      assert.fail(`${what}: no error`);
    } catch (e) {
      assert.ok(e instanceof ModelFileError, `${what}: ${e}`);
      assert.equal(e.file, "bad.safetensors", what);
      assert.match(e.message, pattern, what);
    }
  }
});

Deno.test("decodeSafetensors() on a truncated encoder output names the problem", () => {
  const bytes = encodeSafetensors({ v: { shape: [100], data: new Float32Array(100) } });
  assertModelFileError(
    () => decodeSafetensors(bytes.subarray(0, bytes.length - 3), "bad.safetensors"),
    /data ends at byte 400 of the data section, which has only 397 bytes \(truncated\?\)/,
  );
  assertModelFileError(
    () => decodeSafetensors(bytes.subarray(0, 20), "bad.safetensors"),
    /runs past the end of the 20-byte file/,
  );
});

Deno.test("writeSafetensorsFile() and readSafetensorsFile() round-trip through a file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hwer-st-" });
  try {
    const path = `${dir}/t.safetensors`;
    const written = await writeSafetensorsFile(path, {
      v: { shape: [2], data: Uint32Array.of(1, 2) },
    }, { a: "b" });
    assert.deepEqual(await Deno.readFile(path), written);
    const read = await readSafetensorsFile(path);
    assert.deepEqual([...read.tensors.v.data], [1, 2]);
    assert.deepEqual(read.metadata, { a: "b" });
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["t.safetensors"]);
    await assert.rejects(() => readSafetensorsFile(`${dir}/missing.safetensors`), (e: unknown) => {
      assert.ok(e instanceof ModelFileError);
      assert.match(e.message, /missing\.safetensors: file not found/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
