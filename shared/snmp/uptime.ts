/**
 * sysUpTime between two readings, one rule for the collector's rates and the
 * alarm engine's reboots.
 */
const TIMETICKS_RANGE = 2 ** 32;

/**
 * Hundredths of a second between two sysUpTime readings, or null when the
 * device restarted. sysUpTime is a 32-bit TimeTicks that wraps after 497 days:
 * a fall of more than half its range is a wrap, anything else a restart.
 */
export function uptimeDelta(prevCs: number, currCs: number): number | null {
  if (currCs >= prevCs) return currCs - prevCs;
  if (prevCs - currCs > TIMETICKS_RANGE / 2) return currCs + TIMETICKS_RANGE - prevCs;
  return null;
}
