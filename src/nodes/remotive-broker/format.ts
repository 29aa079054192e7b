/** Offsets for people: µs → `m:ss.s` (or `h:mm:ss.s`), used in status texts and messages. */
export function formatOffset(us: number): string {
  const tenths = Math.floor(us / 100_000);
  const seconds = Math.floor(tenths / 10) % 60;
  const minutes = Math.floor(tenths / 600) % 60;
  const hours = Math.floor(tenths / 36_000);
  const ss = `${String(seconds).padStart(2, '0')}.${tenths % 10}`;
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}
