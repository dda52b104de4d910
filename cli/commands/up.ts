import { ProgressBar } from '../render/progressBar.ts';
import { EXIT, type Command } from '../command.ts';
import { loadConfig } from '../../shared/config/config.ts';
import { consoleLogger } from '../../shared/log.ts';
import { formatRate } from '../../shared/model/units.ts';
import { waitForSignal } from '../signals.ts';
import { announceProcess } from '../nmsProcess.ts';
import type { NmsConfig } from '../../shared/config/config.ts';
import type { Logger } from '../../shared/log.ts';
// The product itself is imported when it is started: every other nms command (and --help) would otherwise load all of it first, seconds each time.
import type { Collector } from '../../collectors/collector.ts';
import type { CircuitProber } from '../../collectors/probe/circuitProber.ts';

/** A city poller or the province's centre (role in nms.yaml), until Ctrl-C or SIGTERM, or once through with --check. */
async function runRole(config: NmsConfig, check: boolean, log: Logger): Promise<number> {
  // SIGHUP would end the process without its clean-up: said, not obeyed.
  process.on('SIGHUP', () =>
    log.warn(`SIGHUP: reload is for role all; ${config.role === 'poller' ? 'a city poller follows its centre’s model by itself' : 'a centre takes a restart'}`),
  );
  if (config.role === 'poller') return runPoller(config, check, log);
  const { startCentre } = await import('../../server/centreRole.ts');
  const running = await startCentre(config, process.env, log);
  console.log(`nms is up as the centre: hearing ${config.centre!.pollers.map((p) => p.name).join(', ')}; console ${running.console.url}`);
  if (check) {
    // The centre started: its bus, its streams and consumer, InfluxDB and the console. What it has heard so far, for the record.
    await new Promise((r) => setTimeout(r, 2000));
    for (const p of running.pollers.statuses())
      console.log(
        `  poller ${p.name}: ${p.devicesOwned} devices, ${p.circuitsOwned} circuits; ${p.lastHeardAtMs === null ? 'not heard yet' : `heard, lag ${Math.round((p.lagMs ?? 0) / 1000)} s`}`,
      );
    await running.stop();
    console.log('nms: check passed: the centre started and stopped');
    return EXIT.ok;
  }
  console.log('Press Ctrl-C to stop.');
  const signal = await waitForSignal((again) => log.warn(`${again}: already stopping; waiting for the clean-up to finish`));
  log.info(`${signal}: stopping`);
  await running.stop();
  return EXIT.ok;
}

/** A city poller; when the centre's beacon names a new model for it, it stops and starts again on that. */
async function runPoller(config: NmsConfig, check: boolean, log: Logger): Promise<number> {
  const { MODEL_WAIT_MS, startPoller } = await import('../../server/pollerRole.ts');
  const start = async () => {
    const running = await startPoller(config, process.env, log, check ? CHECK_MODEL_WAIT_MS : MODEL_WAIT_MS);
    console.log(
      `nms is up as poller ${running.name}: ${running.share.devices.size} devices, ${running.share.circuits.size} circuits (the centre's model, revision ${running.model.model.revision}${running.model.from === 'cache' ? ', kept from its last answer' : ''}), publishing to ${config.bus!.servers.join(', ')}${running.alarms ? '; pushes its own alarms while the centre is away' : ''}`,
    );
    return running;
  };
  let running = await start();
  if (check) {
    const r = running;
    return checkPolling(r.collector, r.prober, async () => {
      // What was polled must also have reached the bus (the poller's own JetStream, or its leaf node).
      const flushed = await Promise.race([
        r.publisher.flushed().then(() => true),
        new Promise<boolean>((res) => setTimeout(() => res(false), CHECK_BUS_TIMEOUT_MS)),
      ]);
      const queued = r.publisher.stats.queued;
      await r.stop();
      return flushed ? null : `${queued} observations not stored by JetStream after ${CHECK_BUS_TIMEOUT_MS / 1000} s`;
    });
  }
  console.log('Press Ctrl-C to stop.');
  const signal = waitForSignal((again) => log.warn(`${again}: already stopping; waiting for the clean-up to finish`));
  for (;;) {
    const next = await Promise.race([signal.then((s) => ({ signal: s })), running.modelChanged.then((revision) => ({ revision }))]);
    if ('signal' in next) {
      log.info(`${next.signal}: stopping`);
      await running.stop();
      return EXIT.ok;
    }
    log.warn(
      `the centre's model for poller ${running.name} is now revision ${next.revision} (running ${running.model.model.revision}): starting again with it`,
    );
    await running.stop();
    running = await start();
  }
}

