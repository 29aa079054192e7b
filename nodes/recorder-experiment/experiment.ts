/**
 * One experiment across participants: arm them all, release every start together, measure each
 * clock at start, periodically and at stop, mark, stop, and keep the record (the manifest). No
 * Node-RED here: index.ts feeds messages in and sends what comes out.
 *
 * Safe by construction: a second start while one runs, or a second stop, is answered with the
 * state and changes nothing; a participant that fails to start stops the others (or, with
 * `continue`, is left out and named in the manifest); close stops what was started or leaves it.
 */
import { fitDrift, localNowMs, type ClockEstimate } from '../../src/common/clock';
import { InputError, RecorderError, toRecorderError } from '../../src/common/errors';
import { capText } from '../../src/common/text';
import type { Ack, Member, MarkNote, RunInfo } from './member';

export type ExperimentState = 'idle' | 'arming' | 'running' | 'stopping' | 'stopped' | 'failed' | 'closed';
type ParticipantStatus =
  'arming' | 'armed' | 'recording' | 'stopped' | 'failed' | 'left out' | 'left running' | 'stop failed';

interface Participant {
  member: Member;
  status: ParticipantStatus;
  start: Ack[];
  stop: Ack[];
  clocks: ClockEstimate[];
  problems: string[];
}

export interface MarkEntry {
  label: string;
  at: string;
  sinceStartMs: number;
  systems: Array<{ participant: number; kind: string } & MarkNote>;
}

export interface ExperimentOptions {
  onFailure: 'stop' | 'continue';
  clockEveryMs: number;
  /** Called whenever what the status shows may have changed. */
  changed(): void;
  /** A periodic clock check failed or a late problem arose (logged by the node). */
  warn(text: string): void;
}

/** A start that failed; the manifest tells what was stopped. */
export class StartFailed extends RecorderError {
  constructor(
    message: string,
    readonly manifest: Record<string, unknown>,
  ) {
    super('API', message, 'start failed');
  }
}

/** At stop, a clock read more recently than this is not read again. */
const FRESH_CLOCK_MS = 10_000;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
const round = (ms: number): number => Math.round(ms * 1000) / 1000;
const problem = (err: unknown): string => capText(toRecorderError(err).message, 300);

function experimentId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0')}`;
}

export class Experiment {
  state: ExperimentState = 'idle';
  private run: RunInfo | undefined;
  private participants: Participant[] = [];
  private marks: MarkEntry[] = [];
  private problems: string[] = [];
  private clockTimer: NodeJS.Timeout | undefined;
  private clockCheck: Promise<void> | undefined;
  private stoppedAtMs: number | undefined;
  private abort = new AbortController();
  private last: Record<string, unknown> | undefined;

  constructor(
    private readonly makeMembers: () => Member[],
    private readonly options: ExperimentOptions,
  ) {}

  get id(): string | undefined {
    return this.run?.id;
  }

  get name(): string | undefined {
    return this.run?.name;
  }

  get markCount(): number {
    return this.marks.length;
  }

  get busy(): boolean {
    return this.state === 'arming' || this.state === 'running' || this.state === 'stopping';
  }

  /** First to last acknowledged start, over every participant (each motif camera counts). */
  get spreadMs(): number | undefined {
    const acks = this.participants.flatMap((p) => p.start.map((a) => a.ackMs));
    return acks.length === 0 ? undefined : round(Math.max(...acks) - Math.min(...acks));
  }

  get startedAtMs(): number | undefined {
    const acks = this.participants.flatMap((p) => p.start.map((a) => a.ackMs));
    return acks.length === 0 ? undefined : Math.min(...acks);
  }

  /** The largest uncertainty among the latest clock measurements. */
  get worstUncertaintyMs(): number | undefined {
    const latest = this.participants
      .map((p) => p.clocks[p.clocks.length - 1]?.uncertaintyMs)
      .filter((u): u is number => u !== undefined);
    return latest.length === 0 ? undefined : Math.max(...latest);
  }

