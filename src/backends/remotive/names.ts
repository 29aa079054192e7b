/**
 * Checks on the names we put into a request (recording paths, namespaces, signal names), made
 * before anything is sent. A recording path is relative to the broker's storage root and may have
 * folders; what is never legitimate is refused here rather than left to the broker:
 *
 * - control characters (NUL, CR/LF, ESC, DEL, C1): they forge log lines and confuse file systems;
 * - `..` segments: a path that climbs out of the storage root;
 * - absurd lengths: 4096 characters is the longest path Linux accepts (PATH_MAX); a longer one
 *   would otherwise reach the broker and come back as a confusing timeout or size error.
 *
 * Error texts quote at most a short, escaped prefix of the offending value.
 */
import { InputError } from '../../common/errors';
import { filePathProblem, signalNameProblem } from '../../common/formats';

/** These limits are written inside the shared rules too (common/formats.ts), which the editor runs. */
export const MAX_PATH_LENGTH = 4096;
/** Namespaces and signal names are identifiers from a signal database; 512 is generous. */
export const MAX_NAME_LENGTH = 512;

/** A value for an error text: escaped (no control characters survive) and capped. */
export function shown(value: string, max = 60): string {
  const head = value.length > max ? value.slice(0, max) : value;
  const escaped = JSON.stringify(head).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return value.length > max ? `${escaped.slice(0, -1)}…" (${value.length} characters)` : escaped;
}

/**
 * A recording path (file or folder). `allowEmpty` for listings, where "" is the root.
 * Returns the path unchanged: the broker decides what it means.
 */
export function checkPath(path: unknown, what: string, allowEmpty = false): string {
  if (typeof path !== 'string') throw new InputError(`${what} must be a string`);
  if (path.trim() === '') {
    if (allowEmpty) return '';
    throw new InputError(`${what} is required (e.g. "drive/city-loop.recordingsession.yaml")`);
  }
  const problem = filePathProblem(path);
  if (problem === null) return path;
  // A long path is not quoted: its length says what is wrong.
  throw new InputError(
    path.length > MAX_PATH_LENGTH ? `${what} ${problem}` : `${what} ${shown(path)} ${problem}`,
  );
}

/** A namespace or signal name. */
export function checkName(name: unknown, what: string): string {
  const problem = signalNameProblem(name);
  if (problem === null && typeof name === 'string') return name;
  const quoted = typeof name === 'string' && name.trim() !== '' && name.length <= MAX_NAME_LENGTH;
  throw new InputError(quoted ? `${what} ${shown(name)} ${problem}` : `${what} ${problem ?? 'is empty'}`);
}
