/**
 * The fleet's topic tree as recorder-rigs reads it. Everything here comes from the broker, so every
 * part is checked: a rig or system name is a short plain word, a payload has a size limit.
 */

/** A rig or system name: what may stand in one topic level (no wildcards, separators or controls). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isName(value: unknown): value is string {
  return typeof value === 'string' && NAME.test(value);
}

/** What one incoming topic is about. */
export type Addressed =
  | { kind: 'status'; rig: string }
  | { kind: 'state'; rig: string; system: string }
  | { kind: 'ack' }
  /** Under the rig tree but not a status or state (a command topic, a made-up level): left alone. */
  | { kind: 'ignored' }
  | { kind: 'other' };

export function addressOf(topic: unknown, prefix: string, ackTopic: string): Addressed {
  if (typeof topic !== 'string' || topic.length > 400) return { kind: 'other' };
  if (topic === ackTopic) return { kind: 'ack' };
  const head = `${prefix}/rigs/`;
  if (!topic.startsWith(head)) return { kind: 'other' };
  const parts = topic.slice(head.length).split('/');
  if (parts.length === 2 && parts[1] === 'status' && isName(parts[0]))
    return { kind: 'status', rig: parts[0] };
  if (
    parts.length === 4 &&
    parts[1] === 'systems' &&
    parts[3] === 'state' &&
    isName(parts[0]) &&
    isName(parts[2])
  )
    return { kind: 'state', rig: parts[0], system: parts[2] };
  return { kind: 'ignored' };
}

/** Where a rig takes its commands. */
export function commandTopic(prefix: string, rig: string): string {
  return `${prefix}/rigs/${rig}/command`;
}

/** Longest payload read from the broker (a state, an acknowledgement with a manifest). */
export const MAX_PAYLOAD = 256 * 1024;

/** A payload as JSON (an `mqtt in` may hand it over parsed, as text or as a Buffer), or undefined. */
export function jsonOf(payload: unknown): unknown {
  let text: string;
  if (Buffer.isBuffer(payload)) {
    if (payload.length > MAX_PAYLOAD) return undefined;
    text = payload.toString('utf8');
  } else if (typeof payload === 'string') {
    if (payload.length > MAX_PAYLOAD) return undefined;
    text = payload;
  } else return payload;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A payload as plain text (a status word), or undefined. */
export function textOf(payload: unknown): string | undefined {
  if (Buffer.isBuffer(payload)) return payload.length <= 100 ? payload.toString('utf8').trim() : undefined;
  if (typeof payload === 'string') return payload.length <= 100 ? payload.trim() : undefined;
  return undefined;
}
