/**
 * Playback offsets. The broker speaks microseconds; users write whatever is convenient:
 *
 * | input | meaning |
 * |---|---|
 * | `1500000` (number or digit string) | microseconds |
 * | `'62.5s'`, `'1500ms'`, `'250us'` / `'250µs'`, `'1.15min'`, `'2h'` | value with a unit |
 * | `'1:02.5'` | minutes:seconds |
 * | `'01:02:03.25'` | hours:minutes:seconds |
 *
 * A bare number with a fraction is refused (is `62.5` seconds or µs?); say `62.5s`.
 */
import { InputError } from '../../common/errors';
import { offsetProblem } from '../../common/formats';

const UNIT_US: Record<string, number> = {
  us: 1,
  µs: 1,
  ms: 1_000,
  s: 1_000_000,
  sec: 1_000_000,
  min: 60_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};

const WITH_UNIT = /^(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s|sec|min|m|h)$/i;
const CLOCK = /^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$/;

/**
 * An offset in microseconds. What is an offset is the shared rule (common/formats.ts
 * offsetProblem), which the editor runs as it is: this reads exactly the values it accepts.
 */
export function parseOffset(value: unknown): number {
  const problem = offsetProblem(value);
  if (problem !== null) throw new InputError(problem);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return Math.round(value);
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text);
  const unit = WITH_UNIT.exec(text);
  if (unit) return Math.round(Number(unit[1]) * UNIT_US[unit[2].toLowerCase()]);
  const clock = CLOCK.exec(text);
  if (!clock) throw new InputError(`the offset is not understood`);
  const hours = clock[1] === undefined ? 0 : Number(clock[1]);
  return Math.round(((hours * 60 + Number(clock[2])) * 60 + Number(clock[3])) * 1_000_000);
}

/** Offsets for people: µs → `m:ss.s` (or `h:mm:ss.s`), used in status texts and messages. */
export function formatOffset(us: number): string {
  const tenths = Math.floor(us / 100_000);
  const seconds = Math.floor(tenths / 10) % 60;
  const minutes = Math.floor(tenths / 600) % 60;
  const hours = Math.floor(tenths / 36_000);
  const ss = `${String(seconds).padStart(2, '0')}.${tenths % 10}`;
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}
