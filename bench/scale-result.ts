/**
 * What one size of the scale benchmark measures: written as one JSON line by scale-child.ts, read
 * by scale.ts. One declaration, so the two sides cannot drift apart.
 */
import type { Backend } from './scale-flow';

/** Latencies over one trigger's acknowledgements, ms. */
export interface AckTimes {
  p50: number;
  p99: number;
  max: number;
}

/** Spread figures of one trigger: over every acknowledgement, and per backend. */
export interface Trigger extends AckTimes {
  backends: Record<Backend, AckTimes>;
  /** Connections the simulators accepted during the trigger (motif TLS, Aivero TCP; RemotiveLabs 0). */
  opened: Record<Backend, number>;
  /** Start and stop calls that failed (timeouts on an overloaded machine), and the last error. */
  failed: number;
  error?: string;
}

export interface Window {
  lagP99: number;
  cpu: number;
  statesPerS: number;
  imagesPerS: number;
  signalsPerS: number;
  statusesPerS: number;
  rss: number;
}

export interface Measured {
  n: number;
  cameras: number;
  recorders: number;
  playbacks: number;
  readyMs: number;
  connectionsAtReady: Record<Backend, number>;
  connectionsAfterCold: Record<Backend, number>;
  connectionsAtEnd: Record<Backend, number>;
  cold: Trigger;
  warm: Trigger[];
  /** Bare undici starting recording on every motif camera at once, in the same rounds (baseline). */
  bareWarm: Array<{ p50: number; p99: number }>;
  /** The same starts through the motif-action nodes alone (no Aivero or RemotiveLabs in the trigger). */
  motifWarm: Array<{ p50: number; p99: number }>;
  afterIdle: Trigger[];
  windows: Window[];
  sessionWatchMessages: number;
  rssBefore: number;
  rssMedian: number;
}
