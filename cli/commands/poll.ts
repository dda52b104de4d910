import { join } from 'node:path';
import { EXIT, type Command } from '../command.ts';
import { Collector, type InterfaceOutcome } from '../../collectors/collector.ts';
import { credentialsFor, openWriter, publishedEndpoints } from '../../collectors/collectionSetup.ts';
import type { DevicePoll } from '../../collectors/poll/devicePoller.ts';
import { deviceEndpoints } from '../../collectors/snmp/targetPolicy.ts';
import type { SpoolingWriter } from '../../collectors/write/spoolingWriter.ts';
import { loadConfig } from '../../shared/config/config.ts';
import { DEMO_SECRETS_FILE } from '../../shared/config/defaults.ts';
import { loadSecretSources } from '../../shared/config/secretsFile.ts';
import { LiveState } from '../../shared/live/liveState.ts';
import { consoleLogger } from '../../shared/log.ts';
import { loadTopology } from '../../shared/model/loader.ts';
import { SIM_STATE_FILE } from '../../sim/startSimulation.ts';
import { openInfluxStore } from '../../server/influx/store.ts';

export const pollCommand: Command = {
  summary: 'poll devices for N cycles and print what was read (diagnosis)',
  usage: `Usage: nms poll [--device ID] [--count N] [--interval S] [--json] [--no-store] [options]

Polls the managed devices (or one) for N cycles and prints one line per
interface per cycle: counters, which counter width was used, oper status,
and from the second cycle on the rates. Works against any agent, with or
without InfluxDB.

Targets: the running simulator's endpoints (var/sim/sim.json) when there is
one, else --endpoints FILE, else the management addresses in topology.yaml,
which only a production config may poll.

Options:
  --topology FILE    topology file (default: the configured one)
  --device ID        poll only this device (repeat for more)
  --count N          cycles (default 2)
  --interval S       seconds between cycles (default 10)
  --json             one JSON object per line
  --no-store         do not write to InfluxDB
  --endpoints FILE   device → host:port map ({"devices": {"id": {"host", "port"}}})
  --shard I/N        poll only shard I of N
  --config FILE      configuration file (default: nms.yaml if present)`,
  options: {
    topology: { type: 'string' },
    device: { type: 'string', multiple: true },
    count: { type: 'string' },
    interval: { type: 'string' },
    json: { type: 'boolean' },
    'no-store': { type: 'boolean' },
    endpoints: { type: 'string' },
    shard: { type: 'string' },
    config: { type: 'string' },
  },
  maxPositionals: 0,
  async run({ values }) {
    const config = await loadConfig({ explicitFile: values.config as string | undefined, env: process.env, cwd: process.cwd() });
    const count = positive(values.count as string | undefined, 2, 'count', 1_000_000);
    const intervalS = positive(values.interval as string | undefined, 10, 'interval', 86_400);
    const shard = values.shard === undefined ? undefined : parseShard(values.shard as string);
    const log = consoleLogger('poll');
    const topology = await loadTopology((values.topology as string | undefined) ?? config.topologyFile);
    const devices = values.device as string[] | undefined;
    for (const id of devices ?? []) {
      const d = topology.deviceById.get(id);
      if (!d?.managed) throw new Error(`--device ${id}: no managed device with that id in ${topology.source}`);
    }
    const endpointsFile = (values.endpoints as string | undefined) ?? join(config.simulator.stateDir, SIM_STATE_FILE);
    const simulated = await publishedEndpoints(endpointsFile);
    if (values.endpoints && !simulated) throw new Error(`--endpoints ${values.endpoints}: cannot read it`);
    // The demo's generated credentials, if a simulator made them; never generated here.
    const secrets = await loadSecretSources(config.secretsFile, process.env);
    const demo = (await loadSecretSources(join(config.dataDir, DEMO_SECRETS_FILE), {})).file;
    const sources = demo ? { ...secrets, demo } : secrets;

    let writer: SpoolingWriter | null = null;
    if (!values['no-store']) {
      // The store nms up runs (or the configured server); never a new influxd of its own.
      const store = await openInfluxStore(config.influx, config.dataDir, secrets, log, { manageEmbedded: false });
      // A spool of its own: nms up may be writing from var/spool at the same time.
      writer = await openWriter(store.sink, store.v1, config.dataDir, log.child('writer'), 'spool-poll');
    }

    const collector = new Collector({
      topology,
      endpoints: deviceEndpoints(topology, simulated ?? undefined),
      credentials: credentialsFor(topology, sources),
      production: config.production,
      sink: writer,
      live: new LiveState(),
      log,
      intervalMs: intervalS * 1000,
      ...(shard ? { shard } : {}),
      ...(devices ? { devices } : {}),
    });
    let cycle = 0;
    collector.onPoll((poll, outcomes) => print(cycle, poll, outcomes, values.json === true));
    try {
      if (collector.pollers.size === 0) {
        for (const reason of collector.unpollable.values()) console.error(reason);
        throw new Error('no device can be polled');
      }
      for (cycle = 1; cycle <= count; cycle++) {
        const started = Date.now();
        await collector.pollAll();
        if (cycle < count) await new Promise((r) => setTimeout(r, Math.max(0, started + intervalS * 1000 - Date.now())));
      }
    } finally {
      await collector.stop();
      await writer?.close();
    }
    return collector.stats.pollsFailed > 0 || collector.unpollable.size > 0 ? EXIT.failed : EXIT.ok;
  },
};

