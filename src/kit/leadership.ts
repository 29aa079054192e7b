/**
 * Leadership over a retained MQTT leader topic, shared by the schedule nodes: of the Node-RED
 * instances running the same flow, the one the topic's retained record names is active, the others
 * stand by. Our nodes never speak MQTT: records come in as messages from a core `mqtt in` node on the
 * leader topic (`receive`), and what this instance says goes out as messages for a core `mqtt out`
 * node on a broker configuration of its own that does not connect by itself (`send`):
 *
 * - claim: `{action: "connect", broker: {force, birth, will}}`: the connection's birth message is the
 *   record `{leader: me, run, lastFired}`, its last will `{vacated: me, run}`, both retained. Only a
 *   claimant's connection carries that will, so a killed leader (or one cut off for 1.5 keepalives)
 *   vacates the topic and the others claim it.
 * - after each firing the leader publishes its record again with the new `lastFired` (before the
 *   firing itself goes out: a crash between the two loses that firing rather than sending it twice).
 * - losing (a later record names another) or yielding: `{action: "disconnect"}`, a clean disconnect,
 *   which publishes no will.
 *
 * Who leads is decided by the broker's order: the last record wins. A claimant is active only once
 * its own record came back and `settleMs` passed without a later record naming another, so two
 * simultaneous claims end with one active instance; one that sees a later record naming another
 * steps down at once. The leader holds a lease: it publishes its record every `heartbeatMs` and
 * fires only while one of its records came back within `leaseMs`. A leader cut off from the broker
 * (or a paused process) so stops firing before the broker gives up on its connection (1.5 × the
 * keepalive, at least 5 s for the default lease) and publishes its will; it vacates, lets go, and
 * the records it reads when it is back decide again. `lastFired` only grows: a standby keeps the latest it saw and hands it to the
 * node when it becomes active, so nothing the old leader sent is sent again.
 *
 * No Node-RED imports; timers are the only clock.
 */
import { randomUUID } from 'node:crypto';
import { InputError } from '../common/errors';
import { describe, isPlainObject } from '../common/input';
import { instanceIdProblem } from '../common/formats';

/** A claim settles this long after its record came back before the instance is active. */
export const SETTLE_MS = 1000;
/** With no record at all on the topic this long after the start, the topic is vacant: claim it. */
export const VACANT_AFTER_MS = 3000;
/** The leader publishes its record this often, and fires only while one came back within the lease. */
export const HEARTBEAT_MS = 2000;
/**
 * A claim whose record has not come back after this long is sent again. Node-RED's mqtt node can
 * lose a connect that follows a disconnect within milliseconds (the old client's end, finishing
 * late, removes the new client's listeners): without a retry such an instance would claim forever
 * and nobody would lead.
 */
export const CLAIM_RETRY_MS = 4000;
export const LEASE_MS = 6000;
/** Largest record read (a retained message is anyone's to publish). */
const MAX_RECORD_BYTES = 4096;

export type LeaderState = 'waiting' | 'standby' | 'claiming' | 'settling' | 'active' | 'yielded';

/** A message for the `mqtt out` node of the leadership connection. */
export type LeadershipMessage =
  | { action: 'connect'; broker: Record<string, unknown> }
  | { action: 'disconnect' }
  | { topic: string; payload: Record<string, unknown>; retain: true; qos: 1 };

/** What a record on the leader topic says. */
export type LeaderRecord =
  | { kind: 'leader'; leader: string; run?: string; lastFired?: number }
  | { kind: 'vacated'; who: string; lastFired?: number }
  | { kind: 'vacant' };

export interface RoleChange {
  role: 'active' | 'standby';
  /** The latest firing known to be sent (here or by the previous leader), epoch ms. */
  lastFired?: number;
  /** Who leads, as far as this instance knows (null: nobody). */
  leader: string | null;
}

