import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnsupportedError, assertNodeRuntime, isNodeRuntime } from '@nde/core';

describe('assertNodeRuntime', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('passes under Node', () => {
    expect(isNodeRuntime()).toBe(true);
    expect(() => assertNodeRuntime('loadIdx')).not.toThrow();
  });

  it('throws UnsupportedError naming the feature where there is no Node (browsers)', () => {
    vi.stubGlobal('process', undefined);
    expect(isNodeRuntime()).toBe(false);
    let caught: unknown;
    try {
      assertNodeRuntime('loadIdx', 'Pass the bytes to parseIdx instead.');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UnsupportedError);
    expect((caught as UnsupportedError).argument).toBe('loadIdx');
    expect((caught as UnsupportedError).hint).toBe('Pass the bytes to parseIdx instead.');
  });
});