/** A check does not wait long for a centre that is not there. */
const CHECK_MODEL_WAIT_MS = 30_000;

/** Calibrating a device whose counters are refreshed on a timer takes up to 8.5 s; a dead one costs its timeouts. */
const CHECK_POLL_TIMEOUT_MS = 45_000;
const CHECK_BUS_TIMEOUT_MS = 15_000;

/**
 * Polls every device once; then, once `stop` has run, says what could not
 * be polled or probed (or what `stop` found wrong). The exit code for --check.
 */
async function checkPolling(collector: Collector, prober: CircuitProber, stop: () => Promise<string | null>): Promise<number> {
  // Every device must answer once: a device that cannot be polled at all fails the check.
  const polled = await collector.pollEachOnce(CHECK_POLL_TIMEOUT_MS);
  const failure = await stop();
  const problems = [...collector.unpollable.values(), ...[...polled.values()].filter((e): e is string => e !== null)];
  const configured = collector.pollers.size + collector.unpollable.size;
  const unprobed = [...prober.unprobed.values()];
  if (problems.length) console.error(`nms: check failed: ${problems.length} of ${configured} devices cannot be polled:\n  ${problems.join('\n  ')}`);
  if (unprobed.length)
    console.error(`nms: check failed: ${unprobed.length} of ${prober.probedCount + unprobed.length} circuits cannot be probed:\n  ${unprobed.join('\n  ')}`);
  if (failure) console.error(`nms: check failed: ${failure}`);
  if (problems.length || unprobed.length || failure) return EXIT.failed;
  console.log(`nms: check passed: all ${configured} devices answered; stopped`);
  return EXIT.ok;
}

