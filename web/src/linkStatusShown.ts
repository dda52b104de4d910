/**
 * A circuit's link status as screens show it. A trap says at once what a
 * poll says later, and the server raises (or clears) the circuit's down
 * alarm on the trap's word: that alarm stands for the link until a poll
 * begun after it says otherwise, so the map turns red with the alarm, not a
 * poll later. A poll begun after the alarm's moment is newer, and wins.
 */
import type { Alarm } from '../../shared/alarms/types.ts';
import type { CircuitLive, LinkStatus } from '../../shared/live/liveState.ts';

/**
 * @param downClearedAtMs when each circuit's down alarm last cleared (alarm events seen on this page).
 */
export function linkStatusShown(
  circuitId: string,
  live: Pick<CircuitLive, 'status' | 'polledFromMs'> | undefined,
  activeAlarms: readonly Pick<Alarm, 'kind' | 'subject' | 'startedAtMs'>[],
  downClearedAtMs: ReadonlyMap<string, number>,
): LinkStatus {
  const polledFromMs = live?.polledFromMs ?? -Infinity;
  const active = activeAlarms.find((a) => a.kind === 'circuit_down' && a.subject.type === 'circuit' && a.subject.id === circuitId);
  const clearedAtMs = downClearedAtMs.get(circuitId);
  if (active) {
    if (active.startedAtMs > polledFromMs) return 'down';
  } else if (clearedAtMs !== undefined && clearedAtMs > polledFromMs) return 'up';
  return live?.status ?? 'unknown';
}
