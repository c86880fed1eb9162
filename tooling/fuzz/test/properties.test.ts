/**
 * The property-based suite (issue #15), seeded. In CI a bounded sample runs on cpu and wasm; `pnpm fuzz`
 * sets NDE_FUZZ_RUNS (cases per backend, split over the properties by the weights below) for a long run.
 * Each property prints its case count and time.
 */
import fc from 'fast-check';
import { afterAll, it } from 'vitest';
import { describeBackends } from '@nde/test-utils';
import {
  invalidCaseArb,
  odeCaseArb,
  odeGradCaseArb,
  runInvalidCase,
  runOdeCase,
  runOdeGradCase,
  runSdeCase,
  runSdeGradCase,
  sdeCaseArb,
  sdeGradCaseArb,
  type InvalidOutcome,
} from '../src/index.js';

const TOTAL = Number(process.env.NDE_FUZZ_RUNS ?? 0) || 1000;
const SEED = Number(process.env.NDE_FUZZ_SEED ?? 20261201);
// Share of the cases per property (gradient cases cost several solves each).
const WEIGHTS = { ode: 0.4, sde: 0.2, odeGrads: 0.1, sdeGrads: 0.04, invalid: 0.26 };
const runs = (w: number): number => Math.max(4, Math.round(TOTAL * w));

const summary: string[] = [];
afterAll(() => {
  console.log(`[fuzz] seed ${SEED}, ${TOTAL} cases per backend requested\n${summary.join('\n')}`);
});

function property<T>(name: string, backend: string, arb: fc.Arbitrary<T>, numRuns: number, body: (c: T) => void): void {
  const start = performance.now();
  let n = 0;
  fc.assert(
    fc.property(arb, (c) => {
      n++;
      body(c);
    }),
    { seed: SEED, numRuns, endOnFailure: true },
  );
  summary.push(`[fuzz] ${backend} ${name}: ${n} cases passed in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

describeBackends('properties', (backend) => {
  it('ODE: every method, tree states, aliasing fields, saveAt, both directions: exact within order bounds, no leak', () => {
    property('ode', backend, odeCaseArb, runs(WEIGHTS.ode), runOdeCase);
  });

  it('SDE: every method and noise type on pathwise closed forms: strong error within bounds, no leak', () => {
    property('sde', backend, sdeCaseArb, runs(WEIGHTS.sde), runSdeCase);
  });

  it('adjoints on linear ODEs: gradients equal the closed form and the direct ones, no leak', () => {
    property('ode-grads', backend, odeGradCaseArb, runs(WEIGHTS.odeGrads), runOdeGradCase);
  });

  it('adjoints on Stratonovich GBM: reversible and stochastic adjoints equal direct gradients, no leak', () => {
    property('sde-grads', backend, sdeGradCaseArb, runs(WEIGHTS.sdeGrads), runSdeGradCase);
  });

  it('bad input: only NdeErrors (or the user error unchanged), never a leak', () => {
    const outcomes = new Map<string, number>();
    property('invalid', backend, invalidCaseArb, runs(WEIGHTS.invalid), (c) => {
      const o: InvalidOutcome = runInvalidCase(c);
      const k = o.kind === 'error' ? o.name : o.kind === 'status' ? `status:${o.status}` : 'success';
      outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    });
    summary.push(`[fuzz] ${backend} invalid outcomes: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  });
});
