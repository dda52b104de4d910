/**
 * Local time in the network's zone (Asia/Shanghai for the users of this
 * product): offsets and calendar months, for office hours, SLA months and
 * report periods.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

/** Offset of an IANA zone from UTC at an instant, in seconds (China keeps one offset all year). */
export function utcOffsetSeconds(timeZone: string, at: Date): number {
  // Making the formatter costs fifty times what using it does: one per zone, kept.
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 1000);
}

/** The local calendar month containing an instant: [start, end) in ms. */
export function monthBounds(atMs: number, timeZone: string): { startMs: number; endMs: number } {
  const local = new Date(atMs + utcOffsetSeconds(timeZone, new Date(atMs)) * 1000);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const startLocal = Date.UTC(y, m, 1);
  const endLocal = Date.UTC(y, m + 1, 1);
  return {
    startMs: startLocal - utcOffsetSeconds(timeZone, new Date(startLocal)) * 1000,
    endMs: endLocal - utcOffsetSeconds(timeZone, new Date(endLocal)) * 1000,
  };
}

/** Local midnight of a calendar date (month 1–12) in the zone, as ms since the epoch. */
export function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  const local = Date.UTC(year, month - 1, day);
  return local - utcOffsetSeconds(timeZone, new Date(local)) * 1000;
}

/** The calendar date (month 1–12), time of day and weekday (0 = Sunday) of an instant in the zone. */
export function localParts(
  atMs: number,
  timeZone: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  const local = new Date(atMs + utcOffsetSeconds(timeZone, new Date(atMs)) * 1000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    weekday: local.getUTCDay(),
  };
}

/** "yyyy-mm-dd hh:mm:ss" (or without seconds) in the zone: how every page, push and report writes a time. */
export function formatLocalTime(ms: number, timeZone: string, withSeconds = true): string {
  const p = localParts(ms, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}${withSeconds ? `:${pad(p.second)}` : ''}`;
}
