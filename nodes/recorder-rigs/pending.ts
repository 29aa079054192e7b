/**
 * Commands under way: one entry per command message, one correlation per target rig
 * (`<commandId>:<rig>`, sent as MQTT v5 correlation data). An acknowledgement settles its rig once;
 * a second one (QoS 1 delivers at least once) finds nothing and is ignored. When every target has
 * an outcome the entry is finished with the results, the spread of the acknowledgements and each
 * rig's clock offset measured from its `rigReceivedTime` and `rigTime` (src/common/clock.ts).
 */
import { estimateOffset, localNowMs } from '../../src/common/clock';

export interface RigResult {
  ok: boolean;
  result?: unknown;
  error?: string;
  /** Send → acknowledgement on this coordinator's clock (absent when nothing was sent). */
  ms?: number;
}

export interface RigClock {
  offsetMs: number;
  uncertaintyMs: number;
}

export interface Finished {
  command: string;
  commandId: string;
  results: Record<string, RigResult>;
  /** First → last acknowledgement received (only rigs that answered), ms. */
  spreadMs: number | null;
  clocks: Record<string, RigClock>;
  failures: string[];
}

interface Target {
  rig: string;
  sentMs?: number;
  outcome?: RigResult;
  receivedMs?: number;
}

interface Entry {
  command: string;
  commandId: string;
  targets: Map<string, Target>;
  timer?: NodeJS.Timeout;
  clocks: Record<string, RigClock>;
  finish: (finished: Finished) => void;
}

/** Command messages under way at most. */
export const MAX_PENDING = 1000;
/** Answers awaited at most, over all commands (a command to 1000 rigs counts 1000). */
export const MAX_AWAITED = 20_000;
const round = (ms: number): number => Math.round(ms * 1000) / 1000;

export class Pending {
  private readonly byKey = new Map<string, { entry: Entry; target: Target }>();
  private readonly entries = new Set<Entry>();

  get size(): number {
    return this.entries.size;
  }

  /** Whether a command to `rigs` more rigs would go past the bounds. */
  full(rigs: number): boolean {
    return this.entries.size >= MAX_PENDING || this.byKey.size + rigs > MAX_AWAITED;
  }

  static key(commandId: string, rig: string): string {
    return `${commandId}:${rig}`;
  }

  /** A command to `rigs`; `finish` runs once, when every rig has an outcome. */
  open(command: string, commandId: string, rigs: string[], finish: (f: Finished) => void): void {
    const entry: Entry = { command, commandId, targets: new Map(), clocks: {}, finish };
    for (const rig of rigs) {
      const target: Target = { rig };
      entry.targets.set(rig, target);
      this.byKey.set(Pending.key(commandId, rig), { entry, target });
    }
    this.entries.add(entry);
  }

  sent(commandId: string, rig: string): void {
    const found = this.byKey.get(Pending.key(commandId, rig));
    if (found) found.target.sentMs = localNowMs();
  }

  /** Starts the timer for the rigs still without an outcome. */
  arm(commandId: string, timeoutMs: number, late: (rig: string) => string): void {
    const entry = [...this.entries].find((e) => e.commandId === commandId);
    if (!entry) return;
    entry.timer = setTimeout(() => {
      for (const target of entry.targets.values())
        if (!target.outcome) this.settle(entry, target, { ok: false, error: late(target.rig) });
    }, timeoutMs);
    this.check(entry);
  }

  /** A rig's outcome without an acknowledgement (offline, not sent). */
  fail(commandId: string, rig: string, error: string): void {
    const found = this.byKey.get(Pending.key(commandId, rig));
    if (found) this.settle(found.entry, found.target, { ok: false, error });
  }

  /** Every rig waiting on `rig` fails with `error` (it went offline). */
  failRig(rig: string, error: (command: string) => string): void {
    for (const entry of [...this.entries]) {
      const target = entry.targets.get(rig);
      if (target && !target.outcome && target.sentMs !== undefined)
        this.settle(entry, target, { ok: false, error: error(entry.command) });
    }
  }

  /**
   * An acknowledgement: `key` its correlation. Returns false when nothing waits for it (a
   * duplicate, a late one, another coordinator's).
   */
  acknowledge(
    key: string,
    ack: { ok: boolean; result?: unknown; error?: string; rigTime?: number; rigReceivedTime?: number },
  ): boolean {
    const found = this.byKey.get(key);
    if (!found) return false;
    const { entry, target } = found;
    const receivedMs = localNowMs();
    target.receivedMs = receivedMs;
    if (target.sentMs !== undefined && ack.rigTime !== undefined) {
      // The rig read its clock twice, both between our send and our receipt: intersected, the time
      // the rig spent on the command drops out (NTP's four timestamps), leaving the network's round trip.
      const sentMs = target.sentMs;
      const readings = [ack.rigReceivedTime, ack.rigTime].filter((t): t is number => t !== undefined);
      const clock = estimateOffset(
        readings.map((serverMs) => ({ sentMs, receivedMs, serverMs, resolutionMs: 1 })),
      );
      if (clock) entry.clocks[target.rig] = { offsetMs: clock.offsetMs, uncertaintyMs: clock.uncertaintyMs };
    }
    const ms = target.sentMs === undefined ? undefined : round(receivedMs - target.sentMs);
    this.settle(
      entry,
      target,
      ack.ok ? { ok: true, result: ack.result, ms } : { ok: false, error: ack.error ?? 'failed', ms },
    );
    return true;
  }

  /** Every command still under way fails with `error` (the node closes). */
  closeAll(error: string): void {
    for (const entry of [...this.entries])
      for (const target of entry.targets.values())
        if (!target.outcome) this.settle(entry, target, { ok: false, error });
  }

  private settle(entry: Entry, target: Target, outcome: RigResult): void {
    if (target.outcome) return;
    target.outcome = outcome;
    this.byKey.delete(Pending.key(entry.commandId, target.rig));
    if (entry.timer) this.check(entry);
  }

  private check(entry: Entry): void {
    if ([...entry.targets.values()].some((t) => !t.outcome)) return;
    clearTimeout(entry.timer);
    this.entries.delete(entry);
    const results: Record<string, RigResult> = {};
    const failures: string[] = [];
    const received: number[] = [];
    for (const t of entry.targets.values()) {
      const outcome = t.outcome as RigResult;
      results[t.rig] = outcome;
      if (!outcome.ok) failures.push(`${t.rig}: ${outcome.error ?? 'failed'}`);
      if (t.receivedMs !== undefined) received.push(t.receivedMs);
    }
    const spreadMs = received.length > 0 ? round(Math.max(...received) - Math.min(...received)) : null;
    entry.finish({
      command: entry.command,
      commandId: entry.commandId,
      results,
      spreadMs,
      clocks: entry.clocks,
      failures,
    });
  }
}
