/**
 * `nms up` as a city's poller (role: poller): it polls and probes the
 * devices and circuits of its sites, receives their traps, writes samples
 * to InfluxDB through the spooling writer (which rides out an InfluxDB
 * outage on disk), and publishes every change of state and every trap to
 * its own JetStream stream for the centre. Samples do not go over the bus: InfluxDB's write path already
 * batches, spools and replays them, and the bus then carries only what the
 * centre decides on, a few hundred bytes a change. What it polls (the
 * topology, its share, the rules) it is given by the centre over the bus.
 */
import type { Collector } from '../collectors/collector.ts';
import { openWriter } from '../collectors/collectionSetup.ts';
import { ObservationPublisher } from '../collectors/bus/observationPublisher.ts';
import type { CircuitProber } from '../collectors/probe/circuitProber.ts';
import { startPolling } from '../collectors/pollingSetup.ts';
import { simulatorTrapsTo, startTrapReceiving } from '../collectors/traps/trapSetup.ts';
import type { TrapReceiver } from '../collectors/traps/trapReceiver.ts';
import type { NmsConfig } from '../shared/config/config.ts';
import { demoCredentialSources } from '../shared/config/demoCredentials.ts';
import { loadSecretSources } from '../shared/config/secretsFile.ts';
import { connectBus, ensurePollerStream } from '../shared/bus/busStreams.ts';
import { pollerShare } from '../shared/bus/pollerShare.ts';
import { jetstream } from '@nats-io/jetstream';
import { LiveState } from '../shared/live/liveState.ts';
import type { Logger } from '../shared/log.ts';
import { parseTopology } from '../shared/model/loader.ts';
import { fetchCentreModel, type FetchedModel } from '../collectors/bus/centreModel.ts';
import type { Topology } from '../shared/model/topology.ts';
import { startSimulation, type RunningSimulation } from '../sim/startSimulation.ts';
import { openInfluxStore } from './influx/store.ts';
import { alarmChannels, startAlarmHalf } from './alarms/alarmSetup.ts';
import type { AlarmService } from './alarms/alarmService.ts';
import { CENTRE_ALIVE_EVERY_MS, CENTRE_ALIVE_SUBJECT, decodeCentreAlive } from '../shared/bus/observationMessages.ts';
import type { NatsConnection } from '@nats-io/transport-node';

export interface RunningPoller {
  name: string;
  /** The centre's model it runs, and whether it came from the centre now or from disk. */
  model: FetchedModel;
  /** Resolves when the centre's beacon names another revision of this poller's model: stop, and start again. */
  modelChanged: Promise<string>;
  topology: Topology;
  share: ReturnType<typeof pollerShare>;
  simulation: RunningSimulation | null;
  collector: Collector;
  prober: CircuitProber;
  /** The city's traps, for its share's devices. */
  traps: TrapReceiver;
  live: LiveState;
  publisher: ObservationPublisher;
  /** Its own alarms (poller.localAlarms), pushed while the centre is away. */
  alarms: AlarmService | null;
  stop(): Promise<void>;
}

/** How long `nms up` waits for a model when neither the centre nor the disk has one: a poller has nothing to do without. */
export const MODEL_WAIT_MS = 24 * 3600_000;

/**
 * @param modelWaitMs how long to wait for the centre's model when none is kept on disk.
 * @throws Error for an unreachable bus, no model from the centre in time, a model naming
 * unknown sites, or a part that fails to start (the parts started are stopped).
 */
