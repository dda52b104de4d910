/**
 * Debian's victoria-metrics, a real server that speaks InfluxDB's v2 write
 * API (/api/v2/write), on a loopback port with its data in a temp folder.
 * What arrived is read back from its own export API, not through our code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../server/influx/embeddedInflux.ts';
import { waitFor } from './processes.ts';

export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

export class TestVictoriaMetrics {
  #child: ChildProcess | null = null;
  private constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {}

  static async start(dataDir: string): Promise<TestVictoriaMetrics> {
    const vm = new TestVictoriaMetrics(dataDir, await freePort());
    await vm.start();
    return vm;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.#child = spawn(
      'victoria-metrics',
      [`-storageDataPath=${this.dataDir}`, `-httpListenAddr=127.0.0.1:${this.port}`, '-retentionPeriod=100y', '-search.latencyOffset=0s', '-loggerLevel=ERROR'],
      { stdio: 'ignore' },
    );
    await waitFor(
      'victoria-metrics to answer',
      async () =>
        await fetch(`${this.url}/health`).then(
          (r) => r.ok,
          () => false,
        ),
      20_000,
    );
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  /** Every series whose name matches, after making it flush what it holds in memory. */
  async export(nameRegex: string): Promise<ExportedSeries[]> {
    await fetch(`${this.url}/internal/force_flush`);
    const q = new URLSearchParams({ 'match[]': `{__name__=~"${nameRegex}"}` });
    const text = await (await fetch(`${this.url}/api/v1/export?${q}`)).text();
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ExportedSeries);
  }
}