export interface LeadershipOptions {
  topic: string;
  instance: string;
  send(msg: LeadershipMessage): void;
  /** The role changed (not called for a change back and forth within one call). */
  onRole(change: RoleChange): void;
  /** The state changed (for the status). */
  onState?(state: LeaderState): void;
  /** Another Node-RED claims with this instance's id: leadership is off until a redeploy. */
  onDuplicate?(instance: string): void;
  /** This instance's own latest firing (epoch ms), for its records. */
  lastFired?(): number | null;
  settleMs?: number;
  vacantAfterMs?: number;
  heartbeatMs?: number;
  leaseMs?: number;
  /** A claim not read back within this long is sent again (default CLAIM_RETRY_MS). */
  claimRetryMs?: number;
}

/** The instance id: the configured one, else the `RECORDERS_INSTANCE` environment variable, else the host name. */
export function instanceId(configured: string, env: string | undefined, hostname: string): string {
  const id = configured || env?.trim() || hostname;
  const problem = instanceIdProblem(id);
  if (problem !== null)
    throw new InputError(
      `${configured ? 'the instance' : env?.trim() ? 'RECORDERS_INSTANCE' : 'the host name'}: ${problem}`,
    );
  return id;
}

/** A record as a core `mqtt in` node delivers it: parsed JSON, JSON text or a Buffer; empty = vacant. */
export function readRecord(payload: unknown): LeaderRecord {
  let value = payload;
  if (Buffer.isBuffer(value)) {
    if (value.length > MAX_RECORD_BYTES)
      throw new InputError(`a leader record is at most ${MAX_RECORD_BYTES} bytes`);
    value = value.toString('utf8');
  }
  if (value === undefined || value === null) return { kind: 'vacant' };
  if (typeof value === 'string') {
    if (value.length > MAX_RECORD_BYTES)
      throw new InputError(`a leader record is at most ${MAX_RECORD_BYTES} characters`);
    const text = value.trim();
    if (text === '') return { kind: 'vacant' };
    try {
      value = JSON.parse(text);
    } catch {
      throw new InputError(`a leader record must be JSON {leader} or {vacated}, got ${describe(payload)}`);
    }
  }
  if (!isPlainObject(value))
    throw new InputError(`a leader record must be an object {leader} or {vacated}, got ${describe(value)}`);
  const lastFired = readLastFired(value.lastFired);
  const named = (key: string): string => {
    const id = value[key];
    const problem = instanceIdProblem(id);
    if (problem !== null) throw new InputError(`a leader record's ${key}: ${problem}`);
    return id as string;
  };
  const withFired = lastFired === undefined ? {} : { lastFired };
  if (value.leader !== undefined) {
    const run = value.run;
    if (run !== undefined && (typeof run !== 'string' || run.length > 100))
      throw new InputError(`a leader record's run must be a short text, got ${describe(run)}`);
    return { kind: 'leader', leader: named('leader'), ...(run === undefined ? {} : { run }), ...withFired };
  }
  if (value.vacated !== undefined) return { kind: 'vacated', who: named('vacated'), ...withFired };
  throw new InputError('a leader record names a leader ({leader}) or who left ({vacated})');
}

function readLastFired(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const at = typeof value === 'string' && value.length <= 40 ? Date.parse(value) : value;
  if (typeof at !== 'number' || !Number.isFinite(at))
    throw new InputError(
      `a leader record's lastFired must be epoch ms or ISO 8601 text, got ${describe(value)}`,
    );
  return at;
}

export class Leadership {
  private current: LeaderState = 'waiting';
  /** Who leads as far as the records say (null: nobody, or not known yet). */
  private leaderId: string | null = null;
  private known = -Infinity;
  /** A connect was sent and no disconnect since: this instance's will is armed (or about to be). */
  private holding = false;
  private duplicate = false;
  /** The lastFired of the record this instance published last, and the latest of its records read back. */
  private published = -Infinity;
  private echoed = -Infinity;
  /** When a record of this run was last read back (the lease). */
  private echoAt = -Infinity;
  /**
   * When the heartbeat last ran. A process that hung (or a paused machine) finds its timers late:
   * a record it reads right after resuming was sent before the pause and proves nothing.
   */
  private tickAt = -Infinity;
  private heartbeat: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** This run of the node: tells this instance's records from another Node-RED using the same id. */
  readonly run = randomUUID().slice(0, 8);
  private readonly settleMs: number;

