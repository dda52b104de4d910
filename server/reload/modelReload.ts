/**
 * The second half of `nms reload` (role all): a checked model applied to
 * every running part in one step, in the order that leaves no gap. The
 * trap receiver first, so a new device's traps are heard from its first
 * poll; the collector, whose kept devices keep their turns and baselines;
 * then the prober, the live state, the SLA ledger, the alarm engine and
 * planned work; last the console, told over its WebSocket to load the
 * model again. History stays where it is, kept by circuit id: a circuit
 * taken out and put back has its charts, outages and reports back.
 *
 * Reloads are checked and applied one at a time; what each did is kept in
 * the data folder (reload.json) for `nms reload` to print.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Collector } from '../../collectors/collector.ts';
import type { CircuitProber } from '../../collectors/probe/circuitProber.ts';
import { pollingModel, startProber, type PollingInputs } from '../../collectors/pollingSetup.ts';
import type { TrapReceiving } from '../../collectors/traps/trapSetup.ts';
import { RELOAD_RESULT_FILE } from '../../shared/config/defaults.ts';
import type { LiveState } from '../../shared/live/liveState.ts';
import type { Logger } from '../../shared/log.ts';
import { modelRevision } from '../../shared/model/modelRevision.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { RunningSimulation } from '../../sim/startSimulation.ts';
import { alarmRulesOf } from '../alarms/alarmSetup.ts';
import type { AlarmService } from '../alarms/alarmService.ts';
import type { MaintenanceStore } from '../alarms/maintenanceStore.ts';
import type { OutageLedger } from '../alarms/outageLedger.ts';
import type { ApiDeps } from '../http/apiDeps.ts';
import { configSummary } from '../http/configSummary.ts';
import type { WebSocketHub } from '../notifiers/websocketNotifier.ts';
import { writeFileAtomicSync } from '../storage/atomicFile.ts';
import { recordRun } from '../storage/lastRunTopology.ts';
import { checkReload, type ReloadPlan, type RunningModel } from './reloadCheck.ts';

export interface ReloadResult {
  /** One more than the last reload's, across restarts: `nms reload` waits for the next. */
  seq: number;
  atMs: number;
  /** failed: a fault of nms itself part-way through applying; a restart puts it right. */
  outcome: 'applied' | 'unchanged' | 'refused' | 'failed';
  /** Why it was refused (each with its file, and line or setting), or how it failed. */
  problems: string[];
  /** Applied, but worth knowing: devices that cannot be polled, parts of the model the demo network lacks. */
  notes: string[];
  circuits: { added: string[]; removed: string[]; changed: string[] };
  devices: { added: string[]; removed: string[]; changed: string[] };
  tookMs: number;
}

/** The running parts a reload reaches; the prober is replaced, the others take the model in place. */
export interface ReloadableParts {
  traps: TrapReceiving;
  collector: Collector;
  prober: CircuitProber;
  live: LiveState;
  ledger: OutageLedger;
  alarms: AlarmService;
  maintenance: MaintenanceStore;
  api: ApiDeps;
  websocketHub: WebSocketHub;
  simulation: RunningSimulation | null;
  writer: PollingInputs['writer'];
}

export class ModelReloader {
  #queue: Promise<unknown> = Promise.resolve();
  #seq: number;

  constructor(
    private running: RunningModel,
    private readonly parts: ReloadableParts,
    private readonly log: Logger,
    /** Told of each applied model (the product's own record of what runs). */
    private readonly applied: (topology: Topology, prober: CircuitProber) => void,
    /** The environment the product started with: credentials and the config file are found in it again. */
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.#seq = lastSeq(running.config.dataDir);
  }

  /** Reads, checks and applies both files; waits for a reload already running. */
  reload(cwd = process.cwd()): Promise<ReloadResult> {
    const next = this.#queue.then(() => this.once(this.env, cwd));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  private async once(env: NodeJS.ProcessEnv, cwd: string): Promise<ReloadResult> {
    const started = Date.now();
    let settling: Promise<void> = Promise.resolve();
    const result: ReloadResult = {
      seq: ++this.#seq,
      atMs: started,
      outcome: 'refused',
      problems: [],
      notes: [],
      circuits: { added: [], removed: [], changed: [] },
      devices: { added: [], removed: [], changed: [] },
      tookMs: 0,
    };
    try {
      const check = await checkReload(this.running, env, cwd, this.log);
      if (!check.ok) result.problems = check.problems;
      else if (check.unchanged) result.outcome = 'unchanged';
      else {
        settling = this.apply(check.plan, result);
        result.outcome = 'applied';
      }
    } catch (err) {
      // A fault of ours, not of the files: said as such, for what runs may now be part old, part new.
      result.outcome = 'failed';
      result.problems = [`reload failed: ${(err as Error).message}`];
      this.log.error(`reload: ${(err as Error).message}`);
    }
    result.tookMs = Date.now() - started;
    this.report(result);
    // Not waited for: the next reload is checked and applied meanwhile, on the model now running.
    void settling.catch((err: Error) => this.log.error(`reload: letting the old model go: ${err.message}`));
    return result;
  }

