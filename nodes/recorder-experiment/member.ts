/**
 * One participant of an experiment as the run sees it, whatever its backend: arm, start, mark,
 * stop, measure its clock, say what it recorded. Each backend's participant (motif.ts, aivero.ts,
 * remotive.ts) calls its server only through the backend's door and the server node's connection.
 */
import type { ClockEstimate } from '../../src/common/clock';

export interface RunInfo {
  id: string;
  name: string;
}

/** One call's times: when it left and when its acknowledgement came (local wall clock, ms). */
export interface Ack {
  sentMs: number;
  ackMs: number;
}

/** What a participant wrote or read at a mark (a motif frame number, a playback offset). */
export type MarkNote = Record<string, unknown>;

export interface Member {
  readonly kind: 'motif' | 'aivero' | 'remotive';
  /** The server as the manifest names it (address, never a credential). */
  readonly server: string;
  /** How its clock is read, for the manifest (what the time means and its step). */
  readonly clockBasis: string;
  /** Prepares what can be prepared; nothing is recording afterwards. */
  arm(run: RunInfo, signal: AbortSignal): Promise<void>;
  /** Starts; the acknowledgements (one per camera for motif). */
  start(run: RunInfo, signal: AbortSignal): Promise<Ack[]>;
  mark(run: RunInfo, label: string, signal: AbortSignal): Promise<MarkNote>;
  stop(run: RunInfo, signal: AbortSignal): Promise<Ack[]>;
  /** Undoes an arm that was not followed by a start (a failed start elsewhere). */
  disarm(signal: AbortSignal): Promise<void>;
  /** One clock measurement, or undefined where this system has no clock to read now. */
  clock(signal: AbortSignal): Promise<ClockEstimate | undefined>;
  /** What was recorded, for the manifest. */
  record(): Record<string, unknown>;
}
