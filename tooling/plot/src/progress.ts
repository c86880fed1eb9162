/**
 * Progress output for training loops in the apps (the library packages report progress through callbacks):
 * bars on stderr (cli-progress on a terminal; a line every 10% otherwise, e.g. in CI logs) and
 * {@link ProgressLogger}, a line every `every` iterations with the values and the time.
 */
import cliProgress from 'cli-progress';

/** A progress bar. */
export interface Progress {
  update(value: number, info?: Record<string, string | number>): void;
  stop(): void;
}

/** Start a progress bar of `total` units labelled `label`. */
export function progressBar(label: string, total: number): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | {info}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { info: '' });
    return {
      update: (v, info) =>
        bar.update(v, {
          info: info
            ? Object.entries(info)
                .map(([k, x]) => `${k} ${x}`)
                .join(' ')
            : '',
        }),
      stop: () => bar.stop(),
    };
  }
  let lastDecile = -1;
  return {
    update: (v, info) => {
      const decile = Math.floor((10 * v) / total);
      if (decile !== lastDecile) {
        lastDecile = decile;
        const extra = info
          ? ` ${Object.entries(info)
              .map(([k, x]) => `${k} ${x}`)
              .join(' ')}`
          : '';
        process.stderr.write(`${label} ${Math.round((100 * v) / total)}% (${v}/${total})${extra}\n`);
      }
    },
    stop: () => undefined,
  };
}

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
    if (!(options.total > 0)) throw new RangeError(`total must be positive (got ${options.total}).`);
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
