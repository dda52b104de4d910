/**
 * Availability over several circuits: each weighted by the time it was
 * known, so a circuit with no data cannot pass for up. Null when none was
 * known at all. The console's network figure and the reports both use it.
 */
export function weightedAvailabilityPct(list: ReadonlyArray<{ knownS: number; downS: number }>): number | null {
  const known = list.reduce((n, a) => n + a.knownS, 0);
  const down = list.reduce((n, a) => n + a.downS, 0);
  return known > 0 ? (100 * (known - down)) / known : null;
}
