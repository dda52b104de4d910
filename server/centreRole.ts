/**
 * `nms up` as the centre of a province (role: centre): the alarm engine, the
 * SLA ledger, reports and the console over what the city pollers publish.
 * It polls nothing itself. Its stream sources every poller's, and its
 * durable consumer acknowledges a batch only once the alarm service has
 * journaled what the batch changed, so a centre that stops picks up where
 * its journal is. It gives each poller its model (topology, share, rules).
 */
import { jetstream } from '@nats-io/jetstream';
import { openWriter } from '../collectors/collectionSetup.ts';
import type { NmsConfig } from '../shared/config/config.ts';
import { loadSecretSources } from '../shared/config/secretsFile.ts';
import { CENTRE_CONSUMER, CENTRE_STREAM, connectBus, ensureCentreStream, pollerStream } from '../shared/bus/busStreams.ts';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { PollerShare } from '../shared/config/config.ts';
import { pollerShare } from '../shared/bus/pollerShare.ts';
import { LiveState } from '../shared/live/liveState.ts';
import type { Logger } from '../shared/log.ts';
import { parseTopology } from '../shared/model/loader.ts';
import { readInputFile } from '../shared/input/validatedYaml.ts';
import { pollerModelOf, type PollerModel } from '../shared/bus/pollerModel.ts';
import { ModelService } from './bus/modelService.ts';
import type { Topology } from '../shared/model/topology.ts';
import type { AlarmService } from './alarms/alarmService.ts';
import { ObservationConsumer } from './bus/observationConsumer.ts';
import { PollerRegistry } from './bus/pollerRegistry.ts';
import { CENTRE_ALIVE_EVERY_MS, CENTRE_ALIVE_SUBJECT, type CentreAlive } from '../shared/bus/observationMessages.ts';
import type { DemoLogin } from './http/demoUsers.ts';
import type { WatchedPoller } from './alarms/rules/pollerSilentRule.ts';
import { influxQueryOf, openInfluxStore } from './influx/store.ts';
import { DailyDigests, DIGESTS_DIR } from './reports/dailyDigests.ts';
import { checkServing, startServing } from './serving.ts';
import { join } from 'node:path';

export interface RunningCentre {
  topology: Topology;
  live: LiveState;
  alarms: AlarmService;
  consumer: ObservationConsumer;
  pollers: PollerRegistry;
  /** The console; its generated logins when nms.yaml names no users (the demo). */
  console: { url: string; demoLogins: DemoLogin[] };
  stop(): Promise<void>;
}

