/**
 * `nms up` as the centre of a province (role: centre): the alarm engine, the
 * SLA ledger, reports and the console over what the city pollers publish.
 * It polls nothing itself. Its stream sources every poller's, and its
 * durable consumer acknowledges a batch only once the alarm service has
 * journaled what the batch changed, so a centre that stops picks up where
 * its journal is.
 */
import { jetstream } from '@nats-io/jetstream';
import { openWriter } from '../collectors/collectionSetup.ts';
import type { NmsConfig } from '../shared/config/config.ts';
import { loadSecretSources } from '../shared/config/secretsFile.ts';
import { CENTRE_CONSUMER, CENTRE_STREAM, connectBus, ensureCentreStream } from '../shared/bus/busStreams.ts';
import { pollerShare } from '../shared/bus/pollerShare.ts';
import { LiveState } from '../shared/live/liveState.ts';
import type { Logger } from '../shared/log.ts';
import { loadTopology } from '../shared/model/loader.ts';
import type { Topology } from '../shared/model/topology.ts';
import type { AlarmService } from './alarms/alarmService.ts';
import { ObservationConsumer } from './bus/observationConsumer.ts';
import { influxQueryOf, openInfluxStore } from './influx/store.ts';
import { DailyDigests, DIGESTS_DIR } from './reports/dailyDigests.ts';
import { checkServing, startServing } from './serving.ts';
import { join } from 'node:path';

export interface RunningCentre {
  topology: Topology;
  live: LiveState;
  alarms: AlarmService;
  consumer: ObservationConsumer;
  console: { url: string };
  stop(): Promise<void>;
}

/** @throws Error for pollers whose shares name unknown sites or overlap, an unreachable bus, or a part that fails to start. */
export async function startCentre(config: NmsConfig, env: NodeJS.ProcessEnv, log: Logger): Promise<RunningCentre> {
  const { centre, bus } = config;
  if (config.role !== 'centre' || !centre || !bus) throw new Error('startCentre needs role: centre with bus and centre settings');
  const topology = await loadTopology(config.topologyFile);
  // Every device belongs to one poller at most: two would each raise its alarms.
  const owner = new Map<string, string>();
  for (const p of centre.pollers) {
    for (const d of pollerShare(topology, p.sites).devices) {
      const other = owner.get(d);
      if (other) throw new Error(`centre.pollers: device ${d} is in the share of both ${other} and ${p.name}`);
      owner.set(d, p.name);
    }
  }
  const secrets = await loadSecretSources(config.secretsFile, env);
  const { websocketHub, channels, onCall } = checkServing(config, topology, secrets);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((err: Error) => log.error(`stopping: ${err.message}`));
  };
  try {
    const nc = await connectBus(bus.servers, 'nms-centre');
    stops.push(() => nc.drain());
    await ensureCentreStream(nc, centre.pollers, bus.replicas);
    const store = await openInfluxStore(config.influx, config.dataDir, secrets, log.child('influx'));
    stops.push(() => store.close());
    const influxQuery = influxQueryOf(store);
    const digests = influxQuery ? new DailyDigests(influxQuery, join(config.dataDir, DIGESTS_DIR)) : null;
    const writer = await openWriter(store.sink, store.v1, config.dataDir, log.child('writer'), 'spool-centre');
    stops.push(() => writer.close());
    const live = new LiveState();
    const shortest = Math.min(...topology.devices.filter((d) => owner.has(d.id)).map((d) => (config.collector.intervalSeconds ?? d.pollIntervalSeconds) * 1000));
    const serving = await startServing({
      config,
      topology,
      log,
      channels,
      onCall,
      writer,
      websocketHub,
      influxQuery,
      digests,
      live,
      pollIntervalMs: Number.isFinite(shortest) ? shortest : 60_000,
      inventory: async (id) => {
        throw new Error(`device ${id} is polled by poller ${owner.get(id) ?? '(none)'}; its inventory is read there`);
      },
      stops,
    });
    const consumer = new ObservationConsumer({
      js: jetstream(nc),
      stream: CENTRE_STREAM,
      durable: CENTRE_CONSUMER,
      live,
      log: log.child('bus'),
      // The alarm service evaluates and journals what the batch changed before the batch is acknowledged.
      settled: async () => void serving.alarms.evaluate(),
      onChange: () => void serving.alarms.evaluate(),
    });
    consumer.start();
    stops.push(() => consumer.stop());
    log.info(`centre: hearing ${centre.pollers.map((p) => p.name).join(', ')} on ${bus.servers.join(', ')}; ${owner.size} devices in their shares`);
    return { topology, live, alarms: serving.alarms, consumer, console: { url: serving.api.url }, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
