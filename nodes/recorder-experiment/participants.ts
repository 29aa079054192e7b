/**
 * The participants list of the editor, read and checked once per deploy: a wrong row fails the
 * node with an error naming the row, before anything reaches a server.
 */
import { ConfigError } from '../../src/common/errors';
import { describe, isPlainObject } from '../../src/common/input';
import { checkUuid } from '../../src/backends/aivero';
import { checkPath, parseOffset } from '../../src/backends/remotive';
import { pathSegment } from '../../src/backends/motif';

export const MAX_PARTICIPANTS = 50;
const MAX_CAMERAS = 64;

export type ParticipantRow =
  | { kind: 'motif'; server: string; cameras: string[] | 'all' }
  | { kind: 'aivero'; server: string; session: string; spec?: undefined }
  | { kind: 'aivero'; server: string; session?: undefined; spec: Record<string, unknown> }
  | { kind: 'remotive'; server: string; path: string; offsetUs: number };

function fail(index: number, problem: string): never {
  throw new ConfigError(
    `recorder-experiment: participant ${index + 1}: ${problem}`,
    'participants',
    'invalid participants',
  );
}

function text(row: Record<string, unknown>, key: string, index: number): string {
  const value = row[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(index, `${key} must be text, got ${describe(value)}`);
  return value.trim();
}

function readCameras(value: string, index: number): string[] | 'all' {
  if (value === '' || value === '__all' || value === '*') return 'all';
  const serials = value.split(/[\s,]+/).filter(Boolean);
  if (serials.length > MAX_CAMERAS) fail(index, `more than ${MAX_CAMERAS} cameras`);
  for (const serial of serials) {
    try {
      pathSegment('camera', serial);
    } catch (err) {
      fail(index, (err as Error).message);
    }
  }
  return [...new Set(serials)];
}

function readSpec(value: unknown, index: number): Record<string, unknown> {
  if (isPlainObject(value)) return value;
  if (typeof value !== 'string' || value.length > 100_000)
    fail(index, 'the session spec must be a JSON object');
  try {
    const parsed: unknown = JSON.parse(value);
    if (isPlainObject(parsed)) return parsed;
  } catch {
    // named below
  }
  return fail(index, 'the session spec must be a JSON object');
}

function readRow(raw: unknown, index: number): ParticipantRow {
  if (!isPlainObject(raw)) fail(index, `must be an object, got ${describe(raw)}`);
  const server = text(raw, 'server', index);
  if (!server) fail(index, 'no server chosen');
  const kind = text(raw, 'kind', index);
  try {
    switch (kind) {
      case 'motif':
        return { kind, server, cameras: readCameras(text(raw, 'cameras', index), index) };
      case 'aivero': {
        const session = text(raw, 'session', index);
        if (session) return { kind, server, session: checkUuid(session, 'session id') };
        return { kind, server, spec: readSpec(raw.spec, index) };
      }
      case 'remotive': {
        const path = checkPath(text(raw, 'path', index), 'recording path');
        const offset = text(raw, 'offset', index);
        return { kind, server, path, offsetUs: offset === '' ? 0 : parseOffset(offset) };
      }
      default:
        return fail(index, `kind must be motif, aivero or remotive, got ${describe(raw.kind)}`);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    return fail(index, (err as Error).message);
  }
}

export function readParticipants(raw: unknown): ParticipantRow[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (!Array.isArray(raw))
    throw new ConfigError('recorder-experiment: participants must be a list', 'participants');
  if (raw.length > MAX_PARTICIPANTS)
    throw new ConfigError(`recorder-experiment: more than ${MAX_PARTICIPANTS} participants`, 'participants');
  return raw.map((row, i) => readRow(row, i));
}

/** The config node type each kind uses. */
export const SERVER_TYPE = {
  motif: 'motif-server',
  aivero: 'aivero-server',
  remotive: 'remotive-broker',
} as const;
