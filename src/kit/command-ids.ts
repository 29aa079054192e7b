/**
 * Idempotent commands for the action nodes. MQTT QoS 1 delivers a command at least once, and a
 * coordinator may send it again after a lost acknowledgement; a command id makes the second delivery
 * harmless: the node remembers each id's outcome for a while and answers a repeat with it instead of
 * calling the server again. A repeat arriving while the first is still under way waits for it.
 *
 * The id is `msg.commandId` (a string, or a finite number); a message without one but with MQTT v5
 * correlation data (`msg.correlationData` from a core `mqtt in` node, a Buffer or a string) uses
 * that. The memory is bounded in count and in time, so no flow can make it grow without end.
 */
import { InputError } from '../common/errors';
import type { Msg } from './node-red';

/** How many command ids one node remembers (the oldest is forgotten first). */
export const COMMAND_MEMORY_SIZE = 1000;
/** How long one node remembers a command id. */
export const COMMAND_MEMORY_MS = 10 * 60 * 1000;
/** The longest command id accepted (characters; correlation data: bytes). */
export const MAX_COMMAND_ID_LENGTH = 256;

/** A command's outcome: what its reply put on the message, or its error. */
export type CommandOutcome =
  | { ok: true; payload: unknown; props: Record<string, unknown>; meta: Record<string, unknown> }
  | { ok: false; error: unknown };

interface Remembered {
  at: number;
  outcome: Promise<CommandOutcome>;
}

/**
 * The message's command id as a memory key, undefined when it has none. A commandId that is not a
 * short string or a finite number is refused (InputError naming msg.commandId) before anything is
 * sent; correlation data that can not serve as an id (too long, another type) is simply not used.
 */
export function commandKey(msg: Msg): string | undefined {
  let id: unknown;
  let correlation: unknown;
  try {
    id = msg.commandId;
    correlation = id === undefined || id === null || id === '' ? msg.correlationData : undefined;
  } catch {
    throw new InputError('msg.commandId could not be read', 'msg.commandId');
  }
  if (id !== undefined && id !== null && id !== '') {
    if (typeof id === 'number' && Number.isFinite(id)) return `id:${String(id)}`;
    if (typeof id === 'string' && id.length <= MAX_COMMAND_ID_LENGTH) return `id:${id}`;
    throw new InputError(
      `msg.commandId must be a string of at most ${MAX_COMMAND_ID_LENGTH} characters or a number`,
      'msg.commandId',
    );
  }
  try {
    return correlationKey(correlation);
  } catch {
    // A proxy in place of correlation data: an error naming it, never a crash.
    throw new InputError('msg.correlationData could not be read', 'msg.correlationData');
  }
}

function correlationKey(correlation: unknown): string | undefined {
  if (
    typeof correlation === 'string' &&
    correlation.length > 0 &&
    correlation.length <= MAX_COMMAND_ID_LENGTH
  )
    return `cd:${Buffer.from(correlation).toString('base64')}`;
  if (Buffer.isBuffer(correlation) && correlation.length > 0 && correlation.length <= MAX_COMMAND_ID_LENGTH)
    return `cd:${correlation.toString('base64')}`;
  return undefined;
}

/** One node's memory of command outcomes: at most `size` ids, each for `ttlMs`. */
export class CommandMemory {
  private readonly entries = new Map<string, Remembered>();

  constructor(
    private readonly size = COMMAND_MEMORY_SIZE,
    private readonly ttlMs = COMMAND_MEMORY_MS,
  ) {}

  /** The remembered outcome of `key` (settled or still under way), if it is still remembered. */
  recall(key: string, now = Date.now()): Promise<CommandOutcome> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.outcome;
  }

  remember(key: string, outcome: Promise<CommandOutcome>, now = Date.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { at: now, outcome });
    // Map keeps insertion order: the first entries are the oldest.
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.size && now - entry.at <= this.ttlMs) break;
      this.entries.delete(oldest);
    }
  }

  get count(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** A copy of a remembered payload for a repeat, so two messages never share one object. */
export function copyForRepeat<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}
