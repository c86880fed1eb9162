/**
 * Benchmark harness: median of repeats after warm-up, one JSON file and one markdown table per area.
 * Every row: { backend, problem, method, nfe, error, medianMs, minMs, maxMs, repeats, ...extra }.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
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

/** The 1-, 5- and 15-minute load averages from /proc/loadavg ('n/a' where there is none). */
export function loadavg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

/** The range of ours / theirs from the extremes of two sets of timings: "min(ours)/max(theirs)–max(ours)/min(theirs)". */
export function ratioRange(ours: readonly number[], theirs: readonly number[]): string {
  return `${(Math.min(...ours) / Math.max(...theirs)).toFixed(2)}–${(Math.max(...ours) / Math.min(...theirs)).toFixed(2)}`;
}

/**
 * A long-lived peer process (the Python side of the side-by-side benches) speaking one JSON object per line each
 * way: `ask` sends one request and resolves with its one answer, in order. If the process ends, pending and later
 * asks reject with the end of its stderr instead of waiting forever.
 */
export class JsonLinePeer {
  private readonly queue: { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  private stderr = '';
  private ended: Error | undefined;
  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on('line', (l) => this.queue.shift()?.resolve(JSON.parse(l) as Record<string, unknown>));
    proc.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    proc.on('close', (code) => {
      this.ended = new Error(`peer process ended (exit ${String(code)}): ${this.stderr.trim()}`);
      for (const p of this.queue.splice(0)) p.reject(this.ended);
    });
  }
  /** Start `command args` with `env`. */
  static spawn(command: string, args: readonly string[], env: NodeJS.ProcessEnv): JsonLinePeer {
    return new JsonLinePeer(spawn(command, args, { env }));
  }
  /** Send one request, resolve with its answer. */
  ask(msg: object): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      if (this.ended) return reject(this.ended);
      this.queue.push({ resolve, reject });
      this.proc.stdin.write(`${JSON.stringify(msg)}\n`);
    });
  }
  /** Close its stdin: the peer's read loop ends and it exits. */
  stop(): void {
    this.proc.stdin.end();
  }
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
