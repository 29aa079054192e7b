/**
 * What an action node shows of its own calls, written only when it changes: the last operation's
 * label when the node falls idle, "working" once calls have been under way for a while (a node
 * under load says so once, not per message), the wait text while waiting. A fast call therefore
 * costs no status work at all. One shared 4 Hz ticker (unref'd, only while action nodes
 * exist) notices long calls, instead of a timer per call.
 */
import type { RecorderError } from '../common/errors';
import type { NodeStatus } from './node-status';
import type { StatusKind } from './status';

/** A call running this long shows "working". */
const SLOW_MS = 250;

const trackers = new Set<Activity>();
let ticker: NodeJS.Timeout | undefined;

function tick(): void {
  const now = Date.now();
  for (const tracker of trackers) tracker.tick(now);
}

export class Activity {
  private inflight = 0;
  private since = 0;
  /** Kind and text last written (none after a failure, so the next success shows again). */
  private shownKind: StatusKind | undefined;
  private shown = '';

  constructor(
    private readonly status: NodeStatus,
    private readonly working: string,
  ) {
    trackers.add(this);
    if (!ticker) {
      ticker = setInterval(tick, SLOW_MS);
      ticker.unref();
    }
  }

  begin(now: number): void {
    if (this.inflight++ === 0) this.since = now;
  }

  /** A wait-until-done started: shown at once, it takes seconds. */
  waiting(text: string): void {
    this.show('busy', text);
  }

  /** A call finished; when it was the last one under way, the node shows what it did. */
  end(label: string, kind: StatusKind = 'connected'): void {
    if (--this.inflight === 0) this.show(kind, label);
  }

  /** A call that began failed (its error is shown by `fail`). */
  abandon(): void {
    this.inflight--;
  }

  /** Any failed message: its error in the layered status. */
  fail(error: RecorderError): void {
    this.shownKind = undefined;
    this.status.fail(error);
  }

  tick(now: number): void {
    if (this.inflight > 0 && now - this.since >= SLOW_MS) this.show('busy', this.working);
  }

  dispose(): void {
    trackers.delete(this);
    if (trackers.size === 0 && ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
  }

  private show(kind: StatusKind, text: string): void {
    if (kind === this.shownKind && text === this.shown) return;
    this.shownKind = kind;
    this.shown = text;
    this.status.set(kind, text);
  }
}
