/** Progress output for training loops: a line every `every` iterations with the loss and time. */
import { assertPositive } from '@nde/core';

/** Options of {@link ProgressLogger}. */
export interface ProgressOptions {
  /** Total iterations (for the "i/total" display). */
  total: number;
  /** Print every this many iterations (default total/10). */
  every?: number;
  /** Label at the start of each line. */
  label?: string;
  /** Where lines go (default console.log). */
  write?: (line: string) => void;
}

/**
 * Prints `label i/total key value … (Ns)` lines while training.
 *
 * @example
 * ```ts
 * const progress = new ProgressLogger({ total: 500, every: 50, label: 'latent-ode' });
 * for (let i = 0; i < 500; i++) progress.update(i, { loss: opt.step(lossFn, model).loss });
 * progress.done();
 * ```
 */
export class ProgressLogger {
  private readonly start = Date.now();
  private readonly every: number;
  private readonly write: (line: string) => void;
  private readonly label: string;

  /**
   * @param options - Total iterations, print interval, label and line sink; kept as given (`total` is
   *   the iteration count shown after the slash).
   */
  constructor(readonly options: ProgressOptions) {
    assertPositive('total', options.total);
    this.every = options.every ?? Math.max(1, Math.round(options.total / 10));
    this.write = options.write ?? ((line) => console.log(line));
    this.label = options.label ?? 'train';
  }

  /** Seconds since construction. */
  elapsed(): number {
    return (Date.now() - this.start) / 1000;
  }

  /** Report iteration `i` (0-based); prints on every `every`-th and the last one. */
  update(i: number, info: Record<string, number | string>): void {
    if ((i + 1) % this.every !== 0 && i + 1 !== this.options.total) return;
    const parts = Object.entries(info).map(([k, v]) => `${k} ${typeof v === 'number' ? fmt(v) : v}`);
    this.write(`${this.label} ${i + 1}/${this.options.total} ${parts.join(' ')} (${this.elapsed().toFixed(1)}s)`);
  }

  /** Print the final line. */
  done(extra = ''): void {
    this.write(`${this.label} done in ${this.elapsed().toFixed(1)}s${extra ? ` ${extra}` : ''}`);
  }
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4);
}
