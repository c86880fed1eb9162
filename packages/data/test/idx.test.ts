import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadFashionMnist, loadIdx, parseIdx } from '../src/index.js';

function idx(type: number, shape: number[], body: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(head.buffer);
  head[2] = type;
  head[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

describe('IDX reader', () => {
  const dir = mkdtempSync(`${tmpdir()}/nde-idx-`);
  const images = Uint8Array.from({ length: 3 * 28 * 28 }, (_, i) => i % 256);
  const labels = Uint8Array.from([7, 0, 9]);

  it('parses ubyte and big-endian float files', () => {
    const { data, shape } = parseIdx(idx(0x08, [3, 2], Uint8Array.from([1, 2, 3, 4, 5, 6])));
    expect(shape).toEqual([3, 2]);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6]);
    const f = new Uint8Array(8);
    new DataView(f.buffer).setFloat32(0, 1.5, false);
    new DataView(f.buffer).setFloat32(4, -2, false);
    expect(Array.from(parseIdx(idx(0x0d, [2], f)).data)).toEqual([1.5, -2]);
  });

  it('reads plain and gzipped files from disk, and loads a Fashion-MNIST-layout folder', async () => {
    writeFileSync(`${dir}/plain-idx1-ubyte`, idx(0x08, [3], labels));
    expect(Array.from((await loadIdx(`${dir}/plain-idx1-ubyte`)).data)).toEqual([7, 0, 9]);
    for (const prefix of ['train', 't10k']) {
      writeFileSync(`${dir}/${prefix}-images-idx3-ubyte.gz`, gzipSync(idx(0x08, [3, 28, 28], images)));
      writeFileSync(`${dir}/${prefix}-labels-idx1-ubyte.gz`, gzipSync(idx(0x08, [3], labels)));
    }
    const { train, test } = await loadFashionMnist(dir);
    expect([train.count, train.rows, train.cols]).toEqual([3, 28, 28]);
    expect(Array.from(test.labels)).toEqual([7, 0, 9]);
    expect(train.images[28 * 28 + 5]).toBe((28 * 28 + 5) % 256);
  });

  it('clear errors: truncated files, gzip passed to parseIdx, missing dataset names the apt package', async () => {
    expect(() => parseIdx(idx(0x08, [10], Uint8Array.from([1, 2])))).toThrow(/needs 18/);
    expect(() => parseIdx(gzipSync(idx(0x08, [1], Uint8Array.from([1]))))).toThrow(/gzip/);
    expect(() => parseIdx(Uint8Array.from([1, 2, 3, 4]))).toThrow(/not an IDX file/);
    await expect(loadFashionMnist(`${dir}/nope`)).rejects.toThrow(/apt-get install dataset-fashion-mnist/);
    await expect(loadIdx(`${dir}/missing`)).rejects.toThrow(/does not exist/);
  });
});
