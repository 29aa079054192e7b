/**
 * Short, 24-hour "when" texts for status lines (cron-plus showed "24:30" for half past midnight and
 * long dates under the node): "09:00:00" today, "Tue 09:00" within a week, else "2026-03-01 09:00".
 */
const formats = new Map<string, { time: Intl.DateTimeFormat; parts: Intl.DateTimeFormat }>();

function formatsFor(timeZone: string | undefined): { time: Intl.DateTimeFormat; parts: Intl.DateTimeFormat } {
  const key = timeZone ?? '';
  let found = formats.get(key);
  if (!found) {
    const zone = timeZone ? { timeZone } : {};
    found = {
      time: new Intl.DateTimeFormat('en-GB', {
        ...zone,
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      }),
      parts: new Intl.DateTimeFormat('en-GB', {
        ...zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
    };
    formats.set(key, found);
  }
  return found;
}

function dayKey(parts: Intl.DateTimeFormatPart[]): string {
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function shortWhen(at: number, now: number, timeZone?: string): string {
  let f;
  try {
    f = formatsFor(timeZone);
  } catch {
    f = formatsFor(undefined);
  }
  const target = f.parts.formatToParts(at);
  const get = (type: string): string => target.find((p) => p.type === type)?.value ?? '';
  if (dayKey(target) === dayKey(f.parts.formatToParts(now))) return f.time.format(at);
  const hm = `${get('hour')}:${get('minute')}`;
  if (at - now < 6 * 86_400_000) return `${get('weekday')} ${hm}`;
  return `${dayKey(target)} ${hm}`;
}
