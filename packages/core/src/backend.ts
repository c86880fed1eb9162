/**
 * One call picks the TensorFlow.js backend for every `@nde/*` package.
 * Optional backends are optional peer dependencies loaded with dynamic `import()`.
 */
import * as tf from '@tensorflow/tfjs';
import { installFastGradients } from './fast-gradients.js';
import { installZeroCopyIdentity } from './zero-copy-identity.js';
import { BackendUnavailableError, UnknownMethodError } from './errors.js';
import { isNodeRuntime } from './validate.js';

/** Backends a user can ask for. `auto` picks the best one that loads here. */
export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu' | 'node' | 'node-gpu';

/** What {@link useBackend} chose and why. */
export interface BackendInfo {
  /** Our name of the backend. */
  readonly name: BackendName;
  /** tfjs's own name of the backend (`tensorflow` for tfjs-node). */
  readonly tfName: string;
  /** Why this backend runs (asked for, or chosen by `auto` after others failed). */
  readonly reason: string;
  /** Backends `auto` tried and could not use, with the reason. */
  readonly skipped: readonly { name: BackendName; why: string }[];
}

const KNOWN: readonly BackendName[] = ['cpu', 'wasm', 'webgl', 'webgpu', 'node', 'node-gpu'];

/** The npm package that provides each optional backend. */
const PACKAGE_OF: Record<BackendName, string | undefined> = {
  cpu: undefined,
  webgl: undefined,
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  node: '@tensorflow/tfjs-node',
  'node-gpu': '@tensorflow/tfjs-node-gpu',
};

const TF_NAME: Record<BackendName, string> = {
  cpu: 'cpu',
  wasm: 'wasm',
  webgl: 'webgl',
  webgpu: 'webgpu',
  node: 'tensorflow',
  'node-gpu': 'tensorflow',
};

let current: BackendInfo | undefined;

async function importOptional(pkg: string): Promise<void> {
  // The variable keeps bundlers from resolving optional peers at build time.
  const specifier = pkg;
  await import(/* @vite-ignore */ specifier);
}

/** Why a backend did not load, with the fix when it is not "install the package". */
class LoadFailure extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

const WEBGPU_HINT =
  "In Node: npm i webgpu (Dawn; it finds the GPU driver, or Mesa's lavapipe for software Vulkan) — useBackend('webgpu') then exposes it as navigator.gpu itself. In a browser: one with WebGPU (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu).";

/**
 * In Node there is no `navigator.gpu`: take it from the `webgpu` npm package (Dawn) when installed, as
 * `tfjs-backend-webgpu` needs it, and check an adapter exists.
 */
async function exposeNodeWebGpu(): Promise<void> {
  if (!isNodeRuntime()) throw new LoadFailure('navigator.gpu is missing: this browser has no WebGPU', WEBGPU_HINT);
  let mod: { create: (flags: string[]) => { requestAdapter(): Promise<unknown> }; globals: object };
  try {
    const spec = 'webgpu';
    mod = (await import(/* @vite-ignore */ spec)) as typeof mod;
  } catch {
    throw new LoadFailure("Node has no navigator.gpu, and the 'webgpu' package (Dawn) that provides one is not installed", WEBGPU_HINT);
  }
  const gpu = mod.create([]);
  if (!(await gpu.requestAdapter())) {
    throw new LoadFailure(
      "the 'webgpu' package (Dawn) found no GPU adapter",
      "Install a Vulkan driver: the GPU vendor's, or Mesa 25 lavapipe (mesa-vulkan-drivers from Debian bookworm-backports) for software WebGPU.",
    );
  }
  Object.assign(globalThis, mod.globals);
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(globalThis as { navigator?: object }).navigator, gpu },
    configurable: true,
    writable: true,
  });
}

async function load(name: BackendName): Promise<void> {
  const pkg = PACKAGE_OF[name];
  if (name === 'webgl' && isNodeRuntime()) {
    throw new Error('webgl needs a browser (no WebGL context in Node)');
  }
  if (name === 'webgpu' && !(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) await exposeNodeWebGpu();
  // Already registered (e.g. the app imported '@tensorflow/tfjs-backend-wasm' itself, as bundled browser
  // apps must: a bundler cannot follow the dynamic import of a package name below).
  if (pkg && !tf.findBackendFactory(TF_NAME[name])) {
    try {
      await importOptional(pkg);
    } catch (e) {
      throw new Error(`package ${pkg} could not be loaded (${(e as Error).message.split('\n')[0]}); install it with \`npm i ${pkg}\``);
    }
  }
  const ok = await tf.setBackend(TF_NAME[name]);
  if (!ok) throw new Error(`tf.setBackend('${TF_NAME[name]}') failed to initialise`);
  await tf.ready();
}

/** Order in which `auto` tries backends: native first, then GPU, then wasm, then cpu. */
export function autoOrder(): BackendName[] {
  return isNodeRuntime() ? ['node-gpu', 'node', 'webgpu', 'wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
}

/**
 * Select the backend every `@nde/*` package computes on.
 *
 * @param name - a backend, or `auto` for the best available (see {@link autoOrder}).
 * @returns which backend runs and why.
 * @throws {@link BackendUnavailableError} naming the package to install when `name` cannot load.
 *
 * In a bundled browser app, import the optional backend package yourself first
 * (`import '@tensorflow/tfjs-backend-wasm'`); `useBackend` then uses the registered backend.
 *
 * @example
 * ```ts
 * import { useBackend, describeBackend } from '@nde/core';
 * await useBackend('wasm');
 * console.log(describeBackend()); // "wasm (asked for)"
 * ```
 */
export async function useBackend(name: BackendName | 'auto' = 'auto'): Promise<BackendInfo> {
  if (name !== 'auto' && !KNOWN.includes(name)) {
    throw new UnknownMethodError('backend', String(name), [...KNOWN, 'auto']);
  }
  const skipped: { name: BackendName; why: string }[] = [];
  const candidates = name === 'auto' ? autoOrder() : [name];
  for (const candidate of candidates) {
    try {
      await load(candidate);
      installFastGradients();
      installZeroCopyIdentity();
      current = {
        name: candidate,
        tfName: tf.getBackend(),
        reason: name === 'auto' ? `best available (auto)` : 'asked for',
        skipped,
      };
      return current;
    } catch (e) {
      const why = (e as Error).message;
      if (name !== 'auto') {
        const pkg = PACKAGE_OF[candidate];
        throw new BackendUnavailableError(
          'backend',
          `backend '${candidate}' is not available: ${why}.`,
          e instanceof LoadFailure
            ? e.hint
            : pkg
              ? `Install ${pkg} (an optional peer dependency), or use 'auto'.`
              : `Use 'auto' to fall back to an available backend.`,
        );
      }
      skipped.push({ name: candidate, why });
    }
  }
  throw new BackendUnavailableError('backend', 'no backend could be loaded.', 'Install @tensorflow/tfjs.');
}

/**
 * Describe the backend in use, e.g. `"wasm (asked for)"` or
 * `"cpu (best available (auto); skipped node: package … could not be loaded)"`.
 */
export function describeBackend(): string {
  if (!current || current.tfName !== tf.getBackend()) {
    return `${tf.getBackend()} (set outside useBackend)`;
  }
  const skipped = current.skipped.map((s) => `${s.name}: ${s.why}`).join('; ');
  return `${current.name} (${current.reason}${skipped ? `; skipped ${skipped}` : ''})`;
}

/** The backend in use, as last chosen by {@link useBackend}, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}
