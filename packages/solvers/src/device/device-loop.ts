/**
 * The device-resident mode of the stepping loop (`solve({ onDevice })`): accept/reject, the next
 * step size, time (a compensated float32 pair) and saving all stay on the device, and the host
 * reads one small packet every k steps to learn whether the solve has finished. Steps taken after
 * the end are masked (`tf.where`) and counted as wasted. On a GPU this removes the round trip the
 * ordinary loop makes every step (its error ratio); on cpu and wasm it runs too, and gives the same
 * steps (to float32 rounding of the step-size arithmetic).
 *
 * With `perSample`, each sample (leading axis) is a lane with its own time and step size, masked
 * lane by lane — what diffrax gets from `vmap`.
 */
import * as tf from '@tensorflow/tfjs';
import {
  InvalidArgumentError,
  ShapeError,
  UnsupportedError,
  tidyTree,
  treeDispose,
  treeFlatten,
  treeLeaves,
  treeUnflatten,
  treeLinearCombination,
  treeWeightedSum,
  type Tree,
} from '@nde/core';
import { PIDController } from '../controllers/pid.js';
import type { StepSizeController } from '../controllers/controller.js';
import type { FailureStatus, SolveStatus } from '../errors.js';
import { NON_FINITE_RETRIES, failureMessage } from '../messages.js';
import { ExplicitRK } from '../rk/explicit-rk.js';
import type { Solution, SolveOptions, SolveStats } from '../solution.js';
import type { Solver } from '../solver.js';
import { TensorTimeODETerm } from '../terms.js';
import { addIncrement, compensatedOf, difference, joinNumber, type CompensatedTime } from './compensated.js';
import { deviceInitialStep, laneConstants, pidVerdict, underflows, type LaneConstants, type PIDHistory } from './device-controller.js';
import { DeviceSaver } from './device-saver.js';
import { fieldTime, laneNorm, laneView, type LaneLayout } from './lanes.js';
import { select, selectLanes } from './select.js';
import { allFinite } from '../finite.js';

/**
 * Options of the device-resident loop.
 *
 * @example
 * ```ts
 * solveAsync({ terms: new TensorTimeODETerm((t, y) => f(y)), solver: 'tsit5', t0: 0, t1: 1, y0, onDevice: { readEvery: 16 } });
 * ```
 */
export interface DeviceLoopOptions {
  /**
   * Read back every k steps (a positive integer), or `'auto'` (default): after 2 steps, then after
   * 0.8 of the steps left at the current step size, so a solve makes a handful of reads and wastes
   * few steps.
   */
  readonly readEvery?: number | 'auto';
  /** Each sample (leading axis of every leaf) steps with its own time and step size (default false). */
  readonly perSample?: boolean;
  /**
   * Per sample: keep every lane's steps (`sol.laneSteps`, 12 bytes per lane and step, read in the
   * packets the loop reads anyway) so the solve can be replayed under the gradient tape
   * (`@nde/adjoint`'s `valueAndGradsAsync` sets it). Default false.
   */
  readonly recordLanes?: boolean;
}

/** The steps of a per-sample device-resident solve, lane by lane: what its replay takes. */
export interface LaneSteps {
  /** Per loop iteration: each lane's step size, whether it accepted it, and whether it ended at t1. */
  readonly steps: readonly { readonly h: Float32Array; readonly accepted: Uint8Array; readonly reached: Uint8Array }[];
}

type Loop<Y extends Tree> = Generator<tf.Tensor, Solution<Y>, ArrayLike<number>>;

/** Lane status codes carried on the device. */
const RUNNING = 0;
const DONE = 1;
const UNDERFLOW = 2;
const NON_FINITE = 3;
const AUTO_FIRST = 2;
/** Entries of the packet before y0's finiteness flag. */
const HEAD = 8;
/** Floats per step record: accepted, status after the step, t_hi, t_lo. */
const RECORD = 4;
const AUTO_MAX = 1024;

