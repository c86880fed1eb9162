/** Progress bars on stderr (cli-progress on a terminal; a line every 10% otherwise, e.g. in CI logs). */
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
