/**
 * nms.yaml for a bench that starts the whole demo product in process: the
 * simulated city, a managed InfluxDB on a free port, every other port picked
 * by the system, data in the bench's own folder. No month of history unless
 * asked for: it would cost minutes before the figures start.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort } from '../server/influx/embeddedInflux.ts';

export interface BenchConfig {
  /** The network model (default: the repository's topology.yaml). */
  topology?: string;
  /** Days of demo history written before going live (default 0). */
  historyDays?: number;
  /** Every device's poll interval, overriding topology.yaml's. */
  intervalS?: number;
  /** The trap receiver's UDP port (default: one free for TCP, as others have used it). */
  trapPort?: number;
  /** More lines under alarms:, indented as they appear there. */
  alarms?: string[];
}

export async function writeBenchConfig(dir: string, o: BenchConfig = {}): Promise<void> {
  const lines = [
    `topology: ${o.topology ?? resolve('topology.yaml')}`,
    `dataDir: ${dir}`,
    'influx:',
    `  embeddedPort: ${await freePort()}`,
    'simulator:',
    '  basePort: 0',
    '  controlPort: 0',
    `  history: ${o.historyDays ?? 0}`,
    ...(o.intervalS ? ['collector:', `  interval: ${o.intervalS}s`] : []),
    'console:',
    '  port: 0',
    'alarms:',
    `  trapPort: ${o.trapPort ?? (await freePort())}`,
    ...(o.alarms ?? []),
    '',
  ];
  await writeFile(join(dir, 'nms.yaml'), lines.join('\n'));
}