/** Everything the loop carries between steps, all on the device. */
interface DeviceState {
  readonly y: tf.Tensor[];
  /** f(t, y) for the next step (FSAL stage, or f(t1, y1) for Hermite saving), when kept. */
  readonly f0: tf.Tensor[] | undefined;
  readonly t: CompensatedTime;
  /** Signed step proposal per lane. */
  readonly dt: tf.Tensor1D;
  readonly history: PIDHistory;
  readonly status: tf.Tensor1D;
  readonly nonFiniteRow: tf.Tensor1D;
  /** Per-lane counters: accepted, rejected, wasted (masked) steps. */
  readonly counts: tf.Tensor2D;
  readonly saved: { buffers: tf.Tensor[]; written: tf.Tensor } | undefined;
  /** This step's [accepted, status, t_hi, t_lo] (one lane only), for the step grid. */
  readonly record: tf.Tensor | undefined;
}

function stateTensors(s: DeviceState): tf.Tensor[] {
  return [
    ...s.y,
    ...(s.f0 ?? []),
    s.t.hi,
    s.t.lo,
    s.dt,
    s.history.prevInv,
    s.history.prevPrevInv,
    s.status,
    s.nonFiniteRow,
    s.counts,
    ...(s.saved ? [...s.saved.buffers, s.saved.written] : []),
  ];
}

/** Dispose what `old` holds and `next` does not (a pass-through tensor is kept). */
function disposeReplaced(old: DeviceState, next: DeviceState | undefined): void {
  const keep = new Set(next ? stateTensors(next).map((x) => x.id) : []);
  for (const x of stateTensors(old)) if (!keep.has(x.id)) x.dispose();
}

/** Checks that are the device loop's own, with the fix for each. */
function validateDevice<Y extends Tree, A>(
  o: SolveOptions<Y, A>,
  solver: Solver<unknown>,
  controller: StepSizeController,
): { rk: ExplicitRK; pid: PIDController; term: TensorTimeODETerm<Y, A>; readEvery: number | 'auto'; perSample: boolean } {
  const d = o.onDevice as DeviceLoopOptions;
  if (!(o.terms instanceof TensorTimeODETerm)) {
    throw new UnsupportedError(
      'terms',
      'must be a TensorTimeODETerm in a device-resident solve: time lives on the device, and an ODETerm takes it as a JS number.',
      'Wrap the field: new TensorTimeODETerm((t, y, args) => …) (t is a tensor; an autonomous field ignores it).',
    );
  }
  if (!(solver instanceof ExplicitRK)) {
    throw new UnsupportedError(
      'solver',
      `'${solver.name}' cannot run device-resident: the device loop steps explicit Runge–Kutta methods.`,
      'Use dopri5, tsit5, bosh3, heun or dopri8, or drop onDevice.',
    );
  }
  if (!(controller instanceof PIDController) || controller.clipsSteps) {
    throw new UnsupportedError(
      'stepSizeController',
      `'${controller.name}' cannot run device-resident: the device loop runs the PIDController rule (without stepTs/jumpTs).`,
      'Use a PIDController, or drop onDevice.',
    );
  }
  if (o.event !== undefined)
    throw new UnsupportedError('event', 'is not supported device-resident (events need a read per step).', 'Drop onDevice.');
  if (o.onStep !== undefined)
    throw new UnsupportedError('onStep', 'is not called device-resident (the host sees steps only in batches).', 'Use sol.stepTimes.');
  if (o.controllerState !== undefined)
    throw new UnsupportedError('controllerState', 'cannot resume a device-resident solve.', 'Drop onDevice.');
  if (o.saveAt?.steps || o.saveAt?.dense) {
    throw new UnsupportedError(
      'saveAt',
      'steps and dense are not saved device-resident.',
      'Save at ts (written on the device), or drop onDevice.',
    );
  }
  const readEvery = d.readEvery ?? 'auto';
  if (readEvery !== 'auto' && !(Number.isInteger(readEvery) && readEvery > 0)) {
    throw new InvalidArgumentError('onDevice.readEvery', `must be a positive integer or 'auto' (got ${String(readEvery)}).`);
  }
  const perSample = d.perSample ?? false;
  if (perSample) {
    const leaves = treeLeaves(o.y0);
    const batch = leaves[0]?.shape[0];
    if (leaves.some((x) => x.rank === 0 || x.shape[0] !== batch)) {
      throw new ShapeError(
        'y0',
        `needs a leading batch axis of the same size on every leaf for per-sample steps (got shapes ${leaves.map((x) => `[${x.shape.join(', ')}]`).join(', ')}).`,
        'Give every leaf shape [batch, ...], or drop onDevice.perSample.',
      );
    }
  }
  return { rk: solver, pid: controller, term: o.terms as TensorTimeODETerm<Y, A>, readEvery, perSample };
}

