/**
 * An Aivero participant: a session created for the experiment (its name carries the experiment id)
 * or an existing one, brought to Standby when armed, Started at the release, Stopped at the end.
 * Its clock: the HTTP Date header (whole seconds), caught at its tick (common/clock.ts).
 */
import { measureClock, localNowMs } from '../../src/common/clock';
import type { AiveroClient } from '../../src/backends/aivero';
import type { ServerNode } from '../../src/kit/node-red';
import type { Ack, Member, MarkNote, RunInfo } from './member';

/** Longest session name we write (the spec's own name plus the experiment id). */
const MAX_NAME = 200;

export class AiveroMember implements Member {
  readonly kind = 'aivero';
  readonly clockBasis = 'HTTP Date header of the GraphQL endpoint (whole seconds)';
  private sessionId: string | undefined;
  private sessionName: string | undefined;
  private created = false;
  private running = false;
  private previousState: string | undefined;

  constructor(
    private readonly node: ServerNode<AiveroClient>,
    private readonly session: string | undefined,
    private readonly spec: Record<string, unknown> | undefined,
  ) {}

  get server(): string {
    return this.node.address;
  }

  private run<T>(what: string, job: (client: AiveroClient) => Promise<T>): Promise<T> {
    return this.node.connection.run(job, what);
  }

  async arm(run: RunInfo, signal: AbortSignal): Promise<void> {
    if (this.session) {
      const found = await this.run('get session', (c) => c.getSession(this.session as string, { signal }));
      this.sessionId = found.id;
      this.sessionName = found.name;
      this.previousState = found.state;
      if (found.state !== 'Standby')
        await this.run('set session Standby', (c) => c.setState(found.id, 'Standby', { signal }));
      return;
    }
    const base =
      typeof this.spec?.name === 'string' && this.spec.name.trim() ? this.spec.name.trim() : run.name;
    const name = `${base} ${run.id}`.slice(0, MAX_NAME);
    const spec = { ...this.spec, name, state: 'Standby' };
    const created = await this.run('create session', (c) => c.createSession(spec, { signal }));
    this.sessionId = created.sessionId;
    this.sessionName = name;
    this.created = true;
  }

  async start(_run: RunInfo, signal: AbortSignal): Promise<Ack[]> {
    const id = this.sessionId as string;
    const sentMs = localNowMs();
    await this.run('start session', (c) => c.setState(id, 'Started', { signal }));
    this.running = true;
    return [{ sentMs, ackMs: localNowMs() }];
  }

  mark(): Promise<MarkNote> {
    // Aivero sessions take no markers; the mark's time is in the manifest with this clock's offset.
    return Promise.resolve({});
  }

  async stop(_run: RunInfo, signal: AbortSignal): Promise<Ack[]> {
    if (!this.running || !this.sessionId) return [];
    const id = this.sessionId;
    const sentMs = localNowMs();
    await this.run('stop session', (c) => c.setState(id, 'Stopped', { signal }));
    this.running = false;
    return [{ sentMs, ackMs: localNowMs() }];
  }

  async disarm(signal: AbortSignal): Promise<void> {
    const id = this.sessionId;
    if (!id || this.running) return;
    // A session made for this experiment ends; an existing one goes back to where it was.
    const state = this.created ? 'Stopped' : (this.previousState ?? 'Standby');
    await this.run('disarm session', (c) => c.setState(id, state, { signal }));
  }

  clock(signal: AbortSignal): ReturnType<Member['clock']> {
    return this.run('read the clock', (c) => measureClock(() => c.clockSample({ signal }), { signal }));
  }

  record(): Record<string, unknown> {
    return {
      ...(this.sessionId ? { sessionId: this.sessionId } : {}),
      ...(this.sessionName !== undefined ? { sessionName: this.sessionName } : {}),
      createdForExperiment: this.created,
    };
  }
}
