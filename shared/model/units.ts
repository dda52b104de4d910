/**
 * Units written by people in topology.yaml and config: bit rates ("2M",
 * "10Mbit/s", "1G") and durations ("60s", "5m"). Parsers return null on input
 * they do not understand; callers turn that into a located error.
 */

const RATE_MULTIPLIER: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9 };

/**
 * Parses a contracted bandwidth into bits per second. Carriers and contracts
 * use decimal prefixes (2M = 2,048 kbit/s E1 is sold as "2M", but the shaped
 * rate we bill against is 2,000,000 bit/s), so k/M/G are powers of 1000.
 * A bare number is rejected: "10" could be bit/s or Mbit/s, and guessing wrong
 * makes every utilization figure wrong by a factor of a million.
 * "MB" and "MB/s" are rejected because they are bytes, not bits.
 */
export function parseRate(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG])(?:bit\/s|bps|b)?\s*$/.exec(text);
  if (!m) return null;
  const value = Number(m[1]) * RATE_MULTIPLIER[m[2]!.toLowerCase()]!;
  return value > 0 && Number.isFinite(value) ? value : null;
}

/** Formats bits per second the way contracts write them: 2M, 10M, 1G, 1.5G. */
export function formatRate(bps: number): string {
  if (bps >= 1e9 && bps % 1e8 === 0) return `${bps / 1e9}G`;
  if (bps >= 1e6) return `${+(bps / 1e6).toFixed(3)}M`;
  if (bps >= 1e3) return `${+(bps / 1e3).toFixed(3)}k`;
  return `${bps}bit/s`;
}

const DURATION_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses "30s", "5m", "1h", "7d" into seconds; null on anything else. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+)\s*([smhd])\s*$/.exec(text);
  if (!m) return null;
  const seconds = Number(m[1]) * DURATION_SECONDS[m[2]!]!;
  return seconds > 0 ? seconds : null;
}