/** @throws Error for pollers whose shares name unknown sites or overlap, an unreachable bus, or a part that fails to start. */
export async function startCentre(config: NmsConfig, env: NodeJS.ProcessEnv, log: Logger): Promise<RunningCentre> {
  const { centre, bus } = config;
  if (config.role !== 'centre' || !centre || !bus) throw new Error('startCentre needs role: centre with bus and centre settings');
  const topologyText = await readInputFile(config.topologyFile, 'topology file');
  const topology = parseTopology(topologyText, config.topologyFile);
  // Every device belongs to one poller at most: two would each raise its alarms.
  const owner = new Map<string, string>();
  const watched: WatchedPoller[] = centre.pollers.map((p) => {
    const share = pollerShare(topology, p.sites, `centre.pollers ${p.name}: sites`);
    for (const d of share.devices) {
      const other = owner.get(d);
      if (other) throw new Error(`centre.pollers: device ${d} is in the share of both ${other} and ${p.name}`);
      owner.set(d, p.name);
    }
    return { name: p.name, givenSites: p.sites, sites: [...share.sites], devices: [...share.devices], circuits: [...share.circuits] };
  });
  const secrets = await loadSecretSources(config.secretsFile, env);
  const { websocketHub, channels, onCall, basemap } = checkServing(config, topology, secrets);
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
    let silent = (_poller: string) => false;
    const registry = new PollerRegistry(watched, (p) => silent(p));
    const shortest = Math.min(
      ...topology.devices.filter((d) => owner.has(d.id)).map((d) => (config.collector.intervalSeconds ?? d.pollIntervalSeconds) * 1000),
    );
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
      basemap,
      pollIntervalMs: Number.isFinite(shortest) ? shortest : 60_000,
      inventory: async (id) => {
        throw new Error(`device ${id} is polled by poller ${owner.get(id) ?? '(none)'}; its inventory is read there`);
      },
      pollers: () => registry.statuses(),
      pushGate: (alarm, now) => registry.mayPush(alarm, now),
      stops,
    });
    // What each poller polls is the centre's: asked for over the bus.
    const models = new Map<string, PollerModel>(
      centre.pollers.map((p) => [p.name, pollerModelOf(config, { source: config.topologyFile, yaml: topologyText }, p.name, p.sites)]),
    );
    const modelService = new ModelService(nc, models, log.child('bus'));
    stops.push(async () => modelService.stop());
    const engine = serving.alarms.engine;
    engine.watchPollers(watched, Date.now());
    silent = (p) => engine.active().some((a) => a.kind === 'poller_silent' && a.subject.id === p);
    const backlog = watchBacklog(nc, centre.pollers, registry, log.child('bus'));
    stops.push(async () => clearInterval(backlog));
    // Core NATS, not stored: pollers with localAlarms push their city's alarms themselves when it stops.
    const beacon = setInterval(
      () => nc.publish(CENTRE_ALIVE_SUBJECT, JSON.stringify({ atMs: Date.now(), models: modelService.revisions() } satisfies CentreAlive)),
      CENTRE_ALIVE_EVERY_MS,
    );
    stops.push(async () => clearInterval(beacon));
    const consumer = new ObservationConsumer({
      js: jetstream(nc),
      stream: CENTRE_STREAM,
      durable: CENTRE_CONSUMER,
      live,
      log: log.child('bus'),
      // The alarm service evaluates and journals what the batch changed before the batch is acknowledged.
      settled: async () => void serving.alarms.evaluate(),
      onChange: () => void serving.alarms.evaluate(),
      heard: (m) => {
        registry.heard(m);
        engine.pollerHeard(m.poller, Date.now());
      },
      refuse: (m) => registry.refuse(m),
      onTrap: (t) => serving.alarms.observeTrap(t),
    });
    consumer.start();
    stops.push(() => consumer.stop());
    log.info(`centre: hearing ${centre.pollers.map((p) => p.name).join(', ')} on ${bus.servers.join(', ')}; ${owner.size} devices in their shares`);
    return {
      topology,
      live,
      alarms: serving.alarms,
      consumer,
      pollers: registry,
      console: { url: serving.api.url, demoLogins: serving.demo?.logins ?? [] },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** How often JetStream is asked how far behind each poller's stream is. */
const BACKLOG_EVERY_MS = 5000;

/** Each poller's backlog, as the centre's stream's sources count it (unknown while the source is away). */
function watchBacklog(nc: NatsConnection, pollers: readonly PollerShare[], registry: PollerRegistry, log: Logger): NodeJS.Timeout {
  let warned = false;
  const ask = async () => {
    try {
      const info = await (await jetstreamManager(nc)).streams.info(CENTRE_STREAM);
      for (const p of pollers) {
        const source = info.sources?.find((s) => s.name === pollerStream(p.name));
        // A source not seen lately has a lag from then, not now.
        registry.setBacklog(p.name, source && source.active >= 0 && source.active < 2 * BACKLOG_EVERY_MS * 1e6 ? source.lag : null);
      }
      warned = false;
    } catch (err) {
      if (!warned) log.warn(`bus: asking JetStream for the pollers' backlog: ${(err as Error).message}`);
      warned = true;
    }
  };
  const timer = setInterval(() => void ask(), BACKLOG_EVERY_MS);
  void ask();
  return timer;
}
