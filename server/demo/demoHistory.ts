/**
 * The demo's month before its first start. A fresh `nms up` on the embedded
 * defaults would show empty charts and reports for a day; instead the
 * simulated network is run over the last N days on a clock moved by hand,
 * five minutes a step, and the product's own collector, alarm service and
 * SLA ledger follow it into the same store and alarm folder the live
 * product then uses. Never in production, never over data already there.
 *
 * The devices are read in process (collectors/snmp/inProcessClient.ts):
 * through UDP and BER a month of the demo city takes a quarter of an hour.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InfluxDB } from 'influx';
import { Collector } from '../../collectors/collector.ts';
import { REAL_REFRESH_DETECTION } from '../../collectors/poll/devicePoller.ts';
import { credentialsFor } from '../../collectors/collectionSetup.ts';
import { InProcessClient } from '../../collectors/snmp/inProcessClient.ts';
import type { SpoolingWriter } from '../../collectors/write/spoolingWriter.ts';
import type { NmsConfig } from '../../shared/config/config.ts';
import { execute, type InfluxTarget } from '../../shared/influx/connection.ts';
import { LiveState } from '../../shared/live/liveState.ts';
import { consoleLogger, type Logger } from '../../shared/log.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { rollupBackfill } from '../../shared/schema/rollups.ts';
import type { SecretSources } from '../../shared/secret.ts';
import { ManualClock } from '../../sim/clock.ts';
import { historyTimeline } from '../../sim/scenario/historyTimeline.ts';
import { Simulator } from '../../sim/simulator.ts';
import { AlarmJournal } from '../alarms/alarmJournal.ts';
import { ALARMS_DIR, alarmRulesOf } from '../alarms/alarmSetup.ts';
import { AlarmService } from '../alarms/alarmService.ts';
import { OutageLedger } from '../alarms/outageLedger.ts';
import { DeliveryQueue } from '../notifiers/deliveryQueue.ts';

/** Where the history's progress is kept, in the simulator's state folder. */
export const HISTORY_FILE = 'history.json';
/** The simulator's ground truth of the history, beside the live one's. */
export const HISTORY_TRUTH_DIR = 'history-truth';
/** What the collector and alarms said while the month was written. */
export const HISTORY_LOG = 'history.log';

const STEP_MS = 300_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface HistoryRecord {
  state: 'writing' | 'done';
  fromMs: number;
  toMs: number;
  polls?: number;
  faults?: number;
}

export interface DemoHistoryInput {
  config: NmsConfig;
  topology: Topology;
  /** Credentials, the demo's included. */
  sources: SecretSources;
  writer: SpoolingWriter;
  v1: { target: InfluxTarget; client: InfluxDB };
  log: Logger;
  /** Told as the month goes by: simulated ms done of the whole. */
  progress: (doneMs: number, totalMs: number) => void;
  /** Told which stretch had its rollups rebuilt (report digests of those days are stale). */
  onRollupsRebuilt: (fromMs: number, toMs: number) => void;
  now?: () => number;
  /** Stops the writing between two steps (Ctrl-C during the first start); the next start writes it again. */
  abort?: AbortSignal;
}

export interface DemoHistoryResult {
  fromMs: number;
  toMs: number;
  polls: number;
  faults: number;
  /** Real ms taken. */
  tookMs: number;
}

/** Whether this start writes the history: the embedded defaults' demo, asked for, on a data folder with none. */
export function historyWanted(config: NmsConfig): boolean {
  return config.simulator.enabled && !config.production && config.influx.mode === 'embedded' && config.simulator.historyDays > 0;
}

/**
 * Writes the history unless it is there already. A start that was cut off
 * while writing it leaves a record saying so: what it wrote is removed and
 * the month written again, so nothing is half there.
 * @returns what was written, or null when nothing was (already there, or the folder has a live past).
 */
