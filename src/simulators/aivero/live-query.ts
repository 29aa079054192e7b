/**
 * Hasura's live queries: a subscription is its query re-run every refetch interval (Hasura's
 * default 1 s), and the client gets the whole result again only when it changed. The first result
 * goes out at once. Runs never overlap: the next one is timed from the end of the previous.
 */
import { toHasuraError, type HasuraError } from './errors';
import type { Executor, Prepared } from './execute';

export type LiveResult = { data: Record<string, unknown> } | { errors: ReturnType<HasuraError['toJSON']>[] };

export class LiveQuery {
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private stopped = false;

  constructor(
    private readonly executor: Executor,
    private readonly prepared: Prepared,
    private readonly refetchMs: () => number,
    /** A changed result; after an error result the query stops by itself. */
    private readonly push: (result: LiveResult) => void,
    private readonly onStop: (q: LiveQuery) => void = () => undefined,
  ) {}

  start(): void {
    this.tick();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.onStop(this);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private tick(): void {
    this.timer = undefined;
    this.runOnce()
      .catch(() => this.stop()) // a result that cannot be sent (the socket gone) ends the query
      .finally(() => {
        if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.refetchMs());
      });
  }

  private async runOnce(): Promise<void> {
    let result: LiveResult;
    try {
      result = await this.executor.runOnce(this.prepared);
    } catch (err) {
      if (this.stopped) return;
      this.push({ errors: [toHasuraError(err).toJSON()] });
      this.stop();
      return;
    }
    if (this.stopped) return;
    const text = JSON.stringify(result);
    if (text === this.last) return;
    this.last = text;
    this.push(result);
  }
}