  /**
   * Applies the plan to every part at once, and returns what settles after:
   * the old model's polls and probe rounds still in flight (a probe round
   * lasts up to a minute) coming in, and then what they told of forgotten.
   */
  private apply(plan: ReloadPlan, result: ReloadResult): Promise<void> {
    const { config, topology } = plan;
    const p = this.parts;
    const before = this.running.topology;
    Object.assign(result.circuits, diffById(before.circuits, topology.circuits));
    const simulated = p.simulation?.simulator.endpoints();
    result.notes.push(...demoGaps(p.simulation, topology));

    // Nothing below waits until the collector has switched: from here on every part takes the new model in this turn.
    p.traps.setModel(topology, plan.sources);
    const polling = p.collector.reconcile(pollingModel(topology, plan.sources, simulated));
    Object.assign(result.devices, { added: polling.added, removed: polling.removed, changed: polling.changed });
    result.notes.push(...p.collector.unpollable.values());
    const prober = startProber({ config, topology, sources: plan.sources, live: p.live, writer: p.writer, log: this.log, ...(simulated ? { simulated } : {}) });
    const oldProber = p.prober;
    p.prober = prober;
    result.notes.push(...prober.unprobed.values());
    p.ledger.setModel(topology);
    p.alarms.setModel(topology, alarmRulesOf(config));
    p.maintenance.setModel(topology, config.alarms.maintenance);
    p.api.topology = topology;
    p.api.modelRevision = modelRevision(topology);
    p.api.basemap = plan.serving.basemap.map;
    p.api.configSummary = configSummary(config, topology);
    if (p.api.reports) p.api.reports.sources.topology = topology;
    this.running = { config, topology, topologyText: plan.topologyText, sources: plan.sources };
    this.applied(topology, prober);
    p.websocketHub.broadcast({ type: 'model', revision: p.api.modelRevision });
    recordRun(config.dataDir, topology, Date.now());

    const keep = new Set(topology.circuits.map((c) => c.id));
    return Promise.all([polling.settled, oldProber.retire(keep)]).then(() => {
      // By the model running then: a later reload may have put back what this one took out.
      const now = this.running.topology;
      p.live.retain(new Set(now.circuits.map((c) => c.id)), new Set(now.devices.map((d) => d.id)));
    });
  }

  private report(r: ReloadResult): void {
    const file = join(this.running.config.dataDir, RELOAD_RESULT_FILE);
    try {
      writeFileAtomicSync(file, `${JSON.stringify(r, null, 2)}\n`);
    } catch (err) {
      this.log.error(`reload: writing ${file}: ${(err as Error).message}`);
    }
    const counts = (c: { added: string[]; removed: string[]; changed: string[] }) => `+${c.added.length} −${c.removed.length} ~${c.changed.length}`;
    if (r.outcome === 'failed') this.log.error(`reload failed part-way; restart nms up to run the files as they are: ${r.problems.join('; ')}`);
    else if (r.outcome === 'refused') this.log.error(`reload refused, nothing changed (${r.problems.length} problems):\n  ${r.problems.join('\n  ')}`);
    else if (r.outcome === 'unchanged') this.log.info('reload: topology and settings as running; nothing to do');
    else {
      this.log.info(`reload applied in ${r.tookMs} ms: circuits ${counts(r.circuits)}, devices ${counts(r.devices)}`);
      for (const note of r.notes) this.log.warn(`reload: ${note}`);
    }
  }
}

function lastSeq(dataDir: string): number {
  try {
    const seq = (JSON.parse(readFileSync(join(dataDir, RELOAD_RESULT_FILE), 'utf8')) as { seq?: unknown }).seq;
    return typeof seq === 'number' && Number.isInteger(seq) && seq >= 0 ? seq : 0;
  } catch {
    return 0;
  }
}

function diffById<T extends { id: string }>(before: readonly T[], after: readonly T[]) {
  const old = new Map(before.map((x) => [x.id, x]));
  const now = new Map(after.map((x) => [x.id, x]));
  return {
    added: after.filter((x) => !old.has(x.id)).map((x) => x.id),
    removed: before.filter((x) => !now.has(x.id)).map((x) => x.id),
    changed: after.filter((x) => old.has(x.id) && JSON.stringify(old.get(x.id)) !== JSON.stringify(x)).map((x) => x.id),
  };
}

/**
 * The demo network is the one `nms up` started: the simulator plays that
 * model, as a real network does not change when topology.yaml does. What
 * the new model has beyond it is said, not hidden.
 */
function demoGaps(simulation: RunningSimulation | null, topology: Topology): string[] {
  if (!simulation) return [];
  const sim = simulation.simulator;
  const devices = topology.devices.filter((d) => d.managed && !sim.agents.has(d.id)).map((d) => d.id);
  const simulatedCircuits = new Set(sim.network.circuits.map((c) => c.circuit.id));
  const circuits = topology.circuits.filter((c) => !simulatedCircuits.has(c.id)).map((c) => c.id);
  const out: string[] = [];
  if (devices.length) out.push(`the demo network has no device ${devices.join(', ')}: it plays the model nms up started with, until nms up starts again`);
  if (circuits.length) out.push(`the demo network has no circuit ${circuits.join(', ')}: it plays the model nms up started with, until nms up starts again`);
  return out;
}
