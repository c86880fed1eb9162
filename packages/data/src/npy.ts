/** NumPy `.npy` (format 1.0–3.0) for decoded video arrays: uint8 or float32, C order. */
import { InvalidArgumentError, UnsupportedError } from '@nde/core';

/** A decoded array. */
export interface NpyArray {
  /** The elements in C (row-major) order: uint8 for `|u1`, float32 for `<f4`. */
  data: Uint8Array | Float32Array;
  /** Shape from the header (`[]` for a scalar). */
  shape: number[];
}

/**
 * Parse a `.npy` file (`|u1` or `<f4`, C order).
 *
 * @param bytes - The whole file's contents.
 * @param argument - Name used in error messages (default `'file'`; e.g. the file name).
 * @returns The data (a copy, independent of `bytes`) and shape.
 * @throws `InvalidArgumentError` on a bad header; `UnsupportedError` on other dtypes or Fortran order.
 * @example
 * ```ts
 * const { data, shape } = parseNpy(new Uint8Array(await readFile('v_ApplyEyeMakeup_g01_c01.npy')));
 * ```
 */
export function parseNpy(bytes: Uint8Array, argument = 'file'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m))
    throw new InvalidArgumentError(argument, 'is not a .npy file (bad magic).', 'Save arrays with numpy.save.');
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw new InvalidArgumentError(argument, `has an unreadable .npy header: ${header.trim()}`);
  if (fortran === 'True') throw new UnsupportedError(argument, 'is in Fortran order.', 'Save with numpy.ascontiguousarray(x).');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const off = start + headerLen;
  if (descr === '|u1' || descr === '<u1') {
    if (bytes.length < off + n) throw new InvalidArgumentError(argument, 'is truncated.');
    return { data: bytes.slice(off, off + n), shape };
  }
  if (descr === '<f4') {
    if (bytes.length < off + 4 * n) throw new InvalidArgumentError(argument, 'is truncated.');
    return { data: new Float32Array(bytes.slice(off, off + 4 * n).buffer), shape };
  }
  throw new UnsupportedError(argument, `has dtype ${descr}.`, 'Convert to uint8 (0..255) or float32 with numpy.');
}

/**
 * Encode a uint8 or float32 array as `.npy` (format 1.0), e.g. to write decoded videos from JS.
 *
 * @param data - Elements in C order (`Uint8Array` → `|u1`, `Float32Array` → `<f4`).
 * @param shape - Shape written to the header (its product should equal `data.length`; not checked).
 * @returns The complete file's bytes.
 * @example
 * ```ts
 * await writeFile('clip.npy', encodeNpy(new Uint8Array(16 * 64 * 64 * 3), [16, 64, 64, 3]));
 * ```
 */
export function encodeNpy(data: Uint8Array | Float32Array, shape: readonly number[]): Uint8Array {
  const descr = data instanceof Uint8Array ? '|u1' : '<f4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}