export const upCommand: Command = {
  summary: 'bring the product up: validated model, InfluxDB (managed by default), demo network',
  usage: `Usage: nms up [--config FILE] [--role all|poller|centre] [--check]

Loads and validates the network model, starts the managed InfluxDB (Debian's
influxd, on loopback, data under var/) unless influx.url is configured, and
creates the database, retention policies and rollups. On the embedded
defaults it also starts the simulated network (see nms sim) as the demo.
Then the pollers, and the alarms: the trap receiver, the alarm engine, and
the push channels configured under alarms.channels.
Runs until Ctrl-C or SIGTERM, then stops everything it started.

Options:
  --config FILE   configuration file (default: nms.yaml if present, else built-in defaults)
  --role ROLE     refuse to start unless the configuration is this role (all,
                  poller or centre; the role itself is chosen in nms.yaml), so a
                  city's service cannot start a centre from the wrong file
  --check         start, poll every device once, report, and stop (a smoke test;
                  fails, naming them, if any configured device cannot be polled);
                  a poller polls its share once, a centre starts and stops

Environment:
  NMS_CONFIG       configuration file, as --config
  NMS_INFLUX_URL   use this InfluxDB instead of the managed one
  NMS_DATA_DIR     where the managed InfluxDB, the spool and the alarm journal live (default: var)`,
  options: {
    config: { type: 'string' },
    role: { type: 'string' },
    check: { type: 'boolean' },
  },
  maxPositionals: 0,
  async run({ values }) {
    const log = consoleLogger('nms');
    const config = await loadConfig({ explicitFile: values.config as string | undefined, env: process.env, cwd: process.cwd() });
    const role = values.role as string | undefined;
    if (role !== undefined && role !== config.role) {
      console.error(
        `nms up --role ${role}: ${config.file ?? 'the embedded defaults'} ${config.file ? `is role ${config.role}` : 'are role all'}${['all', 'poller', 'centre'].includes(role) ? '' : ' (roles: all, poller, centre)'}`,
      );
      return EXIT.usage;
    }
    if (config.role !== 'all') return runRole(config, Boolean(values.check), log);
    const { startProduct } = await import('../../server/runtime.ts');
    let bar: ProgressBar | null = null;
    // A first start writes a month of history; Ctrl-C then stops it cleanly, managed influxd included.
    const starting = new AbortController();
    const stopEarly = (signal: NodeJS.Signals) => {
      log.warn(`${signal} while starting: stopping`);
      starting.abort();
    };
    process.on('SIGINT', stopEarly);
    process.on('SIGTERM', stopEarly);
    let product: Awaited<ReturnType<typeof startProduct>>;
    try {
      product = await startProduct(config, process.env, log, {
        abort: starting.signal,
        history: !values.check,
        historyProgress: (doneMs, totalMs) => {
          if (!bar) {
            console.error(
              `nms: first start: writing ${Math.round(totalMs / 86_400_000)} days of simulated history, so charts and reports have something to show`,
            );
            bar = new ProgressBar(Math.round(totalMs / 3_600_000), 'simulated hours');
          }
          bar.update(Math.round(doneMs / 3_600_000));
        },
      });
    } catch (err) {
      if (starting.signal.aborted) {
        log.info((err as Error).message);
        return EXIT.ok;
      }
      throw err;
    } finally {
      process.off('SIGINT', stopEarly);
      process.off('SIGTERM', stopEarly);
    }
    if (starting.signal.aborted) {
      await product.stop();
      return EXIT.ok;
    }
    const t = product.topology;
    const counties = t.sites.filter((s) => s.level === 'county').length;
    const total = t.circuits.reduce((s, c) => s + c.bandwidthBps, 0);
    console.log(
      [
        `nms is up: ${t.network.name.zh} (${t.network.name.en})`,
        `  model     ${config.topologyFile}: ${t.sites.length} sites (${counties} county-level), ${t.devices.length} devices, ${t.circuits.length} circuits, ${formatRate(total)} contracted`,
        `  influxdb  ${product.store.mode === 'embedded' ? 'managed' : 'external'} ${product.store.description}${product.store.embedded ? `, pid ${product.store.embedded.pid}, data in ${config.dataDir}` : ''}`,
        product.simulation
          ? `  network   simulated: ${product.simulation.simulator.agents.size} SNMP agents on 127.0.0.1, speed ${product.simulation.simulator.clock.speed}×, control ${product.simulation.control.url}`
          : '  network   real (no simulator)',
        `  alarms    traps on udp ${config.alarms.trapAddress}:${config.alarms.trapPort}; ${config.alarms.channels.length ? `pushes to ${config.alarms.channels.map((c) => c.name).join(', ')}` : 'no push channels configured (alarms.channels in nms.yaml)'}; ${product.alarms.engine.active().length} active`,
        `  console   ${product.console.url}${product.console.demoLogins.length ? ` (demo login: ${product.console.demoLogins.map((l) => `${l.username} / ${l.password} as ${l.role}`).join(', ')})` : ''}`,
        `  quality   ${product.prober.probedCount} circuits probed ${product.simulation ? 'by UDP echo to the simulated devices' : 'by ICMP echo (fping)'}${config.collector.probeIntervalSeconds ? `, a round every ${config.collector.probeIntervalSeconds} s` : ', 20 echoes a minute unless topology.yaml says otherwise'}${product.prober.unprobed.size ? `; ${product.prober.unprobed.size} cannot be probed (see the log)` : ''}`,
        `  polling   ${product.collector.pollers.size} devices${config.collector.intervalSeconds ? ` every ${config.collector.intervalSeconds} s` : ' at their topology.yaml intervals'}${product.collector.unpollable.size ? `; ${product.collector.unpollable.size} cannot be polled (see the log)` : ''}`,
      ].join('\n'),
    );
    if (values.check) {
      return checkPolling(product.collector, product.prober, async () => {
        await product.stop();
        return null;
      });
    }
    // `nms reload` finds this process by its pid file and sends SIGHUP.
    const unannounce = announceProcess(config.dataDir);
    const onHangUp = () => void product.reload();
    process.on('SIGHUP', onHangUp);
    console.log('To apply edits of topology.yaml and nms.yaml: nms reload (or SIGHUP).\nPress Ctrl-C to stop.');
    const signal = await waitForSignal((again) => log.warn(`${again}: already stopping; waiting for the clean-up to finish`));
    log.info(`${signal}: stopping`);
    process.off('SIGHUP', onHangUp);
    await product.stop();
    unannounce();
    return EXIT.ok;
  },
};