  constructor(private readonly options: LeadershipOptions) {
    this.settleMs = options.settleMs ?? SETTLE_MS;
  }

  get state(): LeaderState {
    return this.current;
  }

  get topic(): string {
    return this.options.topic;
  }

  get instance(): string {
    return this.options.instance;
  }

  get leader(): string | null {
    return this.leaderId;
  }

  get active(): boolean {
    return this.current === 'active';
  }

  get duplicated(): boolean {
    return this.duplicate;
  }

  /** The latest firing known to be sent, by the records and this instance (epoch ms). */
  get lastFired(): number | undefined {
    const own = this.options.lastFired?.() ?? -Infinity;
    const last = Math.max(this.known, own);
    return last === -Infinity ? undefined : last;
  }

  /** Starts waiting for a record; none within `vacantAfterMs` means the topic is vacant. */
  start(): void {
    this.arm(this.options.vacantAfterMs ?? VACANT_AFTER_MS, () => {
      if (this.current === 'waiting') this.claim();
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
  }

  /**
   * Whether this instance may send a firing now: active, and a record of its own came back within
   * the lease. An active instance past its lease stops being active (and claims again) here.
   */
  mayFire(): boolean {
    const now = Date.now();
    const lease = this.options.leaseMs ?? LEASE_MS;
    if (this.current === 'active' && (now - this.echoAt > lease || now - this.tickAt > lease))
      this.loseLease();
    return this.current === 'active';
  }

  /** A message from the leader topic. Throws an InputError for what is not a record (state unchanged). */
  receive(payload: unknown): void {
    if (this.stopped) return;
    const record = readRecord(payload);
    if (record.kind !== 'vacant' && record.lastFired !== undefined)
      this.known = Math.max(this.known, record.lastFired);
    if (record.kind === 'leader') return this.leaderRecord(record);
    if (record.kind === 'vacated' && this.leaderId !== null && record.who !== this.leaderId) {
      // A claimant that lost and was killed before it let go: its will is not a vacancy. The leader
      // puts its record back, so instances starting later read who leads.
      if (this.holding && this.current !== 'claiming') this.publish();
      return;
    }
    this.vacancy(record.kind === 'vacated' && record.who === this.options.instance);
  }

  /**
   * After a firing, before it is sent: the leader's record with the new lastFired (once per instant:
   * schedules firing together share one record).
   */
  fired(lastFired: number): void {
    this.known = Math.max(this.known, lastFired);
    if (this.current === 'active' && lastFired > this.published) this.publish();
  }

  /** The `standby` command: hand leadership over (vacate, then let go) and claim nothing until another leads. */
  yieldLeadership(): void {
    if (this.holding) {
      this.vacate();
      this.letGo();
    }
    this.leaderId = null;
    this.set('yielded');
  }

  /** The `active` command: claim now, also from another leader (which steps down when it reads the claim). */
  claimNow(): void {
    if (this.holding) return;
    this.claim();
  }

  private leaderRecord(record: { leader: string; run?: string; lastFired?: number }): void {
    const mine = record.leader === this.options.instance;
    if (mine && this.current === 'yielded') {
      // Our own claim arriving after the standby command (it was sent before the vacate): stay yielded.
      this.leaderId = record.leader;
      return;
    }
    if (mine && record.run === this.run) {
      this.leaderId = record.leader;
      this.echoAt = Date.now();
      if (!this.holding) return this.claim(); // the last word is ours though we let go: take it up again
      if (this.current === 'claiming') {
        this.set('settling');
        this.arm(this.settleMs, () => {
          if (this.current !== 'settling') return;
          this.set('active');
          this.beat();
          this.options.onRole({ role: 'active', leader: this.leaderId, ...this.firedPart() });
        });
      } else if ((record.lastFired ?? -Infinity) < this.echoed) {
        // Older than one of ours already read back (records of one connection come in order): a birth
        // sent again on a reconnect, with the lastFired of the claim. Bring it up to date.
        this.publish();
      }
      this.echoed = Math.max(this.echoed, record.lastFired ?? -Infinity);
      return;
    }
    if (mine && !this.duplicate && !this.holding) {
      // Our id from an earlier run (a clean restart leaves its record): take it up again.
      this.leaderId = record.leader;
      return this.claim();
    }
    if (mine && !this.duplicate) {
      this.duplicate = true;
      this.options.onDuplicate?.(record.leader);
    }
    this.leaderId = record.leader;
    this.stepDown();
  }

  private vacancy(ownWill: boolean): void {
    this.leaderId = null;
    if (this.current === 'yielded' || this.duplicate) return;
    if (this.holding && this.current !== 'claiming' && !ownWill) {
      // Cleared by hand while this leader runs: it still leads, its record goes back.
      this.leaderId = this.options.instance;
      this.publish();
      return;
    }
    if (this.holding && ownWill) {
      // Our leadership connection was cut (the broker sent our will): claim again on a fresh one.
      this.options.send(this.connectMessage());
      return;
    }
    if (!this.holding) this.claim();
  }

  private claim(): void {
    if (this.duplicate) return;
    this.holding = true;
    this.options.send(this.connectMessage());
    if (this.current === 'active') return;
    this.set('claiming');
    this.arm(this.options.claimRetryMs ?? CLAIM_RETRY_MS, () => {
      if (this.current === 'claiming' && this.holding) this.claim();
    });
  }

  private connectMessage(): LeadershipMessage {
    const { topic, instance } = this.options;
    return {
      action: 'connect',
      broker: {
        // Cycles a connection still open (a redeploy of this node alone): a clean disconnect, no will.
        force: true,
        birth: {
          topic,
          payload: JSON.stringify({ leader: instance, run: this.run, ...this.firedPart() }),
          qos: 1,
          retain: true,
        },
        will: {
          topic,
          payload: JSON.stringify({ vacated: instance, run: this.run }),
          qos: 1,
          retain: true,
        },
      },
    };
  }

  /** While active: the record every heartbeat, the lease checked before. */
  private beat(): void {
    clearInterval(this.heartbeat);
    this.tickAt = Date.now();
    this.heartbeat = setInterval(() => {
      if (this.stopped || !this.mayFire()) return;
      this.tickAt = Date.now();
      this.publish();
    }, this.options.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref?.();
  }

  /**
   * No record of ours came back within the lease: stop at once, vacate (reaches the broker only if
   * the connection still works, e.g. after a pause shorter than its keepalive; otherwise the broker
   * publishes the will) and let go, so the connection's automatic reconnect does not send the birth
   * again. The records read when the broker is back decide again who leads.
   */
  private loseLease(): void {
    this.vacate();
    this.leaderId = null;
    this.stepDown();
  }

  private vacate(): void {
    this.options.send({
      topic: this.options.topic,
      payload: { vacated: this.options.instance, run: this.run, ...this.firedPart() },
      retain: true,
      qos: 1,
    });
  }

  private stepDown(): void {
    const was = this.current;
    if (this.holding) this.letGo();
    this.set('standby');
    if (was === 'active')
      this.options.onRole({ role: 'standby', leader: this.leaderId, ...this.firedPart() });
  }

  private letGo(): void {
    this.holding = false;
    clearTimeout(this.timer);
    this.options.send({ action: 'disconnect' });
  }

  private publish(): void {
    this.published = this.lastFired ?? -Infinity;
    this.options.send({
      topic: this.options.topic,
      payload: { leader: this.options.instance, run: this.run, ...this.firedPart() },
      retain: true,
      qos: 1,
    });
  }

  private firedPart(): { lastFired?: number } {
    const last = this.lastFired;
    return last === undefined ? {} : { lastFired: last };
  }

  private set(state: LeaderState): void {
    if (state !== 'settling' && state !== 'waiting') clearTimeout(this.timer);
    if (state !== 'active') clearInterval(this.heartbeat);
    if (this.current === state) return;
    const was = this.current;
    this.current = state;
    if (was === 'active' && state !== 'active' && state !== 'standby')
      this.options.onRole({ role: 'standby', leader: this.leaderId, ...this.firedPart() });
    this.options.onState?.(state);
  }

  private arm(ms: number, then: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) then();
    }, ms);
    this.timer.unref?.();
  }
}
