/**
 * The recorders behind the database, as we infer them from the vendor documentation: a Scheduled session moves to
 * Started at `startDate` and to Stopped at `endDate`; a Started session stops at `endDate`, after
 * `maxTimeSeconds` of recording or at `maxSizeMegabytes` (0 = no limit). Standby arms the pipeline:
 * recording really begins `armingLatencyMs` after arming (at once when the session was armed long
 * enough before Started). While recording, the session's storage grows by the streams' bitrates.
 * Client-written states are otherwise left alone.
 */
import type { PGlite, Transaction } from './database';

export interface DeviceOptions {
  now: () => number;
  tickMs: number;
  armingLatencyMs: number;
}

interface SessionRow {
  id: string;
  state: string;
  start: number;
  end: number;
  maxTimeSeconds: number;
  maxSizeMegabytes: number;
  armedAt: number | null;
  recordingSince: number | null;
  storageId: string | null;
  recordedBytes: number | null;
  recordedMs: number;
  bitsPerSecond: number;
}

/** Sessions the device has to look at: not Stopped, or still armed/recording. */
const ACTIVE_SESSIONS = `SELECT s.id, s.state,
              extract(epoch FROM s."startDate") * 1000 AS start,
              extract(epoch FROM s."endDate") * 1000 AS "end",
              s."maxTimeSeconds", s."maxSizeMegabytes",
              extract(epoch FROM s."armedAt") * 1000 AS "armedAt",
              extract(epoch FROM s."recordingSince") * 1000 AS "recordingSince",
              s."storageId", st."recordedBytes", s."recordedMs",
              coalesce((SELECT sum(x.bitrate)::float8 FROM records r JOIN streams x ON x."recordId" = r.id
                         WHERE r."recordingId" = s.id), 0) AS "bitsPerSecond"
         FROM recording_sessions s LEFT JOIN storage st ON st.id = s."storageId"
        WHERE s.state <> 'Stopped' OR s."armedAt" IS NOT NULL OR s."recordingSince" IS NOT NULL`;
const ANY_ACTIVE = `SELECT 1 AS one FROM recording_sessions s
  WHERE s.state <> 'Stopped' OR s."armedAt" IS NOT NULL OR s."recordingSince" IS NOT NULL LIMIT 1`;

const INT_MAX = 2147483647;
const MB = 1_000_000;
const NO_END = Date.UTC(9999, 0, 1);

/** Epoch ms as a `timestamp without time zone` literal in UTC (the vendor scripts' convention). */
export function toTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '');
}

export class DeviceModel {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private lastTick: number;
  private disposed = false;

  constructor(
    private readonly db: PGlite,
    private readonly options: DeviceOptions,
  ) {
    this.lastTick = options.now();
  }

  start(): void {
    if (this.disposed || this.timer) return;
    // A tick cannot fail: runOnce ends a failed run quietly, and the next tick tries again.
    this.timer = setInterval(() => {
      this.tick().catch(() => undefined);
    }, this.options.tickMs);
    this.timer.unref();
  }

