/**
 * Writes recorder-schedule's state to its context store. Changes made by a command are written
 * through before the command is answered (`flush`); firings only change counts and times, so a burst
 * of them is one write: at once when nothing was written for `minIntervalMs`, else at the end of that
 * interval. No Node-RED imports: the node hands in the store's write.
 */
export interface StateWriterOptions {
  /** Stores one snapshot; resolves when the store confirmed (or reported a failure itself). */
  readonly write: (state: unknown) => Promise<void>;
  readonly snapshot: () => unknown;
  /** Least time between two writes caused by firings (default 1000 ms). */
  readonly minIntervalMs?: number;
}

export class StateWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastWrite = -Infinity;
  private readonly minInterval: number;

  constructor(private readonly options: StateWriterOptions) {
    this.minInterval = options.minIntervalMs ?? 1000;
  }

  /** Something changed that is worth keeping, but nobody waits for it. */
  changed(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastWrite + this.minInterval - Date.now());
    // write() reports a store's failure itself and resolves (see StateWriterOptions.write).
    this.timer = setTimeout(() => {
      this.flush().catch(() => undefined);
    }, wait);
    this.timer.unref();
  }

  /** Writes the current state (after any write under way); resolves when the store has it. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.writing.then(() => {
      this.lastWrite = Date.now();
      return this.options.write(this.options.snapshot());
    });
    this.writing = run;
    return run;
  }

  /** Stops the timer; a final `flush()` is the caller's choice (not when the node was deleted). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The write under way, if any, finished. */
  settled(): Promise<void> {
    return this.writing;
  }
}
