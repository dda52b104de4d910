/**
 * Schemas for values people write as text with a unit (rates, durations),
 * shared by topology.yaml, nms.yaml and fault descriptions so they read and
 * complain the same way everywhere.
 */
import { z } from 'zod';
import { parseDuration, parseRate } from './units.ts';

/**
 * A value written as text with a unit, parsed to a number. A bare number is
 * refused with the same advice, since its unit is a guess.
 */
function withUnit(parse: (text: string) => number | null, complaint: (value: string | number) => string) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const parsed = typeof value === 'string' ? parse(value) : null;
    if (parsed === null) {
      ctx.issues.push({ code: 'custom', input: value, message: complaint(value) });
      return z.NEVER;
    }
    return parsed;
  });
}

/** A contracted rate in bit/s, written like 2M, 10M or 1000M. */
export const rateSchema = withUnit(parseRate, (v) => `bandwidth ${JSON.stringify(v)} is not a rate: write bits per second with a unit, like 2M, 10M or 1000M`);

/** A duration in seconds, written like 30s, 5m or 1h. */
export const durationSchema = withUnit(parseDuration, (v) => `${JSON.stringify(v)} is not a duration: write it like 30s, 5m or 1h`);