  /**
   * Looks at the sessions (every tickMs, or when a test asks). Runs never overlap; a call during a
   * run resolves after a run that began after the call, so it sees every write made before it.
   */
  tick(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (!this.running) {
      this.running = this.runOnce().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.tick();
    });
    return this.queued;
  }

  private runOnce(): Promise<void> {
    // A failed run (the database closing under it at dispose) changes nothing; the next one tries again.
    return this.db
      .query(ANY_ACTIVE)
      .then(async (probe) => {
        // Nothing to do is the common case: one cheap query, no transaction.
        if (probe.rows.length === 0) this.lastTick = this.options.now();
        else await this.db.transaction((tx) => this.step(tx));
      })
      .catch(() => undefined);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.queued;
  }

  private async step(tx: Transaction): Promise<void> {
    const now = this.options.now();
    const prev = Math.min(this.lastTick, now);
    this.lastTick = now;
    const { rows } = await tx.query<SessionRow>(ACTIVE_SESSIONS);
    for (const raw of rows) await this.advance(tx, normalise(raw), prev, now);
  }

  private async advance(tx: Transaction, s: SessionRow, prev: number, now: number): Promise<void> {
    const latency = this.options.armingLatencyMs;
    let state = s.state;
    let armedAt = s.armedAt;
    let since = s.recordingSince;
    let recordedMs = s.recordedMs;
    let bytes = s.recordedBytes ?? 0;

    if (state === 'Scheduled') {
      if (now >= s.end) state = 'Stopped';
      else if (now >= s.start) {
        state = 'Started';
        // The recorder arms at startDate (or now, if the session was scheduled late).
        armedAt = Math.max(s.start, Math.min(now, prev));
        since = null;
      }
    }
    if (state === 'Standby' || state === 'Started') armedAt ??= now;
    else armedAt = null;
    if (state === 'Standby' && now >= s.end) {
      state = 'Stopped';
      armedAt = null;
    }
    // Recording begins once the pipeline has been armed for the arming latency.
    if (state === 'Started') since ??= Math.max(now, (armedAt ?? now) + latency);
    else since = null;

    // Account what was recorded between the previous look and now.
    if (state === 'Started' && s.state === 'Started' && since !== null) {
      const from = Math.max(prev, since);
      if (now > from) {
        recordedMs += now - from;
        bytes += ((now - from) / 1000) * (s.bitsPerSecond / 8);
      }
    }
    const totalMb = Math.min(INT_MAX, Math.floor(bytes / MB));
    if (state === 'Started') {
      if (now >= s.end) state = 'Stopped';
      else if (s.maxTimeSeconds > 0 && recordedMs >= s.maxTimeSeconds * 1000) state = 'Stopped';
      else if (s.maxSizeMegabytes > 0 && totalMb >= s.maxSizeMegabytes) state = 'Stopped';
      if (state === 'Stopped') {
        armedAt = null;
        since = null;
      }
    }

    const stateChanged = state !== s.state;
    if (stateChanged || armedAt !== s.armedAt || since !== s.recordingSince || recordedMs !== s.recordedMs)
      await tx.query(
        `UPDATE recording_sessions
            SET state = $2, "armedAt" = $3::timestamp, "recordingSince" = $4::timestamp, "recordedMs" = $5,
                "updatedAt" = CASE WHEN $2 <> $6 THEN $7::timestamp ELSE "updatedAt" END
          WHERE id = $1 AND state = $6`,
        [
          s.id,
          state,
          armedAt === null ? null : toTimestamp(armedAt),
          since === null ? null : toTimestamp(since),
          recordedMs,
          s.state,
          toTimestamp(now),
        ],
      );
    if (s.storageId && bytes !== (s.recordedBytes ?? 0)) {
      const rate = s.bitsPerSecond / 8;
      let remainingS = 0;
      if (state === 'Started') {
        // datetime.max (year 9999, the Standby script's "always") is no end.
        const limits = s.end < NO_END ? [(s.end - now) / 1000] : [];
        if (s.maxTimeSeconds > 0) limits.push(s.maxTimeSeconds - recordedMs / 1000);
        remainingS = limits.length ? Math.max(0, Math.min(...limits)) : 0;
      }
      let estimated = Math.floor((bytes + rate * remainingS) / MB);
      if (s.maxSizeMegabytes > 0) estimated = Math.min(estimated, s.maxSizeMegabytes);
      await tx.query(
        `UPDATE storage SET "recordedBytes" = $2, "totalSize" = $3, "estimatedSize" = $4 WHERE id = $1`,
        [s.storageId, bytes, totalMb, Math.min(INT_MAX, Math.max(estimated, totalMb))],
      );
    }
  }
}

function normalise(r: SessionRow): SessionRow {
  const num = (v: unknown): number => Number(v);
  const opt = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    ...r,
    start: num(r.start),
    end: num(r.end),
    armedAt: opt(r.armedAt),
    recordingSince: opt(r.recordingSince),
    recordedBytes: opt(r.recordedBytes),
    recordedMs: num(r.recordedMs),
    bitsPerSecond: num(r.bitsPerSecond),
  };
}