  /** Arms every participant, then releases all starts together. */
  async start(name: string): Promise<{ already: boolean }> {
    if (this.busy) return { already: true };
    const now = Date.now();
    this.run = { id: experimentId(now), name };
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.participants = this.makeMembers().map((member) => ({
      member,
      status: 'arming',
      start: [],
      stop: [],
      clocks: [],
      problems: [],
    }));
    this.marks = [];
    this.problems = [];
    this.stoppedAtMs = undefined;
    this.last = undefined;
    this.setState('arming');
    const run = this.run;

    // Arm everything at once. Clocks are read right after the release, not before: their samples
    // would share the connections the starts are about to use.
    await Promise.all(
      this.participants.map(async (p) => {
        try {
          await p.member.arm(run, signal);
          p.status = 'armed';
        } catch (err) {
          this.fail(p, 'arm', err);
        }
      }),
    );
    if (this.state !== 'arming') return { already: false };
    await this.afterFailures('arm');

    // The release: every start request leaves at once.
    const armed = this.participants.filter((p) => p.status === 'armed');
    await Promise.all(
      armed.map(async (p) => {
        try {
          p.start = await p.member.start(run, signal);
          p.status = 'recording';
        } catch (err) {
          this.fail(p, 'start', err);
        }
      }),
    );
    if (this.state !== 'arming') return { already: false };
    await this.afterFailures('start');
    this.setState('running');
    this.checkClocks();
    return { already: false };
  }

  async mark(label: string): Promise<MarkEntry> {
    if (this.state !== 'running' || !this.run)
      throw new InputError(`no experiment is running (state ${this.state}): nothing to mark`, 'msg.action');
    const run = this.run;
    const atMs = localNowMs();
    const entry: MarkEntry = {
      label,
      at: iso(atMs) as string,
      sinceStartMs: round(atMs - (this.startedAtMs ?? atMs)),
      systems: [],
    };
    this.marks.push(entry);
    await Promise.all(
      this.participants.map(async (p, i) => {
        if (p.status !== 'recording') return;
        try {
          entry.systems.push({
            participant: i,
            kind: p.member.kind,
            ...(await p.member.mark(run, label, this.abort.signal)),
          });
        } catch (err) {
          const text = `mark "${label}": ${problem(err)}`;
          p.problems.push(text);
          entry.systems.push({ participant: i, kind: p.member.kind, problem: text });
        }
      }),
    );
    entry.systems.sort((a, b) => a.participant - b.participant);
    return entry;
  }

  /** Stops what runs; the manifest. A second stop changes nothing and answers the last manifest. */
  async stop(): Promise<{ already: boolean; manifest: Record<string, unknown> }> {
    if (this.state !== 'running') return { already: true, manifest: this.manifest() };
    await this.finish('stopped', false);
    return { already: false, manifest: this.manifest() };
  }

  /**
   * Node-RED closes: stop what was started (or leave it running), and the manifest of what there
   * is; undefined when nothing ran.
   */
  async close(leave: boolean): Promise<Record<string, unknown> | undefined> {
    this.stopClocks();
    if (!this.busy) return undefined;
    if (this.state === 'arming' || this.state === 'stopping') {
      // A start or stop under way: cancel its calls, then see what was started.
      this.abort.abort();
      this.abort = new AbortController();
    }
    this.problems.push(
      leave ? 'Node-RED stopped: left running' : 'Node-RED stopped: stopped what was started',
    );
    await this.finish('closed', leave);
    return this.manifest();
  }

  dispose(): void {
    this.stopClocks();
    this.abort.abort();
  }

  manifest(): Record<string, unknown> {
    if (this.last && !this.busy) return this.last;
    const run = this.run;
    const out: Record<string, unknown> = {
      experiment: run ? { id: run.id, name: run.name } : null,
      state: this.state,
      startedAt: iso(this.startedAtMs),
      stoppedAt: iso(this.stoppedAtMs),
      spreadMs: this.spreadMs ?? null,
      worstClockUncertaintyMs: this.worstUncertaintyMs ?? null,
      onFailure: this.options.onFailure,
      systems: this.participants.map((p, i) => this.describe(p, i)),
      marks: this.marks,
      problems: [
        ...this.problems,
        ...this.participants.flatMap((p, i) =>
          p.problems.map((t) => `participant ${i + 1} (${p.member.kind}): ${t}`),
        ),
      ],
    };
    if (!this.busy) this.last = out;
    return out;
  }

  private describe(p: Participant, index: number): Record<string, unknown> {
    const latest = p.clocks[p.clocks.length - 1];
    const drift = fitDrift(p.clocks);
    const acks = (list: Ack[]): Record<string, unknown> | null =>
      list.length === 0
        ? null
        : {
            sentAt: iso(Math.min(...list.map((a) => a.sentMs))),
            acknowledgedAt: iso(Math.max(...list.map((a) => a.ackMs))),
            acknowledgements: list.map((a) => ({ at: iso(a.ackMs), roundTripMs: round(a.ackMs - a.sentMs) })),
          };
    return {
      participant: index + 1,
      kind: p.member.kind,
      server: p.member.server,
      status: p.status,
      ...p.member.record(),
      start: acks(p.start),
      stop: acks(p.stop),
      clock: {
        basis: p.member.clockBasis,
        resolutionMs: latest?.resolutionMs ?? null,
        offsetMs: latest?.offsetMs ?? null,
        uncertaintyMs: latest?.uncertaintyMs ?? null,
        driftPpm: drift?.driftPpm ?? null,
        measurements: p.clocks.map((c) => ({
          at: iso(c.atMs),
          offsetMs: c.offsetMs,
          uncertaintyMs: c.uncertaintyMs,
          roundTripMs: c.roundTripMs,
          samples: c.samples,
        })),
      },
      problems: p.problems,
    };
  }

