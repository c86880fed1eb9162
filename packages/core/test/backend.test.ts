import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, UnknownMethodError, describeBackend, useBackend, type BackendName } from '@nde/core';

describe('backend selection', () => {
  it('loads cpu and wasm and describes the choice', async () => {
    expect((await useBackend('cpu')).tfName).toBe('cpu');
    expect(describeBackend()).toBe('cpu (asked for)');
    expect((await useBackend('wasm')).tfName).toBe('wasm');
  });

  it('auto skips backends that cannot load here and says why', async () => {
    const info = await useBackend('auto');
    expect(['node-gpu', 'node', 'webgpu', 'wasm', 'cpu']).toContain(info.name);
    if (info.name === 'wasm') {
      expect(info.skipped.map((s) => s.name)).toEqual(['node-gpu', 'node', 'webgpu']);
      expect(describeBackend()).toMatch(/skipped node-gpu: package @tensorflow\/tfjs-node-gpu could not be loaded/);
    }
  });

  it('a missing optional backend names the package to install', async () => {
    const err = await useBackend('node-gpu').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).hint).toMatch(/@tensorflow\/tfjs-node-gpu/);
    await expect(useBackend('webgl')).rejects.toThrow(/webgl needs a browser/);
  });

  it('an unknown backend name is an UnknownMethodError listing the choices', async () => {
    await expect(useBackend('tpu' as BackendName)).rejects.toThrow(UnknownMethodError);
  });
});