export async function startPoller(local: NmsConfig, env: NodeJS.ProcessEnv, log: Logger, modelWaitMs = MODEL_WAIT_MS): Promise<RunningPoller> {
  const { poller, bus } = local;
  if (local.role !== 'poller' || !poller || !bus) throw new Error('startPoller needs role: poller with bus and poller settings');
  const secrets = await loadSecretSources(local.secretsFile, env);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((err: Error) => log.error(`stopping: ${err.message}`));
  };
  try {
    const nc = await connectBus(bus.servers, `nms-poller-${poller.name}`);
    stops.push(() => nc.drain());
    const fetched = await fetchCentreModel(nc, poller.name, local.dataDir, log, modelWaitMs);
    const { model } = fetched;
    const topology = parseTopology(model.topology.yaml, `${model.topology.source} (the centre's, revision ${model.revision})`);
    const share = pollerShare(topology, model.sites, `the centre's model of poller ${poller.name}: sites`);
    const config: NmsConfig = { ...local, collector: model.collector, alarms: { ...local.alarms, ...model.alarms } };
    await ensurePollerStream(nc, poller.name, bus.domain);
    const store = await openInfluxStore(config.influx, config.dataDir, secrets, log.child('influx'));
    stops.push(() => store.close());
    const sources = config.simulator.enabled ? await demoCredentialSources(topology, secrets, config.dataDir, log.child('sim')) : secrets;
    // The city's traps: to the centre on the bus, and to its own alarm half.
    const heardTraps: { publisher?: ObservationPublisher; alarms?: AlarmService | null } = {};
    const traps = await startTrapReceiving({
      config,
      topology,
      sources,
      devices: share.devices,
      log: log.child('traps'),
      onTrap: (t) => {
        heardTraps.publisher?.trap(t);
        heardTraps.alarms?.observeTrap(t);
      },
    });
    stops.push(() => traps.receiver.close());
    let simulation: RunningSimulation | null = null;
    if (config.simulator.enabled) {
      // The demo city answers for its own routers, and the far ends its circuits are probed at.
      const farEnds = topology.circuits.flatMap((c) => (share.circuits.has(c.id) && c.z.kind === 'device' ? [c.z.deviceId] : []));
      simulation = await startSimulation({ ...config.simulator, trapTo: simulatorTrapsTo(config) }, topology, sources, log.child('sim'), {
        answering: new Set([...share.devices, ...farEnds]),
      });
      stops.push(() => simulation!.stop());
    }
    const writer = await openWriter(store.sink, store.v1, config.dataDir, log.child('writer'));
    stops.push(() => writer.close());
    const live = new LiveState();
    // Subscribed before the first poll, so the centre hears every change.
    const upSinceMs = Date.now();
    const publisher = new ObservationPublisher(jetstream(nc, bus.domain ? { domain: bus.domain } : {}), poller.name, live, log.child('bus'), {
      intervalMs: poller.heartbeatSeconds * 1000,
      health: () => ({
        upSinceMs,
        devices: share.devices.size,
        circuits: share.circuits.size,
        spooledPoints: writer.stats.spooledPoints,
        localAlarms: poller.localAlarms,
      }),
    });
    const centre = hearCentre(nc, poller.name, model.revision);
    stops.push(async () => centre.stop());
    let alarms: AlarmService | null = null;
    if (poller.localAlarms) {
      alarms = startAlarmHalf(
        { config, topology, live, log, ...alarmChannels(config, secrets), stops },
        {
          pushGate: (alarm, now) => {
            if (!centre.awayAt(now)) return false;
            // Raised before the centre went quiet: the centre heard of it, and pushed it.
            if (alarm.raisedAtMs < centre.lastHeardAtMs - 2 * CENTRE_ALIVE_EVERY_MS) return false;
            publisher.pushed({ alarmKey: alarm.key, startedAtMs: alarm.startedAtMs, atMs: now });
            return true;
          },
        },
      ).alarms;
    }
    Object.assign(heardTraps, { publisher, alarms });
    stops.push(async () => {
      await Promise.race([publisher.flushed(), new Promise((r) => setTimeout(r, 2000))]);
      publisher.stop();
    });
    const { collector, prober } = startPolling({
      config,
      topology,
      sources,
      live,
      writer,
      log,
      share,
      ...(simulation ? { simulated: simulation.simulator.endpoints() } : {}),
    });
    traps.attach(collector);
    stops.push(() => collector.stop());
    stops.push(() => prober.stop());
    log.info(
      `poller ${poller.name}: ${share.devices.size} devices and ${share.circuits.size} circuits of ${model.sites.join(', ')} (the centre's model, revision ${model.revision}${fetched.from === 'cache' ? ', from disk' : ''}), publishing to ${bus.servers.join(', ')}${bus.domain ? ` (JetStream domain ${bus.domain})` : ''}`,
    );
    return {
      name: poller.name,
      model: fetched,
      modelChanged: centre.modelChanged,
      topology,
      share,
      simulation,
      collector,
      prober,
      traps: traps.receiver,
      live,
      publisher,
      alarms,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Its centre unheard for this long, a poller with localAlarms is alone. */
const ALONE_AFTER_MS = 15_000;

/**
 * When the centre was last heard on the bus (a core NATS beacon, through the
 * poller's leaf node), and whether it names another model for this poller.
 */
function hearCentre(nc: NatsConnection, poller: string, revision: string) {
  const state = { lastHeardAtMs: Date.now() };
  let changed: (revision: string) => void = () => undefined;
  const modelChanged = new Promise<string>((r) => (changed = r));
  const sub = nc.subscribe(CENTRE_ALIVE_SUBJECT, {
    callback: (_err, msg) => {
      const alive = decodeCentreAlive(msg.data);
      if (!alive) return;
      state.lastHeardAtMs = Date.now();
      const named = alive.models[poller];
      if (named && named !== revision) changed(named);
    },
  });
  return {
    get lastHeardAtMs() {
      return state.lastHeardAtMs;
    },
    modelChanged,
    awayAt: (now: number) => now - state.lastHeardAtMs >= ALONE_AFTER_MS,
    stop: () => sub.unsubscribe(),
  };
}
