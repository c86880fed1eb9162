/**
 * The saver: what a solve keeps, as {@link SaveAt} asks — the states at t0, at the requested times
 * (from each step's dense output), after every step, at the end, and the dense pieces. It owns what
 * it has saved until `collect` hands it over stacked, or `dispose` releases it.
 */
import { tidyTree, treeClone, treeDispose, type Tree } from '@nde/core';
import { DenseInterpolation, stackTrees, type LocalInterpolant } from './interpolation.js';
import type { SaveAt } from './save-at.js';

/** Where an accepted step ended, as the saver needs to know it. @internal */
export interface SavedStep<Y extends Tree> {
  /** End of the step as the solver took it (a float short of a jump time). */
  readonly tEnd: number;
  /** End of the step as the controller proposed it (the jump time itself). */
  readonly tEndNominal: number;
  /** The state at `tEnd` (not taken over). */
  readonly y1: Y;
  /** The step's interpolant (taken over: kept for dense output, or disposed). */
  readonly interp: LocalInterpolant<Y> | undefined;
  /** An event inside the step: the solve ends there, with this state (not taken over). */
  readonly stop?: { readonly t: number; readonly y: Y };
}

/** Saves a solve's states as {@link SaveAt} asks. @internal */
export class Saver<Y extends Tree> {
  private readonly times: number[] = [];
  private readonly states: Tree[] = [];
  private readonly pieces: LocalInterpolant<Y>[] = [];
  private readonly requested: readonly number[];
  private next = 0;

  /**
   * @param saveAt - what to save
   * @param direction - +1 forward, −1 backward
   */
  constructor(
    private readonly saveAt: SaveAt,
    private readonly direction: 1 | -1,
  ) {
    this.requested = saveAt.ts ?? [];
  }

  private push(t: number, y: Tree): void {
    this.times.push(t);
    this.states.push(y);
  }

  /**
   * Save what is due at the start: t0, and requested times equal to t0.
   * @param t0 - start time
   * @param y0 - the state there (copied)
   */
  start(t0: number, y0: Y): void {
    if (this.saveAt.t0) this.push(t0, treeClone(y0));
    for (; this.next < this.requested.length && this.requested[this.next] === t0; this.next++) this.push(t0, treeClone(y0));
  }

  /**
   * Whether a step ending at `tEnd` needs its dense output for saving.
   * @param tEnd - end of the step
   */
  needsDense(tEnd: number): boolean {
    return (
      !!this.saveAt.dense || (this.next < this.requested.length && ((this.requested[this.next] as number) - tEnd) * this.direction <= 0)
    );
  }

  /**
   * Save what falls in an accepted step; keeps or disposes its interpolant.
   * @param step - where the step ended, its state and interpolant, and an event that stopped it
   */
  step(step: SavedStep<Y>): void {
    const { tEnd, y1, interp, stop } = step;
    const end = stop ? stop.t : tEnd;
    while (this.next < this.requested.length && ((this.requested[this.next] as number) - end) * this.direction <= 0) {
      const ts = this.requested[this.next++] as number;
      this.push(ts, ts === tEnd ? treeClone(y1) : (interp as LocalInterpolant<Y>).evaluate(ts));
    }
    if (this.saveAt.steps) this.push(stop ? end : step.tEndNominal, treeClone(stop ? stop.y : y1));
    if (interp && this.saveAt.dense) this.pieces.push(interp);
    else interp?.dispose();
  }

  /**
   * Save the final state, if asked. Returns true when `y` was taken over (`handOver`).
   * @param t - where the solve ended
   * @param y - the state there
   * @param handOver - keep `y` itself instead of a copy (its last use)
   */
  end(t: number, y: Y, handOver: boolean): boolean {
    if (!this.saveAt.t1) return false;
    this.push(t, handOver ? y : treeClone(y));
    return handOver;
  }

  /** Hand over what was saved: the times, the states stacked along a new leading axis, the dense output. */
  collect(): { ts: number[]; ys: Y | undefined; dense: DenseInterpolation<Y> | undefined } {
    const states = this.states.splice(0);
    const ys = states.length ? (tidyTree(() => stackTrees(states)) as Y) : undefined;
    states.forEach((s) => treeDispose(s));
    const dense = this.saveAt.dense ? new DenseInterpolation<Y>(this.pieces.splice(0), this.direction) : undefined;
    return { ts: this.times, ys, dense };
  }

  /** Release everything saved so far (on an error). */
  dispose(): void {
    this.states.splice(0).forEach((s) => treeDispose(s));
    this.pieces.splice(0).forEach((p) => p.dispose());
  }
}
