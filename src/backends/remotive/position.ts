/**
 * Where a playback is now, with our send and receive times around the broker's answer. The broker
 * exposes no clock; a playing recording's position moves with the broker's clock, so positions
 * read against ours show how far playback runs ahead of or behind the wall clock.
 */
import { ApiError } from '../../common/errors';
import { localNowMs } from '../../common/clock';
import type { RemotiveClient } from './client';
import type { PlaybackStatus } from './codec';

export interface PlaybackPosition {
  sentMs: number;
  receivedMs: number;
  status: PlaybackStatus;
}

export async function playbackPosition(client: RemotiveClient, path: string): Promise<PlaybackPosition> {
  const sentMs = localNowMs();
  const statuses = await client.currentStatuses();
  const receivedMs = localNowMs();
  const status = statuses.find((s) => s.path === path);
  if (!status)
    throw new ApiError(200, 'not open', `the broker has no open playback of ${path.slice(0, 200)}`);
  return { sentMs, receivedMs, status };
}