  private fail(p: Participant, step: string, err: unknown): void {
    p.status = 'failed';
    p.problems.push(`${step}: ${problem(err)}`);
  }

  /** After arming or starting: with failures, stop everything (or go on without them). */
  private async afterFailures(step: 'arm' | 'start'): Promise<void> {
    const failed = this.participants.filter((p) => p.status === 'failed');
    const alive = this.participants.filter((p) => p.status !== 'failed');
    if (failed.length === 0) return;
    if (this.options.onFailure === 'continue' && alive.length > 0) {
      for (const p of failed) p.status = 'left out';
      this.problems.push(
        `${failed.length} of ${this.participants.length} participants did not ${step}: continued without them`,
      );
      return;
    }
    this.problems.push(
      `${failed.length} of ${this.participants.length} participants did not ${step}: stopped the others`,
    );
    await this.finish('failed', false);
    const first = failed[0]?.problems[0] ?? 'failed';
    throw new StartFailed(`experiment ${this.run?.id ?? ''} did not start: ${first}`, this.manifest());
  }

  /** Stops or disarms every participant (or leaves them), with a last clock check where it runs. */
  private async finish(end: 'stopped' | 'failed' | 'closed', leave: boolean): Promise<void> {
    this.stopClocks();
    this.setState('stopping');
    const run = this.run as RunInfo;
    const signal = this.abort.signal;
    await this.clockCheck;
    await Promise.all(
      this.participants.map(async (p) => {
        if (p.status === 'recording') {
          if (leave) {
            p.status = 'left running';
            return;
          }
          // Read again unless just read (a short run: a second reading a second later adds nothing).
          // The playback position is read while it plays; the others alongside the stop.
          const fresh = (p.clocks[p.clocks.length - 1]?.atMs ?? -Infinity) > localNowMs() - FRESH_CLOCK_MS;
          const clock = fresh
            ? undefined
            : p.member.kind === 'remotive'
              ? await this.measure(p, signal)
              : this.measure(p, signal);
          try {
            p.stop = await p.member.stop(run, signal);
            p.status = 'stopped';
          } catch (err) {
            p.status = 'stop failed';
            p.problems.push(`stop: ${problem(err)}`);
          }
          await clock;
        } else if (p.status === 'armed' || p.status === 'arming' || p.status === 'failed') {
          try {
            // A participant that failed half way (one camera of two started) stops what it started.
            p.stop = await p.member.stop(run, signal);
            await p.member.disarm(signal);
          } catch (err) {
            p.problems.push(`disarm: ${problem(err)}`);
          }
          if (p.status !== 'failed') p.status = 'left out';
        }
      }),
    );
    this.stoppedAtMs = localNowMs();
    this.setState(end);
  }

  /** One clock measurement of a participant; a failure is a problem, not a failed experiment. */
  private async measure(p: Participant, signal: AbortSignal): Promise<void> {
    try {
      const estimate = await p.member.clock(signal);
      if (estimate) p.clocks.push(estimate);
    } catch (err) {
      const text = `clock: ${problem(err)}`;
      if (!p.problems.includes(text)) p.problems.push(text);
    }
  }

  /** Measures every running participant's clock now (in the background), then again every interval. */
  private checkClocks(): void {
    const signal = this.abort.signal;
    this.clockCheck = Promise.all(
      this.participants.filter((p) => p.status === 'recording').map((p) => this.measure(p, signal)),
    ).then(
      () => {
        this.clockCheck = undefined;
        this.options.changed();
        if (this.state === 'running') this.scheduleClocks();
      },
      (err: unknown) => this.options.warn(problem(err)),
    );
  }

  private scheduleClocks(): void {
    this.stopClocks();
    this.clockTimer = setTimeout(() => {
      this.clockTimer = undefined;
      if (this.state === 'running') this.checkClocks();
    }, this.options.clockEveryMs);
  }

  private stopClocks(): void {
    if (this.clockTimer) clearTimeout(this.clockTimer);
    this.clockTimer = undefined;
  }

  private setState(state: ExperimentState): void {
    this.state = state;
    this.options.changed();
  }
}
