/**
 * IDX reader (the MNIST / Fashion-MNIST file format), with gzip support through `node:zlib`.
 * Node-only functions import `node:fs` / `node:zlib` lazily so the package still loads in browsers.
 */
import { InvalidArgumentError, ShapeError, assertNodeRuntime } from '@nde/core';

/** A decoded IDX array: flat values in row-major order and their shape. */
export interface IdxArray {
  /** Row-major values (Uint8Array for ubyte files, the matching typed array otherwise). */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
  /** Dimensions, outermost first (e.g. `[60000, 28, 28]`). */
  readonly shape: readonly number[];
}

const TYPES: Record<number, { size: number; name: string }> = {
  0x08: { size: 1, name: 'ubyte' },
  0x09: { size: 1, name: 'byte' },
  0x0b: { size: 2, name: 'short' },
  0x0c: { size: 4, name: 'int' },
  0x0d: { size: 4, name: 'float' },
  0x0e: { size: 8, name: 'double' },
};

/**
 * Decode an IDX buffer (already gunzipped). Gzip data (magic `1f 8b`) is rejected with a hint.
 *
 * @param bytes - the raw file contents.
 * @throws {@link @nde/core!InvalidArgumentError} on a bad magic number or unknown type code.
 * @throws {@link @nde/core!ShapeError} when the buffer is shorter than its header says.
 *
 * @example
 * ```ts
 * const { data, shape } = parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]));
 * // shape = [2], data = Uint8Array [7, 9]
 * ```
 */
export function parseIdx(bytes: Uint8Array): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new InvalidArgumentError('bytes', 'is gzip-compressed.', 'Gunzip it first, or use loadIdx(path) which does.');
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new InvalidArgumentError(
      'bytes',
      'is not an IDX file (magic must start with two zero bytes).',
      'Pass an MNIST-style *-idx?-ubyte file.',
    );
  }
  const type = TYPES[bytes[2] as number];
  if (!type) {
    throw new InvalidArgumentError(
      'bytes',
      `has unknown IDX type code 0x${(bytes[2] as number).toString(16)}.`,
      'Supported: 0x08 ubyte, 0x09 byte, 0x0b short, 0x0c int, 0x0d float, 0x0e double.',
    );
  }
  const rank = bytes[3] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * rank;
  if (bytes.length < header)
    throw new ShapeError('bytes', `is ${bytes.length} bytes, shorter than its ${header}-byte header.`, 'The file is truncated.');
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const need = header + count * type.size;
  if (bytes.length < need) {
    throw new ShapeError(
      'bytes',
      `holds ${bytes.length} bytes but its header [${shape.join(', ')}] of ${type.name} needs ${need}.`,
      'The file is truncated.',
    );
  }
  let data: IdxArray['data'];
  switch (type.name) {
    case 'ubyte':
      data = bytes.slice(header, need);
      break;
    case 'byte':
      data = new Int8Array(bytes.slice(header, need).buffer);
      break;
    default: {
      const out =
        type.name === 'short'
          ? new Int16Array(count)
          : type.name === 'int'
            ? new Int32Array(count)
            : type.name === 'float'
              ? new Float32Array(count)
              : new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const o = header + i * type.size;
        out[i] =
          type.name === 'short'
            ? view.getInt16(o, false)
            : type.name === 'int'
              ? view.getInt32(o, false)
              : type.name === 'float'
                ? view.getFloat32(o, false)
                : view.getFloat64(o, false);
      }
      data = out;
    }
  }
  return { data, shape };
}

/** Error thrown when an IDX file is missing; names the Debian package for Fashion-MNIST. */
export class IdxFileMissingError extends InvalidArgumentError {
  constructor(argument: string, path: string, hint: string) {
    super(argument, `file ${path} does not exist.`, hint);
  }
}

/**
 * Read an IDX file (`.gz` or plain) from disk (Node only).
 *
 * @param path - file path of the IDX file, gzip-compressed (recognised by its `1f 8b` magic, not by a `.gz` name) or plain; a missing file throws {@link IdxFileMissingError}.
 *
 * @example
 * ```ts
 * const labels = await loadIdx('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz');
 * labels.shape; // [10000]
 * ```
 */
export async function loadIdx(path: string): Promise<IdxArray> {
  assertNodeRuntime('loadIdx', 'In browsers fetch the file and pass its bytes to parseIdx.');
  const fs = await import('node:fs/promises');
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(await fs.readFile(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new IdxFileMissingError('path', path, 'Check the path.');
    throw e;
  }
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    const zlib = await import('node:zlib');
    raw = new Uint8Array(zlib.gunzipSync(raw));
  }
  return parseIdx(raw);
}

/** Default location of the Debian `dataset-fashion-mnist` package. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST class names, by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** One split of Fashion-MNIST: uint8 images `[n, 28, 28]` flattened, and labels. */
export interface MnistSplit {
  /** Pixels 0..255, row-major `[count, rows, cols]`. */
  readonly images: Uint8Array;
  /** Labels 0..9. */
  readonly labels: Uint8Array;
  /** Number of images (and labels). */
  readonly count: number;
  /** Image height in pixels (28). */
  readonly rows: number;
  /** Image width in pixels (28). */
  readonly cols: number;
}

/**
 * Load Fashion-MNIST (train and test) from the IDX files (Node only).
 *
 * @param dir - folder with `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]` (default {@link FASHION_MNIST_DIR}).
 * @throws {@link IdxFileMissingError} naming `apt-get install dataset-fashion-mnist` when the files are absent.
 *
 * @example
 * ```ts
 * const { train, test } = await loadFashionMnist();
 * console.log(train.count, test.count); // 60000 10000
 * ```
 */
export async function loadFashionMnist(dir: string = FASHION_MNIST_DIR): Promise<{ train: MnistSplit; test: MnistSplit }> {
  assertNodeRuntime('loadFashionMnist', 'In browsers fetch the IDX files and pass their bytes to parseIdx.');
  const fs = await import('node:fs');
  const find = (stem: string): string => {
    for (const name of [`${stem}.gz`, stem]) if (fs.existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
    throw new IdxFileMissingError(
      'dir',
      `${dir}/${stem}.gz`,
      'Install the Debian package with `apt-get install dataset-fashion-mnist` (files land in /usr/share/datasets/fashion-mnist), or pass the folder holding the IDX files.',
    );
  };
  const split = async (prefix: string): Promise<MnistSplit> => {
    const img = await loadIdx(find(`${prefix}-images-idx3-ubyte`));
    const lab = await loadIdx(find(`${prefix}-labels-idx1-ubyte`));
    if (img.shape.length !== 3 || lab.shape.length !== 1 || img.shape[0] !== lab.shape[0]) {
      throw new ShapeError('dir', `${prefix} images [${img.shape}] and labels [${lab.shape}] do not match.`, 'Use the original IDX files.');
    }
    return {
      images: img.data as Uint8Array,
      labels: lab.data as Uint8Array,
      count: img.shape[0] as number,
      rows: img.shape[1] as number,
      cols: img.shape[2] as number,
    };
  };
  return { train: await split('train'), test: await split('t10k') };
}
