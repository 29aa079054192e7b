/** Helpers for the Aivero tests: bounded waits, expected rejections, a port nobody listens on. */
import { createServer, type AddressInfo } from 'node:net';
import type { StreamSpec } from '../../src/backends/aivero';

export const FAST_BACKOFF = { initialMs: 40, maxMs: 300 };

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves with the error a promise rejects with; fails if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A loopback port that was free a moment ago (for "server down" cases). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The vendor script's two streams. */
export const COLOR: StreamSpec = {
  type: 'color',
  alignTo: 'color',
  encoder: 'HEVC',
  width: 1280,
  height: 720,
  nearCut: 300,
  farCut: 1000,
  bitrate: 1000000,
  frameRate: 15,
};
export const DEPTH: StreamSpec = { ...COLOR, type: 'depth', encoder: 'Classic', bitrate: 5000000 };
