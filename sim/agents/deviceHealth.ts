/**
 * CPU and memory of a simulated device: a pure function of the device and
 * simulated time. Busier office hours mean busier control planes; memory
 * drifts slowly. Figures are plausible, not measured from real routers.
 */
import { hashString, pick, smoothNoise } from '../traffic/random.ts';
import type { DeviceState } from '../network/simNetwork.ts';

export interface DeviceHealth {
  cpuPct: number;
  memPct: number;
  memUsedBytes: number;
  memTotalBytes: number;
}

const MEMORY_BY_ROLE: Record<string, number> = { core: 8 * 2 ** 30, exit: 4 * 2 ** 30, county: 2 * 2 ** 30, cpe: 512 * 2 ** 20 };

export function deviceHealth(device: DeviceState, atMs: number): DeviceHealth {
  const seed = hashString(device.device.id);
  const t = atMs / 1000;
  const hour = (((t / 3600 + 8) % 24) + 24) % 24; // Asia/Shanghai
  const office = hour >= 8.5 && hour < 18 ? 1 : 0.3;
  const cpuPct = Math.round(Math.min(99, pick(seed, 'cpu', 4, 18) + 20 * office * smoothNoise(seed, t / 900) + 3 * smoothNoise(seed ^ 1, t / 60)));
  const memPct = Math.round(pick(seed, 'mem', 28, 62) + 6 * smoothNoise(seed ^ 2, t / 7200));
  const memTotalBytes = MEMORY_BY_ROLE[device.device.role] ?? 2 ** 30;
  return { cpuPct, memPct, memTotalBytes, memUsedBytes: Math.floor((memTotalBytes * memPct) / 100) };
}
