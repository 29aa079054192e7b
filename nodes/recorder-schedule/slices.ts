/**
 * Long work in short slices: a generator does one unit of work per step (one command, one restored
 * schedule) and this runs its steps until about `sliceMs` have passed, then gives the event loop a
 * turn (setImmediate) before the next slice, so timers, I/O and other nodes go on while 20,000
 * schedules are added or restored. No Node-RED imports.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Longest stretch of work between two turns of the event loop. */
export const SLICE_MS = 8;

/**
 * Runs `steps` to its end in slices. Between slices `stopped()` is asked: when it says so (the node
 * is closing) the generator is closed and `{ stopped: true }` returned; what its steps did so far stays done.
 */
export async function runSliced<R>(
  steps: Generator<unknown, R>,
  stopped: () => boolean,
  sliceMs = SLICE_MS,
): Promise<{ stopped: false; value: R } | { stopped: true }> {
  let sliceEnd = performance.now() + sliceMs;
  for (;;) {
    const step = steps.next();
    if (step.done) return { stopped: false, value: step.value };
    if (performance.now() < sliceEnd) continue;
    await nextTurn();
    if (stopped()) {
      steps.return(undefined as R);
      return { stopped: true };
    }
    sliceEnd = performance.now() + sliceMs;
  }
}