function positive(raw: string | undefined, fallback: number, name: string, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new Error(`--${name} must be a number above 0, got "${raw}"`);
  return n;
}

function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`--shard must be I/N with 1 ≤ I ≤ N, got "${text}"`);
  return { index, count };
}

function print(cycle: number, poll: DevicePoll, outcomes: InterfaceOutcome[], json: boolean): void {
  if (!poll.reachable) {
    if (json) console.log(JSON.stringify({ cycle, device: poll.deviceId, error: poll.error }));
    else console.log(`#${cycle} ${poll.deviceId}: ${poll.error}`);
    return;
  }
  const refresh = poll.counterRefresh;
  const health = {
    cycle,
    device: poll.deviceId,
    responseMs: poll.responseMs,
    uptimeS: poll.uptimeCs === null ? null : poll.uptimeCs / 100,
    cpuPct: poll.cpuPct === null ? null : +poll.cpuPct.toFixed(1),
    memPct: poll.memPct === null ? null : +poll.memPct.toFixed(1),
    counters: refresh === null ? 'not yet known' : refresh.kind === 'live' ? 'live' : `refreshed every ${(refresh.periodCs / 100).toFixed(3)} s`,
  };
  if (json) console.log(JSON.stringify(health));
  else {
    const pct = (v: number | null) => (v === null ? 'n/a' : `${v}%`);
    console.log(
      `#${cycle} ${poll.deviceId}: answered in ${health.responseMs} ms, up ${health.uptimeS ?? 'n/a'} s, cpu ${pct(health.cpuPct)}, memory ${pct(health.memPct)}, counters ${health.counters}`,
    );
  }
  for (const o of outcomes) {
    const r = o.result.reading;
    const rate = o.outcome?.kind === 'rate' ? o.outcome.sample : null;
    const line = {
      cycle,
      device: poll.deviceId,
      circuit: o.circuit.id,
      end: o.result.spec.end,
      interface: o.result.spec.ref.value,
      ifIndex: o.result.ifIndex,
      width: r?.width ?? null,
      inOctets: r ? r.inOctets.toString() : null,
      outOctets: r ? r.outOctets.toString() : null,
      operStatus: r?.operStatus ?? null,
      adminStatus: r?.adminStatus ?? null,
      uptimeCs: r?.uptimeCs ?? null,
      outcome: o.outcome?.kind ?? (r ? 'first' : 'none'),
      rate: rate && {
        intervalS: rate.intervalS,
        inBps: Math.round(rate.inBps),
        outBps: Math.round(rate.outBps),
        inUtilPct: +((rate.inBps / o.circuit.bandwidthBps) * 100).toFixed(2),
        outUtilPct: +((rate.outBps / o.circuit.bandwidthBps) * 100).toFixed(2),
      },
      note: o.result.error ?? (o.outcome && o.outcome.kind !== 'rate' ? o.outcome.reason : null),
    };
    if (json) console.log(JSON.stringify(line));
    else {
      const rateText = line.rate
        ? `in ${(line.rate.inBps / 1e6).toFixed(3)} Mbit/s (${line.rate.inUtilPct}%) out ${(line.rate.outBps / 1e6).toFixed(3)} Mbit/s (${line.rate.outUtilPct}%)`
        : line.outcome;
      console.log(
        `#${cycle} ${line.device} ${line.interface} [${line.circuit}/${line.end}] ${line.operStatus === 1 ? 'up' : 'down'} ${line.width}-bit ${rateText}${line.note ? ` (${line.note})` : ''}`,
      );
    }
  }
}
