/**
 * `pnpm bench stiff`: the classic stiff problems (Robertson, Van der Pol μ = 1000, HIRES; definitions and tolerances
 * of tooling/reference/stiff_problems.json) with our bdf / kvaerno5 / ros34pw2 side by side with scipy's solve_ivp
 * Radau / BDF / LSODA in the same session. The Python peer (peers/stiff_peer.py, Debian /usr/bin/python3 with
 * python3-scipy, 1 BLAS thread) imports the vector fields and analytic Jacobians of the reference script and runs
 * each method with them (jac=) and without (finite-difference Jacobian).
 *
 * Per problem, after 2 warm-up rounds, each round runs every configuration once with ours and theirs alternating
 * run by run (ours #i, theirs #i, ours #i+1, …), so all rows of a problem share the same conditions; NDE_STIFF_ROUNDS
 * timed rounds (default 5). Our rows give our stats, the final state's relative error against scipy Radau at rtol
 * 1e-11, median / min / max, and ours / theirs against the scipy counterpart (bdf ↔ BDF; kvaerno5, ros34pw2 ↔ Radau,
 * the one-step method) with the analytic and the finite-difference Jacobian, and against the fastest scipy row.
 * Without /usr/bin/python3 + scipy this prints our figures alone and says no peer ran: no ratio against figures
 * recorded elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { useBackend, type BackendName } from '@nde/core';
import { PIDController, solve } from '@nde/solvers';
import { JsonLinePeer, loadavg, median, ratioRange, writeResults, type BenchRow } from './harness.js';
import { STIFF_PROBLEMS, maxRelError, stiffReference, type StiffReferenceProblem } from './stiff-problems.js';

const ROUNDS = Number(process.env.NDE_STIFF_ROUNDS ?? 5);
const WARMUP = 2;
// A configuration slower than this per run gets fewer timed rounds (the row says so).
const SLOW_MS = 60_000;
const SLOW_ROUNDS = 3;
const PYTHON = '/usr/bin/python3';
const OUR_METHODS = ['bdf', 'kvaerno5', 'ros34pw2'] as const;
const PEER_METHODS = ['BDF', 'Radau', 'LSODA'] as const;
const PEER_JACS = ['analytic', 'fd'] as const;
const COUNTERPART: Record<(typeof OUR_METHODS)[number], (typeof PEER_METHODS)[number]> = {
  bdf: 'BDF',
  kvaerno5: 'Radau',
  ros34pw2: 'Radau',
};
const peerScript = fileURLToPath(new URL('../peers/stiff_peer.py', import.meta.url));

/** The scipy peer, or why it cannot run. */
function startPeer(): JsonLinePeer | string {
  const check = spawnSync(PYTHON, ['-c', 'import scipy.integrate'], { encoding: 'utf8' });
  if (check.error || check.status !== 0) return `no ${PYTHON} with scipy (apt-get install python3-scipy)`;
  return JsonLinePeer.spawn(PYTHON, [peerScript], { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' });
}

/** One configuration's timings and what it reported, filled round by round. */
interface Timed {
  ms: number[];
  rounds: number;
  loadBefore?: string;
  loadAfter?: string;
}

interface Ours extends Timed {
  backend: string;
  method: (typeof OUR_METHODS)[number];
  stats?: { nfe: number; steps: number; jacobians?: number; factorizations?: number; newtonIterations?: number };
  final?: number[];
  once: () => number;
}

interface Theirs extends Timed {
  method: (typeof PEER_METHODS)[number];
  jac: (typeof PEER_JACS)[number];
  name: string;
  counts?: Record<string, unknown>;
}

/** Our solve of one problem on one backend: returns its wall time (solve and read-back of the final state). */
function ours(problem: (typeof STIFF_PROBLEMS)[number], ref: StiffReferenceProblem, backend: string, method: Ours['method']): Ours {
  // The reference script's rtol 1e-6 tolerances for this problem (the same for all three of its scipy runs).
  const { rtol, atol } = ref.runs[0]!;
  const o: Ours = {
    backend,
    method,
    ms: [],
    rounds: ROUNDS,
    once: () => {
      const y0 = tf.tensor1d(ref.y0);
      const t = performance.now();
      const sol = solve({
        terms: problem.term,
        solver: method,
        t0: ref.t_span[0],
        t1: ref.t_span[1],
        y0,
        stepSizeController: new PIDController({ rtol, atol }),
        maxSteps: 100_000,
      });
      const final = Array.from((sol.ys as tf.Tensor).dataSync());
      const ms = performance.now() - t;
      o.stats = { ...sol.stats };
      o.final = final;
      sol.dispose();
      y0.dispose();
      return ms;
    },
  };
  return o;
}

const fixed = (x: number): string => x.toFixed(2);

/** Run the side-by-side stiff benchmark on `backends` (ours) against scipy (theirs). */
export async function run(backends: string[]): Promise<void> {
  const peer = startPeer();
  const rows: BenchRow[] = [];
  let versions = '';
  for (const problem of STIFF_PROBLEMS) {
    const ref = stiffReference(problem.key);
    const { rtol, atol } = ref.runs[0]!;
    const mine = backends.flatMap((b) => OUR_METHODS.map((m) => ours(problem, ref, b, m)));
    const theirs: Theirs[] =
      typeof peer === 'string'
        ? []
        : PEER_METHODS.flatMap((method) =>
            PEER_JACS.map((jac) => ({ method, jac, name: `${problem.key} ${method} ${jac}`, ms: [], rounds: ROUNDS })),
          );
    if (typeof peer !== 'string') {
      for (const t of theirs) {
        const r = await peer.ask({ cmd: 'setup', name: t.name, problem: problem.key, method: t.method, jac: t.jac, rtol, atol });
        if (r.error) throw new Error(`peer setup failed: ${String(r.error)}`);
        versions = `scipy ${String(r.scipy)}, numpy ${String(r.numpy)}, Python ${String(r.python)}`;
      }
    }
    // Ours and theirs alternate run by run: ours #0, theirs #0, ours #1, … (lists of unequal length just run on).
    const runOne = async (round: number, timed: boolean): Promise<void> => {
      for (let i = 0; i < Math.max(mine.length, theirs.length); i++) {
        const o = mine[i];
        if (o && (!timed || round < o.rounds)) {
          await useBackend(o.backend as BackendName);
          if (timed && round === 0) o.loadBefore = loadavg();
          const ms = o.once();
          if (timed) {
            o.ms.push(ms);
            if (round === o.rounds - 1) o.loadAfter = loadavg();
          } else if (ms > SLOW_MS) o.rounds = Math.min(o.rounds, SLOW_ROUNDS);
        }
        const t = theirs[i];
        if (t && typeof peer !== 'string' && (!timed || round < t.rounds)) {
          if (timed && round === 0) t.loadBefore = loadavg();
          const r = await peer.ask({ cmd: 'time', name: t.name });
          if (r.error) throw new Error(`peer run failed: ${String(r.error)}`);
          t.counts = r;
          if (timed) {
            t.ms.push(r.ms as number);
            if (round === t.rounds - 1) t.loadAfter = loadavg();
          }
        }
      }
    };
    for (let w = 0; w < WARMUP; w++) await runOne(w, false);
    const rounds = Math.max(...mine.map((o) => o.rounds), ...theirs.map((t) => t.rounds));
    for (let r = 0; r < rounds; r++) await runOne(r, true);

    const peerOf = (method: string, jac: string): Theirs | undefined => theirs.find((t) => t.method === method && t.jac === jac);
    const fastest = theirs.length ? theirs.reduce((a, b) => (median(b.ms) < median(a.ms) ? b : a)) : undefined;
    for (const o of mine) {
      const s = o.stats!;
      const row: BenchRow = {
        side: 'ours',
        problem: problem.label,
        backend: o.backend,
        method: o.method,
        jac: 'autodiff',
        nfe: s.nfe,
        jacobians: s.jacobians,
        factorizations: s.factorizations,
        newtonIterations: s.newtonIterations,
        steps: s.steps,
        error: maxRelError(o.final!, ref.reference.final_state),
        medianMs: median(o.ms),
        minMs: Math.min(...o.ms),
        maxMs: Math.max(...o.ms),
        repeats: o.ms.length,
      };
      const counterpart = COUNTERPART[o.method];
      const analytic = peerOf(counterpart, 'analytic');
      const fd = peerOf(counterpart, 'fd');
      if (analytic && fd && fastest) {
        row.vs = counterpart;
        row.ratioAnalyticJac = row.medianMs / median(analytic.ms);
        row.rangeAnalyticJac = ratioRange(o.ms, analytic.ms);
        row.ratioFdJac = row.medianMs / median(fd.ms);
        row.rangeFdJac = ratioRange(o.ms, fd.ms);
        row.fastestScipy = `${fastest.method} ${fastest.jac}`;
        row.ratioFastest = row.medianMs / median(fastest.ms);
      }
      row.loadavgBefore = o.loadBefore;
      row.loadavgAfter = o.loadAfter;
      if (o.rounds < ROUNDS) row.note = `over ${SLOW_MS / 1000} s a run: ${o.rounds} rounds instead of ${ROUNDS}`;
      rows.push(row);
      console.log(
        `${problem.label} ${o.backend} ${o.method}: ${fixed(row.medianMs)} ms, nfe ${s.nfe}` +
          (row.vs
            ? `, ${counterpart} ${fixed(median(analytic!.ms))} ms (analytic jac), ratio ${fixed(row.ratioAnalyticJac as number)}`
            : ''),
      );
    }
    for (const t of theirs) {
      const c = t.counts!;
      rows.push({
        side: 'scipy',
        problem: problem.label,
        backend: 'scipy (float64)',
        method: t.method,
        jac: t.jac === 'analytic' ? 'analytic' : 'finite differences',
        nfe: c.nfev as number,
        jacobians: c.njev as number,
        factorizations: c.nlu as number,
        steps: c.n_steps as number,
        error: maxRelError(c.final_state as number[], ref.reference.final_state),
        medianMs: median(t.ms),
        minMs: Math.min(...t.ms),
        maxMs: Math.max(...t.ms),
        repeats: t.ms.length,
        loadavgBefore: t.loadBefore,
        loadavgAfter: t.loadAfter,
      });
      console.log(`${problem.label} scipy ${t.method} jac ${t.jac}: ${fixed(median(t.ms))} ms, nfev ${String(c.nfev)}`);
    }
  }
  if (typeof peer !== 'string') peer.stop();
  writeResults(
    'stiff',
    rows,
    typeof peer === 'string'
      ? `No peer ran (${peer}): our figures only, no ratios. Tolerances of tooling/reference/stiff_problems.json (rtol 1e-6; atol 1e-10 Robertson and HIRES, 1e-6 Van der Pol); error = max componentwise relative error of the final state against scipy Radau at rtol 1e-11.`
      : [
          `Side by side in one session: ours (${backends.join(', ')}; float32; wasm single-threaded) and ${versions} solve_ivp (float64, OPENBLAS_NUM_THREADS=1), alternating run by run within each round, ${WARMUP} warm-up rounds, medians of ${ROUNDS} timed rounds.`,
          'Tolerances of tooling/reference/stiff_problems.json (rtol 1e-6; atol 1e-10 Robertson and HIRES, 1e-6 Van der Pol). error = max componentwise relative error of the final state against scipy Radau at rtol 1e-11.',
          'Our rows: `ratio…` = our median / the median of the scipy counterpart `vs` (bdf ↔ BDF; kvaerno5 and ros34pw2 ↔ Radau) with the analytic or the finite-difference Jacobian, `range…` from the extremes (min ours / max theirs – max ours / min theirs); `ratioFastest` against the fastest scipy row of the problem. Above 1: we are slower.',
          'Our Jacobians are autodiff (exact, float64 on the host); their evaluations are not in our nfe. scipy: nfe = nfev, jacobians = njev, factorizations = nlu; BDF and Radau do not count their finite-difference Jacobian evaluations in nfev (num_jac calls the uncounted fun_vectorized), LSODA does.',
        ].join(' '),
  );
}