export async function writeDemoHistory(i: DemoHistoryInput): Promise<DemoHistoryResult | null> {
  const { config, topology, log } = i;
  const recordFile = join(config.simulator.stateDir, HISTORY_FILE);
  const alarmsDir = join(config.dataDir, ALARMS_DIR);
  const db = i.v1.target.database;
  const earlier = await readRecord(recordFile);
  if (earlier?.state === 'done') return null;
  if (earlier?.state === 'writing') {
    log.warn(
      `an earlier start was stopped while writing the demo history; removing what it wrote (${iso(earlier.fromMs)} – ${iso(earlier.toMs)}) and writing it again`,
    );
    await execute(i.v1.client, `DELETE WHERE time >= ${earlier.fromMs}ms AND time <= ${earlier.toMs + STEP_MS}ms`, db);
    await rm(alarmsDir, { recursive: true, force: true });
  } else if (existsSync(alarmsDir)) {
    // Alarms of its own already: this folder has been live, and its past is real to it.
    return null;
  }
  const began = Date.now();
  const now = (i.now ?? Date.now)();
  const toMs = Math.floor(now / STEP_MS) * STEP_MS;
  const fromMs = toMs - config.simulator.historyDays * DAY_MS;
  await mkdir(config.simulator.stateDir, { recursive: true });
  await writeRecord(recordFile, { state: 'writing', fromMs, toMs });

  // The month's own log (devices cut off by its outages, say) is kept apart: it is not this start's news.
  const historyLog = createWriteStream(join(config.simulator.stateDir, HISTORY_LOG));
  const quiet = consoleLogger('history', (line) => historyLog.write(`${line}\n`));
  const clock = new ManualClock(fromMs - STEP_MS);
  const sim = await Simulator.start({
    topology,
    secrets: i.sources,
    log: quiet,
    truthDir: join(config.simulator.stateDir, HISTORY_TRUTH_DIR),
    truthTraffic: config.simulator.historyTruth,
    seed: config.simulator.seed,
    basePort: 0,
    clock,
  });
  const live = new LiveState();
  const collector = new Collector({
    topology,
    endpoints: new Map(Object.entries(sim.endpoints()).map(([id, e]) => [id, { host: e.host, port: e.port }])),
    credentials: credentialsFor(topology, i.sources),
    production: false,
    sink: i.writer,
    live,
    log: quiet,
    now: () => clock.current,
    intervalMs: STEP_MS,
    // The agents' sysUpTime follows the hand-moved clock, so timing their refresh in real time tells nothing.
    refreshDetection: { ...REAL_REFRESH_DETECTION, enabled: false },
    clientFor: (id) => new InProcessClient(`device ${id}`, sim.agents.get(id)!),
  });
  const journal = AlarmJournal.open(alarmsDir, quiet);
  // Polled every five minutes, not at the topology's intervals: silence is a gap only past three steps.
  const ledger = OutageLedger.open(alarmsDir, topology, quiet, 3 * STEP_MS);
  // No channels: a month of past alarms is never pushed to anyone on call.
  const alarms = new AlarmService({
    topology,
    rules: alarmRulesOf(config),
    journal,
    delivery: new DeliveryQueue([], journal, quiet),
    live,
    log: quiet,
    notice: { language: config.alarms.language, consoleUrl: config.alarms.consoleUrl },
    ledger,
    now: () => clock.current,
    tickMs: HOUR_MS,
  });
  const pending = historyTimeline(topology, fromMs, toMs, config.simulator.seed);
  const faults = pending.length;
  let polls = 0;
  let delivering: Promise<void> = Promise.resolve();
  // Continuous queries roll up only the last hours; the month's rollups are built here, a day at a time.
  const rollUp = async (from: number, to: number) => {
    for (const statement of rollupBackfill(db, new Date(from), new Date(to))) await execute(i.v1.client, statement, db);
    i.onRollupsRebuilt(from, to);
  };
  let rolling: Promise<void> = Promise.resolve();
  let rolledTo = Math.floor((fromMs - STEP_MS) / HOUR_MS) * HOUR_MS;
  alarms.start();
  try {
    for (let t = fromMs - STEP_MS; t <= toMs; t += STEP_MS) {
      if (i.abort?.aborted) throw new HistoryStopped();
      while (pending.length && pending[0]!.atMs <= t) {
        const f = pending.shift()!;
        clock.current = f.atMs;
        const checked = sim.check(f.fault);
        if (!checked.ok) throw new Error(`demo history: fault ${JSON.stringify(f.fault)}: ${checked.error}`);
        sim.inject(checked.fault);
      }
      clock.current = t;
      await collector.pollAll();
      polls++;
      alarms.evaluate();
      if (t % HOUR_MS === 0) {
        ledger.checkpoint(t);
        // An hour is written while the next is simulated (influxd has a core of its own), and no more is held in memory.
        await delivering;
        delivering = i.writer.flush();
        // Likewise a day's rollups, built while the next day is simulated: in sequence they would double the wait.
        if (t - rolledTo >= DAY_MS) {
          const [from, to] = [rolledTo, t];
          await rolling;
          rolling = delivering.then(() => rollUp(from, to));
          rolledTo = t;
        }
        i.progress(t - fromMs, toMs - fromMs);
      }
      // The in-process reads never wait, so without this no write's reply would be read until the month was over.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await i.writer.flush();
    await rolling;
    await rollUp(rolledTo, toMs + STEP_MS);
  } finally {
    // Stopped half-way, a day's rollups may still be running; what they left is removed with the rest next time.
    await rolling.catch(() => undefined);
    alarms.stop();
    await collector.stop();
    await sim.stop();
    journal.close();
    ledger.close();
    await new Promise((done) => historyLog.end(done));
  }
  i.progress(toMs - fromMs, toMs - fromMs);
  await writeRecord(recordFile, { state: 'done', fromMs, toMs, polls, faults });
  return { fromMs, toMs, polls, faults, tookMs: Date.now() - began };
}

/** The history was stopped before it was whole; its record says so, and the next start writes it again. */
export class HistoryStopped extends Error {
  constructor() {
    super('stopped while writing the demo history; the next start writes it again');
    this.name = 'HistoryStopped';
  }
}

async function readRecord(file: string): Promise<HistoryRecord | null> {
  try {
    const r = JSON.parse(await readFile(file, 'utf8')) as HistoryRecord;
    return r.state === 'done' || r.state === 'writing' ? r : null;
  } catch {
    return null;
  }
}

async function writeRecord(file: string, record: HistoryRecord): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(record)}\n`);
  await rename(`${file}.tmp`, file);
}

const iso = (ms: number) => new Date(ms).toISOString();
