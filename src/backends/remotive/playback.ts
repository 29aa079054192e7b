/**
 * The playback operations as one table: what each command sends, how it reads in an error and how
 * its result reads in a status. remotive-playback plans a command from its fields and a message;
 * everything after that is here, so a new operation is one entry.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ApiError } from '../../common/errors';
import type { RemotiveClient } from './client';
import type { PlaybackStatus, RecordingFile } from './codec';
import { shown } from './names';
import { formatOffset } from './offset';

export const PLAYBACK_OPERATIONS = [
  'list',
  'open',
  'play',
  'pause',
  'seek',
  'close',
  'repeat',
  'status',
] as const;
export type PlaybackOperation = (typeof PLAYBACK_OPERATIONS)[number];

export type PlaybackCommand =
  | { operation: 'list'; path: string; recursive: boolean }
  | { operation: 'open'; path: string; force: boolean; keepOpen?: boolean }
  | { operation: 'play' | 'pause'; path: string; offsetUs?: number }
  | { operation: 'seek'; path: string; offsetUs: number }
  | { operation: 'close'; path: string }
  | { operation: 'repeat'; path: string; startUs?: number; endUs?: number }
  | { operation: 'status'; path?: string };

/** An open that found the session open already (and, asked to keep it, left it as it was). */
export type KeptOpen = PlaybackStatus & { alreadyOpen: true };

export type PlaybackResult = PlaybackStatus | KeptOpen | PlaybackStatus[] | RecordingFile[] | null;

/** The broker's answer to opening a session that is open (gRPC ALREADY_EXISTS). */
function isAlreadyOpen(err: unknown): boolean {
  return err instanceof ApiError && err.status === GrpcStatus.ALREADY_EXISTS;
}

/**
 * Opens a session; with `keepOpen`, a session that is open already is a success: its current
 * status, marked `alreadyOpen`, and the session left as it was (playing on, at its offset).
 */
async function open(
  client: RemotiveClient,
  c: { path: string; force: boolean; keepOpen?: boolean },
): Promise<PlaybackStatus | KeptOpen> {
  try {
    return await client.open(c.path, { force: c.force });
  } catch (err) {
    if (!c.keepOpen || c.force || !isAlreadyOpen(err)) throw err;
    const current = (await client.currentStatuses()).find((s) => s.path === c.path);
    // Closed again in between: the broker's refusal stands.
    if (!current) throw err;
    const kept: KeptOpen = { ...current, alreadyOpen: true };
    return kept;
  }
}

/** Sends one command; the switch is the table (TypeScript checks that every operation has its entry). */
export async function runPlayback(client: RemotiveClient, c: PlaybackCommand): Promise<PlaybackResult> {
  switch (c.operation) {
    case 'list':
      return client.listFiles(c.path, { recursive: c.recursive });
    case 'open':
      return open(client, c);
    case 'play':
      return client.play(c.path, c.offsetUs);
    case 'pause':
      return client.pause(c.path, c.offsetUs);
    case 'seek':
      return client.seek(c.path, c.offsetUs);
    case 'close':
      return client.close(c.path);
    case 'repeat':
      return client.repeat(c.path, { startUs: c.startUs, endUs: c.endUs });
    case 'status': {
      const items = await client.currentStatuses();
      if (c.path === undefined) return items;
      return items.find((s) => s.path === c.path) ?? null;
    }
  }
}

/** The command as a user reads it in an error: `play "drive/a.recordingsession.yaml"`. */
export function describePlayback(command: PlaybackCommand): string {
  if (command.operation === 'list') return `list files in ${shown(command.path)}`;
  if (command.operation === 'status') return 'playback status';
  return `${command.operation} ${shown(command.path)}`;
}

/** A short status text for the result, e.g. `playing 1:02.5`. */
export function summarisePlayback(command: PlaybackCommand, result: PlaybackResult): string {
  if (command.operation === 'list') return `${(result as unknown[]).length} files`;
  if (Array.isArray(result)) return `${result.length} open`;
  if (result && 'alreadyOpen' in result)
    return `already open, ${result.mode} ${formatOffset(result.offsetUs)}`;
  if (result && 'mode' in result)
    return `${result.mode} ${formatOffset(result.offsetUs)}${result.repeat ? ' ⟳' : ''}`;
  return command.operation;
}
