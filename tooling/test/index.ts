/**
 * Shared test helpers: run a suite on every backend under test, and check for tensor leaks.
 *
 * Backends come from NDE_TEST_BACKENDS (comma list, default `cpu,wasm`). WebGPU suites
 * (`describeWebGpu`) use the async APIs and run when Dawn finds an adapter (lavapipe in CI),
 * else skip with a visible message.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect } from 'vitest';
import { useBackend, type BackendName, type NdeError } from '@nde/core';

/** Backends every numeric suite runs on. */
export function testBackends(): BackendName[] {
  const env = process.env.NDE_TEST_BACKENDS ?? 'cpu,wasm';
  return env
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as BackendName[];
}

let webgpuTried: Promise<boolean> | undefined;

let webgpuWhyNot = '';

/** Expose Dawn's WebGPU (npm `webgpu`) as navigator.gpu and check an adapter exists. */
export async function exposeWebGpu(): Promise<boolean> {
  webgpuTried ??= (async () => {
    try {
      const spec = 'webgpu';
      const mod = (await import(/* @vite-ignore */ spec)) as {
        create: (o: string[]) => { requestAdapter(): Promise<unknown> };
        globals: object;
      };
      Object.assign(globalThis, mod.globals);
      const gpu = mod.create([]);
      if (!(await gpu.requestAdapter())) {
        webgpuWhyNot = 'no WebGPU adapter (install Mesa 25 lavapipe: mesa-vulkan-drivers from bookworm-backports, or run on a GPU)';
        return false;
      }
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
      return true;
    } catch (e) {
      webgpuWhyNot = `the 'webgpu' npm package (Dawn) did not load: ${(e as Error).message.split('\n')[0]}`;
      return false;
    }
  })();
  return webgpuTried;
}

/**
 * A suite on the webgpu backend (Dawn in Node), or a visible skip saying why it cannot run here.
 * Set NDE_TEST_WEBGPU=0 to skip it on purpose.
 */
export async function describeWebGpu(title: string, body: () => void): Promise<void> {
  const ok = process.env.NDE_TEST_WEBGPU !== '0' && (await exposeWebGpu());
  if (!ok) {
    const why = process.env.NDE_TEST_WEBGPU === '0' ? 'NDE_TEST_WEBGPU=0' : webgpuWhyNot;
    console.warn(`[skip] ${title} [webgpu]: ${why}`);
  }
  describe.skipIf(!ok)(`${title} [webgpu]`, () => {
    beforeAll(async () => {
      await useBackend('webgpu');
    });
    body();
  });
}

/**
 * `describe` once per backend, selecting it before the suite runs.
 *
 * @example
 * describeBackends('rk4', () => { it('converges', () => { ... }); });
 */
export function describeBackends(title: string, body: (backend: BackendName) => void): void {
  const names = testBackends();
  for (const name of names) {
    describe(`${title} [${name}]`, () => {
      beforeAll(async () => {
        if (name === 'webgpu' && !(await exposeWebGpu()))
          throw new Error(`webgpu requested in NDE_TEST_BACKENDS but unavailable: ${webgpuWhyNot}`);
        await useBackend(name);
      });
      body(name);
    });
  }
}

/** Run `fn` and assert the number of live tensors is the same before and after. */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

/**
 * The error `fn` throws, typed as the library's `NdeError` (the caller checks the class); fails the test
 * when `fn` returns instead.
 *
 * @example
 * const e = thrownError(() => solve({ ...options, dt0: 0 }));
 * expect(e).toBeInstanceOf(InvalidArgumentError);
 */
export function thrownError<E extends Error = NdeError>(fn: () => unknown): E {
  try {
    fn();
  } catch (e) {
    return e as E;
  }
  throw new Error('expected an error, but the call returned');
}

/** Values of a tensor as a plain array (async read, works on every backend). */
export async function values(x: tf.Tensor): Promise<number[]> {
  return Array.from(await x.data());
}

/** Least-squares slope of log(err) against log(h): the empirical order of convergence. */
export function convergenceOrder(hs: readonly number[], errs: readonly number[]): number {
  const xs = hs.map(Math.log);
  const ys = errs.map(Math.log);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * ((ys[i] as number) - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/** Parse a reference file from tooling/reference (copied from the Python peers' runs). */
export function loadReference<T = unknown>(name: string): T {
  const url = new URL(`../reference/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

export { parityMlp } from './parity.js';
