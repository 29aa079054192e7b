/** What both WebSocket protocols share: authentication from connection_init, preparing operations. */
import type { IncomingMessage } from 'node:http';
import { authenticate, type AuthConfig, type Headers, type Session } from './auth';
import type { Executor } from './execute';
import type { LiveQuery } from './live-query';

export interface WsEnvironment {
  executor: Executor;
  auth: AuthConfig;
  refetchMs: () => number;
  /** Every running live query, so that stop() can end them all. */
  liveQueries: Set<LiveQuery>;
  /** Legacy protocol keep-alive (`ka`) period, ms. */
  keepAliveMs: number;
}

/**
 * Hasura reads credentials from `connection_init`'s `payload.headers` (ConnParams), and also from
 * the upgrade request's own headers; the payload wins. A payload with the headers at its top level
 * (what some clients send) is accepted too.
 */
export function sessionFor(env: WsEnvironment, request: IncomingMessage, payload: unknown): Session {
  const merged: Headers = { ...request.headers };
  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) {
    const p = payload as Record<string, unknown>;
    const inner =
      typeof p.headers === 'object' && p.headers !== null ? (p.headers as Record<string, unknown>) : p;
    for (const [k, v] of Object.entries(inner)) if (typeof v === 'string') merged[k.toLowerCase()] = v;
  }
  return authenticate(env.auth, merged);
}

/** Longest timer Node keeps exactly (about 24.8 days); later expiries are simply not watched. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Calls `expire` when the session's JWT runs out (Hasura closes such a socket), and returns a
 * function that cancels the watch. The delay is measured with the simulator clock.
 */
export function watchExpiry(env: WsEnvironment, session: Session, expire: () => void): () => void {
  if (session.expiresAt === undefined) return () => undefined;
  const delay = session.expiresAt - env.auth.now();
  if (delay > MAX_TIMER_MS) return () => undefined;
  const timer = setTimeout(expire, Math.max(0, delay));
  timer.unref();
  return () => clearTimeout(timer);
}

export const JWT_EXPIRED = 'Could not verify JWT: JWTExpired';
