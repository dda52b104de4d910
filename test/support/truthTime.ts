import type { GroundTruth } from '../../sim/truth/truthReader.ts';

/**
 * The absolute simulated time (ms) of a device's sysUpTime reading: its last
 * boot at or before that reading, from the ground truth, plus the uptime.
 */
export function absoluteTime(truth: GroundTruth, device: string, uptimeCs: number, notAfterMs = Infinity): number {
  const boots = truth.eventsOf('boot').filter((e) => 'device' in e && e.device === device && e.ms <= notAfterMs);
  const boot = boots.length ? boots[boots.length - 1]!.ms : truth.meta.devices.find((d) => d.id === device)!.bootMs;
  return boot + uptimeCs * 10;
}
