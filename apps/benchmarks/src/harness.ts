/**
 * Benchmark harness: median of repeats after warm-up, one JSON file and one markdown table per area.
 * Every row: { backend, problem, method, nfe, error, medianMs, minMs, maxMs, repeats, ...extra }.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface BenchRow {
  backend: string;
  problem: string;
  method: string;
  nfe?: number;
  error?: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  repeats: number;
  /** Reference time of the Python peer (ms), when there is one. */
  referenceMs?: number;
  /** medianMs / referenceMs: below 1 means we are faster. */
  ratioToReference?: number;
  [extra: string]: unknown;
}

/** Time `fn` (sync or async): `warmup` untimed runs, then `repeats` timed runs. */
export async function timeIt(
  fn: () => unknown | Promise<unknown>,
  { warmup = 2, repeats = 5 }: { warmup?: number; repeats?: number } = {},
): Promise<{ medianMs: number; minMs: number; maxMs: number; repeats: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { medianMs: median(times), minMs: times[0] as number, maxMs: times[times.length - 1] as number, repeats };
}

/** The median (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const here = fileURLToPath(new URL('.', import.meta.url));
/** Folder the results go to. */
export const resultsDir = `${here}../results`;
/** Folder of the Python peers' reference figures (../shared/reference beside the checkout). */
export const referenceDir = process.env.NDE_REFERENCE_DIR ?? `${here}../../../../shared/reference`;

/** Parse a reference JSON file from ../shared/reference, or undefined when absent. */
export function loadReference<T = unknown>(name: string): T | undefined {
  try {
    return JSON.parse(readFileSync(`${referenceDir}/${name}`, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function fmt(v: unknown): string {
  if (typeof v === 'number') return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(+v.toFixed(3));
  return v === undefined ? '' : String(v);
}

/** Markdown table of rows (columns: union of keys, in first-seen order). */
export function markdownTable(rows: readonly BenchRow[]): string {
  const cols: string[] = [];
  rows.forEach((r) => Object.keys(r).forEach((k) => cols.includes(k) || cols.push(k)));
  const head = `| ${cols.join(' | ')} |\n| ${cols.map(() => '---').join(' | ')} |`;
  return `${head}\n${rows.map((r) => `| ${cols.map((c) => fmt(r[c])).join(' | ')} |`).join('\n')}\n`;
}

/** Write results/<area>.json and results/<area>.md, and print the table. */
export function writeResults(area: string, rows: readonly BenchRow[], notes = ''): void {
  mkdirSync(resultsDir, { recursive: true });
  const payload = { area, date: new Date().toISOString(), node: process.version, notes, rows };
  writeFileSync(`${resultsDir}/${area}.json`, `${JSON.stringify(payload, null, 2)}\n`);
  const md = `# ${area}\n\n${notes ? `${notes}\n\n` : ''}${markdownTable(rows)}`;
  writeFileSync(`${resultsDir}/${area}.md`, md);
  console.log(md);
}