/** The output times, in the host saver's order: t0, the requested times, t1. */
function savedTimes(o: { t0: number; t1: number; saveAt?: SolveOptions['saveAt'] }): number[] {
  const saveAt = o.saveAt ?? { t1: true };
  return [...(saveAt.t0 ? [o.t0] : []), ...(saveAt.ts ?? []), ...(saveAt.t1 ? [o.t1] : [])];
}

/**
 * The device-resident loop (see module doc). Yields one packet to read every k steps; with
 * `replay`, it retakes the recorded steps of a per-sample solve and yields nothing.
 * @internal
 */
export function* deviceLoop<Y extends Tree, A>(
  o: SolveOptions<Y, A>,
  solver: Solver<unknown>,
  controller: StepSizeController,
  direction: 1 | -1,
  maxSteps: number,
  replay?: LaneSteps,
): Loop<Y> {
  const { rk, pid, term, readEvery, perSample } = validateDevice(o, solver, controller);
  const recordLanes = perSample && (o.onDevice?.recordLanes ?? false);
  const laneSteps: { h: Float32Array; accepted: Uint8Array; reached: Uint8Array }[] = [];
  const { t0, t1 } = o;
  const args = o.args as A;
  const { def, leaves: y0 } = treeFlatten(o.y0);
  const layout: LaneLayout = { lanes: perSample ? (y0[0]?.shape[0] as number) : 1, perSample };
  const L = layout.lanes;
  const { c, a, b, bError } = rk.tableau;
  const stages = c.length;
  const fsal = rk.fsal;
  const saver = new DeviceSaver(savedTimes(o), t0, t1, rk.tableau);
  const hermite = saver.needsDense && !saver.usesStages;
  const keepF0 = fsal || hermite;
  const settings = pid.settings;
  const k = (rk.errorOrder as number) + 1;
  const stats: SolveStats = { nfe: 0, accepted: 0, rejected: 0, steps: 0, hostReads: 0, wastedSteps: 0 };

  /** The field at a time already shaped for it (`[]`, or `[batch]` per sample). */
  const evaluate = (t: tf.Tensor, y: readonly tf.Tensor[]): tf.Tensor[] => {
    stats.nfe++;
    return treeLeaves(term.evaluateAt(t, treeUnflatten<Y>(def, y), args));
  };
  /** The field at per-lane times `[lanes]`. */
  const f = (t: tf.Tensor, y: readonly tf.Tensor[]): tf.Tensor[] => evaluate(fieldTime(t, layout), y);
  const lane = (v: tf.Tensor, leaf: tf.Tensor): tf.Tensor => laneView(v, leaf, layout);
  let state: DeviceState | undefined;
  let records: tf.Tensor[] = [];
  let y0Finite: tf.Tensor | undefined;
  const times = saver.interiorTimes();
  const t1Lanes = compensatedOf(new Array<number>(L).fill(t1));
  const constants: LaneConstants = laneConstants(settings, L);
  const nodes = perSample ? tf.tensor2d([...c], [stages, 1]) : tf.tensor1d([...c]);
  let finished = false;
  let status: SolveStatus = 'success';
  let failure: FailureStatus | undefined;
  let tFinal = t0;
  const stepTimes: number[] = [];

  try {
    // (A replay's forward solve checked y0.)
    if (!replay) y0Finite = tf.tidy(() => allFinite(y0));
    if (t0 !== t1) {
      state = tidyTree((): DeviceState => {
        const t = compensatedOf(new Array<number>(L).fill(t0));
        const y = y0.map((x) => x.clone());
        let f0: tf.Tensor[] | undefined;
        let dt: tf.Tensor1D;
        if (replay) {
          dt = tf.zeros([L]);
        } else if (o.dt0 !== undefined) {
          // The controller's own first proposal: its check of dt0's sign and its clamp to [dtmin, dtmax].
          dt = tf.fill([L], pid.init({ t0, t1, direction, dt0: o.dt0, errorOrder: rk.errorOrder }).state.dt) as tf.Tensor1D;
        } else {
          f0 = f(t.hi, y);
          const dt0 = deviceInitialStep({
            y0: y,
            f0,
            evaluate: (h0, y1) => f(tf.add(t.hi, h0), y1),
            rtol: pid.rtol,
            atol: pid.atol,
            order: rk.errorOrder ?? rk.order,
            direction,
            layout,
          });
          dt = tf.mul(tf.minimum(tf.maximum(tf.abs(dt0), settings.dtmin), settings.dtmax), direction) as tf.Tensor1D;
        }
        return {
          y,
          f0: keepF0 ? (f0 ?? f(t.hi, y)) : undefined,
          t,
          dt,
          history: { prevInv: tf.ones([L]), prevPrevInv: tf.ones([L]) },
          // A first step that is not finite (the field is NaN at t0) fails the lane at once, as on the host.
          status: tf.where(tf.isFinite(dt), tf.fill([L], RUNNING), tf.fill([L], NON_FINITE)) as tf.Tensor1D,
          nonFiniteRow: tf.zeros([L]),
          counts: tf.zeros([3, L]),
          saved: saver.allocate(y0, layout),
          record: undefined,
        };
      });
    }

    /**
     * The stages of a step of size h (per lane) from s: stage times in one go ([stages] with one
     * lane, [stages, lanes] per sample), each stage scaled by h once so every stage value is one
     * linear combination with the tableau's numbers.
     */
    const stagesOf = (s: DeviceState, h: tf.Tensor1D): { ks: tf.Tensor[][]; y1: tf.Tensor[]; err: tf.Tensor[] } => {
      const at = tf.unstack(
        perSample ? tf.add(s.t.hi.reshape([1, L]), tf.mul(h.reshape([1, L]), nodes)) : tf.add(s.t.hi, tf.mul(h, nodes)),
      );
      const hLeaf = s.y.map((x) => lane(h, x));
      const ks: tf.Tensor[][] = [s.f0 ?? evaluate(at[0] as tf.Tensor, s.y)];
      const hks: tf.Tensor[][] = [];
      const scale = (kj: tf.Tensor[]): tf.Tensor[] => kj.map((x, i) => tf.mul(hLeaf[i] as tf.Tensor, x));
      hks.push(scale(ks[0] as tf.Tensor[]));
      let y1: tf.Tensor[] | undefined;
      for (let i = 1; i < stages; i++) {
        const yi = treeLinearCombination(s.y, a[i] as readonly number[], hks);
        if (fsal && i === stages - 1) y1 = yi;
        ks.push(evaluate(at[i] as tf.Tensor, yi));
        hks.push(scale(ks[i] as tf.Tensor[]));
      }
      y1 ??= treeLinearCombination(s.y, b, hks);
      return { ks, y1, err: treeWeightedSum(bError as readonly number[], hks) };
    };

    /**
     * What an attempted step leaves behind in each lane that accepted it: the state, f for the next
     * step, the saved times it crossed, and the time (t1 itself in lanes that reached it).
     */
    const carryOver = (
      s: DeviceState,
      h: tf.Tensor1D,
      accepted: tf.Tensor1D,
      reached: tf.Tensor1D,
      { ks, y1 }: { ks: tf.Tensor[][]; y1: tf.Tensor[] },
      // t + h where it is known already (lanes that reach t1 end there whatever it says).
      stepped: CompensatedTime = addIncrement(s.t, h),
    ): Pick<DeviceState, 'y' | 'f0' | 't' | 'saved'> => {
      const tEnd = { hi: select(reached, t1Lanes.hi, stepped.hi), lo: select(reached, t1Lanes.lo, stepped.lo) };
      const k1 = ks[0] as tf.Tensor[];
      const fEnd = fsal ? ks[stages - 1] : hermite ? f(tEnd.hi, y1) : undefined;
      const f0 = keepF0 ? k1.map((x, i) => selectLanes(accepted, (fEnd as tf.Tensor[])[i] as tf.Tensor, x, perSample)) : undefined;
      let saved = s.saved;
      if (saved && times) {
        const vectors = saver.usesStages
          ? ks
          : [y1.map((x, i) => tf.div(tf.sub(x, s.y[i] as tf.Tensor), lane(h, x))), k1, fEnd as tf.Tensor[]];
        saved = saver.write(times, saved, { t: s.t, h, accepted, y0: s.y, vectors }, direction, layout);
      }
      return {
        y: s.y.map((x, i) => selectLanes(accepted, y1[i] as tf.Tensor, x, perSample)),
        f0,
        t: { hi: select(accepted, tEnd.hi, s.t.hi), lo: select(accepted, tEnd.lo, s.t.lo) },
        saved,
      };
    };

    /** One step of every lane; inactive lanes compute and are masked. */
    const advance = (s: DeviceState): DeviceState => {
      const active = tf.equal(s.status, RUNNING) as tf.Tensor1D;
      const remaining = difference(t1Lanes, s.t) as tf.Tensor1D;
      // A step reaches t1 when t + dt, in the pair's precision, is at or past it (the host's clipToEnd):
      // comparing dt with the float32-rounded remaining could overshoot t1 by half an ulp.
      const stepped = addIncrement(s.t, s.dt);
      const past = difference(t1Lanes, stepped);
      const reach = (direction > 0 ? tf.lessEqual(past, 0) : tf.greaterEqual(past, 0)) as tf.Tensor1D;
      const h = select(tf.logicalAnd(active, reach), remaining, s.dt) as tf.Tensor1D;
      const step = stagesOf(s, h);
      const ratio = laneNorm(step.err, s.y, step.y1, pid.rtol, pid.atol, pid.norm, layout);
      const verdict = pidVerdict(settings, k, h, ratio, s.history, constants);
      const accepted = tf.logicalAnd(active, verdict.accept) as tf.Tensor1D;
      const rejected = tf.logicalAnd(active, tf.logicalNot(verdict.accept));
      const reached = tf.logicalAnd(accepted, reach) as tf.Tensor1D;
      const next = carryOver(s, h, accepted, reached, step, stepped);
      const under = underflows(settings, verdict, select(verdict.accept, next.t.hi, s.t.hi) as tf.Tensor1D);
      const row = select(verdict.finite, constants.zeros, tf.add(s.nonFiniteRow, 1)) as tf.Tensor1D;
      // The new status of an active lane is the largest code that applies (they are ordered so):
      // out of non-finite retries (3), an underflowing rejection (2, or 3 after non-finite steps),
      // at the end (1), running (0).
      const underCode = tf.mul(tf.logicalAnd(rejected, under).cast('float32'), tf.add(tf.greater(row, 0).cast('float32'), UNDERFLOW));
      const lost = tf.mul(tf.greater(row, NON_FINITE_RETRIES).cast('float32'), NON_FINITE);
      const code = tf.maximum(tf.maximum(reached.cast('float32'), underCode), lost);
      const status = select(active, code, s.status) as tf.Tensor1D;
      return {
        ...next,
        dt: select(active, direction > 0 ? verdict.magnitude : tf.neg(verdict.magnitude), s.dt) as tf.Tensor1D,
        history: {
          prevInv: select(active, verdict.history.prevInv, s.history.prevInv) as tf.Tensor1D,
          prevPrevInv: select(active, verdict.history.prevPrevInv, s.history.prevPrevInv) as tf.Tensor1D,
        },
        status,
        nonFiniteRow: select(active, row, s.nonFiniteRow) as tf.Tensor1D,
        counts: tf.add(s.counts, tf.stack([accepted, rejected, tf.logicalNot(active)]).cast('float32')) as tf.Tensor2D,
        // One lane: [accepted, status, t_hi, t_lo] (an accepted step that ends DONE ended at t1, reported as t1
        // itself: the pair holds t1 only to ~48 bits). Per sample, when recorded: [accepted, h, reached] per lane.
        record: !perSample
          ? tf.concat([accepted.cast('float32'), status, next.t.hi, next.t.lo])
          : recordLanes
            ? tf.concat([accepted.cast('float32'), h, reached.cast('float32')])
            : undefined,
      };
    };

    /** A recorded step replayed: the same stages and carry-over, the decisions read from the record. */
    const replayStep = (s: DeviceState, step: LaneSteps['steps'][number]): DeviceState => {
      const h = tf.tensor1d(step.h);
      const accepted = tf.tensor1d(step.accepted, 'bool');
      const reached = tf.tensor1d(step.reached, 'bool');
      return { ...s, ...carryOver(s, h, accepted, reached, stagesOf(s, h)), record: undefined };
    };

    /**
     * The packet read every k steps: lanes still running, worst status, counts, the least-advanced
     * lane's time and step size (HEAD entries), whether y0 is finite, then the step records.
     */
    const packet = (s: DeviceState | undefined): tf.Tensor =>
      tf.tidy(() => {
        const head = s
          ? (() => {
              const progress = tf.mul(s.t.hi, direction);
              const slowest = tf.argMin(progress);
              return tf.concat([
                tf.sum(tf.equal(s.status, RUNNING).cast('float32')).reshape([1]),
                tf.max(s.status).reshape([1]),
                tf.sum(s.counts, 1),
                tf.gather(s.t.hi, slowest.reshape([1])),
                tf.gather(s.t.lo, slowest.reshape([1])),
                tf.abs(tf.gather(s.dt, slowest.reshape([1]))),
              ]);
            })()
          : tf.zeros([HEAD]);
        return tf.concat([head, y0Finite ? y0Finite.reshape([1]) : tf.ones([1]), ...records]);
      });

    if (replay) {
      // No reads: the decisions come from the record.
      const wrong = replay.steps.findIndex((step) => step.h.length !== L || step.accepted.length !== L || step.reached.length !== L);
      if (wrong >= 0) {
        throw new ShapeError(
          'steps',
          `step ${wrong} of the record has ${replay.steps[wrong]?.h.length} lanes; this solve has ${L}.`,
          'Replay a record with the options of the solve that made it.',
        );
      }
      for (const step of replay.steps) {
        const prev = state as DeviceState;
        const next = tidyTree(() => replayStep(prev, step));
        disposeReplaced(prev, next);
        state = next;
        step.accepted.forEach((x) => (stats.accepted += x));
      }
      // The replay retakes accepted steps only: its counts are those (the forward's stats hold the rest).
      stats.steps = stats.accepted;
      stats.rejected = 0;
      tFinal = t1;
    } else {
      let iterations = 0;
      let chunk = readEvery === 'auto' ? AUTO_FIRST : readEvery;
      for (;;) {
        const n = state ? Math.min(chunk, maxSteps - iterations) : 0;
        for (let j = 0; j < n; j++) {
          const prev = state as DeviceState;
          const next = tidyTree(() => advance(prev));
          disposeReplaced(prev, next);
          state = next;
          if (next.record) records.push(next.record);
          iterations++;
        }
        const v = yield packet(state);
        if (y0Finite) {
          y0Finite.dispose();
          y0Finite = undefined;
          if (v[HEAD] !== 1)
            throw new InvalidArgumentError('y0', 'contains NaN or Infinity.', 'Check the initial state (and whatever produced it).');
        }
        if (!perSample) {
          records.forEach((_r, i) => {
            const at = HEAD + 1 + RECORD * i;
            if (v[at] !== 1) return;
            stepTimes.push(v[at + 1] === DONE ? t1 : joinNumber(v[at + 2] as number, v[at + 3] as number));
          });
        } else {
          records.forEach((_r, i) => {
            const at = HEAD + 1 + 3 * L * i;
            const row = (j: number): ArrayLike<number> => Array.prototype.slice.call(v, at + j * L, at + (j + 1) * L) as number[];
            laneSteps.push({ accepted: Uint8Array.from(row(0)), h: Float32Array.from(row(1)), reached: Uint8Array.from(row(2)) });
          });
        }
        records.forEach((r) => r.dispose());
        records = [];
        if (!state) break;
        const [running, worst, acc, rej, wasted, hi, lo, dtSlowest] = Array.from(v).slice(0, HEAD) as [
          number,
          number,
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        Object.assign(stats, { accepted: acc, rejected: rej, steps: acc + rej, wastedSteps: wasted });
        tFinal = joinNumber(hi, lo);
        if (worst >= UNDERFLOW) {
          failure = worst === UNDERFLOW ? 'dtUnderflow' : 'nonFinite';
          break;
        }
        if (running === 0) {
          tFinal = t1;
          break;
        }
        if (iterations >= maxSteps) {
          failure = 'maxStepsReached';
          break;
        }
        if (readEvery === 'auto') {
          // About 0.8 of the steps left at the current step size: steps usually grow, and a wasted
          // step costs more than a read.
          const left = (Math.abs(t1 - tFinal) / Math.max(dtSlowest, Number.MIN_VALUE)) * 0.8;
          chunk = Number.isFinite(left) ? Math.min(AUTO_MAX, Math.max(1, Math.ceil(left))) : AUTO_FIRST;
        }
      }
    }

    let ys: Y | undefined;
    let yFinal: Y | undefined;
    const final = state;
    if (failure) {
      status = failure;
      yFinal = treeUnflatten<Y>(
        def,
        (final as DeviceState).y.map((x) => x.clone()),
      );
    } else if (saver.times.length) {
      const leaves = tf.tidy(() => saver.assemble(y0, final?.y ?? y0, final?.saved?.buffers));
      ys = treeUnflatten<Y>(def, leaves);
    }
    if (final) disposeReplaced(final, undefined);
    state = undefined;
    finished = true;
    const message = failure
      ? failureMessage(failure, {
          t: tFinal,
          t1,
          maxSteps,
          adaptive: true,
          retries: NON_FINITE_RETRIES,
          beforeFirstStep: stats.steps === 0,
          afterNonFinite: failure === 'nonFinite',
          solver: rk.name,
        })
      : undefined;
    return {
      ts: failure ? [] : [...saver.times],
      ys,
      stats,
      status,
      ...(message ? { message } : {}),
      tFinal,
      ...(yFinal ? { yFinal } : {}),
      ...(perSample ? {} : { stepTimes }),
      ...(recordLanes && !replay ? { laneSteps: { steps: laneSteps } } : {}),
      dispose: () => treeDispose(ys, yFinal),
    };
  } finally {
    if (!finished) {
      if (state) disposeReplaced(state, undefined);
      records.forEach((r) => r.dispose());
      y0Finite?.dispose();
    }
    saver.dispose();
    tf.dispose([t1Lanes.hi, t1Lanes.lo, nodes, constants.ones, constants.zeros, constants.factormin, constants.factormax]);
    if (times) {
      times.hi.dispose();
      times.lo.dispose();
    }
  }
}
