/**
 * The simulated network as a whole: the engine, one SNMP agent per managed
 * device on loopback, the trap sender, the ground truth, and a timer that
 * moves the engine along in simulated time. Starting is all-or-nothing: if
 * one agent cannot bind, the ones already started are closed again.
 */
import type { Logger } from '../shared/log.ts';
import type { Topology } from '../shared/model/topology.ts';
import type { HostPort } from '../shared/net/loopback.ts';
import type { SecretSources } from '../shared/secret.ts';
import { resolveCredentials, type SnmpCredentials } from '../shared/snmp/credentials.ts';
import { DeviceAgent } from './agents/deviceAgent.ts';
import { EchoResponders } from './agents/echoResponders.ts';
import { TrapSender } from './agents/trapSender.ts';
import { SimClock, type Clock } from './clock.ts';
import { FAULT_KINDS, faultSchema, unknownTarget, type Fault, type FaultKind } from './network/faults.ts';
import { SimNetwork, type CircuitState, type DeviceState, type NetworkObserver } from './network/simNetwork.ts';
import type { Scenario } from './scenario/scenarioFile.ts';
import { SLOT_SECONDS } from './traffic/trafficModel.ts';
import { TRUTH_FORMAT, TruthWriter } from './truth/truthWriter.ts';

export interface SimulatorOptions {
  topology: Topology;
  secrets: SecretSources;
  log: Logger;
  /** Folder for the ground truth (replaced on each start). */
  truthDir: string;
  /** Whether the truth keeps every slot's rates (traffic.csv, quality.csv), not only its events; default true. */
  truthTraffic?: boolean;
  speed?: number;
  /** Simulated time at start, ms since the epoch; default: now. */
  startMs?: number;
  /**
   * Time itself, for a test that moves it by hand (a month in a minute);
   * speed and startMs are then the clock's.
   */
  clock?: Clock;
  seed?: number;
  /** First UDP port on 127.0.0.1; device i gets basePort + i. 0 gives every agent a free port. */
  basePort?: number;
  trapTargets?: readonly HostPort[];
  scenario?: Scenario | null;
  /**
   * The devices that answer (SNMP, echo) and send traps; default every
   * managed one. A city poller's demo runs the whole model but answers only
   * for its own share, as its city's routers would.
   */
  answering?: ReadonlySet<string>;
}

export interface Endpoint {
  host: string;
  port: number;
  snmpVersion: SnmpCredentials['version'];
  /** Where the device answers UDP echo (RFC 862), for the circuit prober. */
  echoPort: number;
}

/** The fault, or why it cannot be applied to this network. */
export type FaultCheck = { ok: true; fault: Fault } | { ok: false; error: string };

export const DEFAULT_SEED = 734;

export class Simulator {
  readonly agents = new Map<string, DeviceAgent>();
  echoes: EchoResponders | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  private constructor(
    readonly topology: Topology,
    readonly clock: Clock,
    readonly network: SimNetwork,
    readonly truth: TruthWriter,
    readonly traps: TrapSender,
    readonly seed: number,
  ) {}

  /**
   * @throws Error naming the device whose credentials are missing or whose port is taken.
   */
  static async start(options: SimulatorOptions): Promise<Simulator> {
    const { topology, log, scenario } = options;
    const managed = topology.devices.filter((d) => d.managed && (!options.answering || options.answering.has(d.id)));
    const credentials = new Map(
      managed.map((d) => {
        try {
          return [d.id, resolveCredentials(topology.snmpProfiles.get(d.snmpProfile!)!, options.secrets)] as const;
        } catch (err) {
          throw new Error(`device ${d.id}: ${(err as Error).message}`, { cause: err });
        }
      }),
    );
    const seed = options.seed ?? scenario?.seed ?? DEFAULT_SEED;
    // The start is fixed before the clock runs: scenario offsets count from it exactly.
    const startMs = options.clock ? options.clock.now() : Math.floor(options.startMs ?? scenario?.startMs ?? Date.now());
    const clock = options.clock ?? new SimClock(startMs, options.speed ?? scenario?.speed ?? 1);
    const { speed } = clock;

    // The truth exists before the engine, so every segment reaches it; traps and
    // agents join once started (no link can change before faults are scheduled).
    const truth = await TruthWriter.create(
      options.truthDir,
      topology.circuits.map((c) => c.id),
      { traffic: options.truthTraffic ?? true },
    );
    let sim: Simulator | null = null;
    const observer: NetworkObserver = {
      segment: (a, b, cs) => truth.segment(a, b, cs),
      linkChange: (c, up, t, cause) => {
        truth.linkChange(c, up, t, cause);
        sim?.sendLinkTraps(c, up, t);
      },
      rebootStart: (d, t) => truth.rebootStart(d, t),
      boot: (d, t, renumbered) => {
        truth.boot(d, t, renumbered);
        sim?.onBoot(d, t, renumbered);
      },
      faultStart: (id, f, t) => truth.faultStart(id, f, t),
      faultEnd: (id, f, t) => truth.faultEnd(id, f, t),
    };
    const network = new SimNetwork({ topology, clock, seed, observer, counterPresets: scenario?.counters ?? [] });
    await truth.writeMeta({
      format: TRUTH_FORMAT,
      network: topology.network.id,
      seed,
      speed,
      simStartMs: startMs,
      simStart: new Date(startMs).toISOString(),
      realStart: new Date().toISOString(),
      slotSeconds: SLOT_SECONDS,
      devices: [...network.devices.values()].map((d) => ({ id: d.device.id, bootMs: d.bootMs })),
      circuits: network.circuits.map((c) => ({
        id: c.circuit.id,
        kind: c.profile.kind,
        bandwidthBps: c.circuit.bandwidthBps,
        packetBytes: c.profile.packetBytes,
        a: { device: c.circuit.a.deviceId, ifName: c.a?.def.ifName ?? null },
        z: c.circuit.z.kind === 'device' ? { device: c.circuit.z.deviceId, ifName: c.z?.def.ifName ?? null } : { device: null, ifName: null },
      })),
    });
    const traps = new TrapSender(options.trapTargets ?? [], network, credentials, log.child('traps'));
    const simulator = new Simulator(topology, clock, network, truth, traps, seed);

    try {
      for (const [i, d] of managed.entries()) {
        const port = options.basePort ? options.basePort + i : 0;
        const agent = await DeviceAgent.start({
          network,
          device: network.devices.get(d.id)!,
          credentials: credentials.get(d.id)!,
          port,
          log: log.child(d.id),
          now: () => clock.now(),
        });
        simulator.agents.set(d.id, agent);
      }
      simulator.echoes = await EchoResponders.start({
        network,
        devices: managed.map((d) => network.devices.get(d.id)!),
        now: () => clock.now(),
        onFailure: (message) => log.error(`${message}: the simulated devices answer no echo`),
      });
    } catch (err) {
      await simulator.stop();
      throw err;
    }

    sim = simulator;
    for (const item of scenario?.timeline ?? []) {
      const at = 'offsetMs' in item.at ? startMs + item.at.offsetMs : item.at.atMs;
      network.schedule(item.fault, Math.max(at, startMs));
    }
    simulator.tick();
    log.info(`simulated network up: ${simulator.agents.size} devices on 127.0.0.1, speed ${speed}×, seed ${seed}, ground truth in ${options.truthDir}`);
    return simulator;
  }

  /** Device id → where its agent listens. */
  endpoints(): Record<string, Endpoint> {
    const out: Record<string, Endpoint> = {};
    for (const [id, agent] of this.agents) {
      const profile = this.topology.snmpProfiles.get(this.topology.device(id).snmpProfile!)!;
      out[id] = { host: '127.0.0.1', port: agent.port, snmpVersion: profile.version, echoPort: this.echoes!.portOf(id) };
    }
    return out;
  }

  /** Validates a fault against the schema and this network. */
  check(input: unknown): FaultCheck {
    const kind = (input as { fault?: unknown } | null)?.fault;
    if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind as FaultKind)) {
      return { ok: false, error: `unknown fault kind ${JSON.stringify(kind ?? null)}; one of ${FAULT_KINDS.join(', ')}` };
    }
    const parsed = faultSchema.safeParse(input);
    if (!parsed.success) {
      const first = parsed.error.issues[0]!;
      const where = first.path.length ? `${first.path.join('.')}: ` : '';
      return { ok: false, error: `${where}${first.message}` };
    }
    const missing = unknownTarget(parsed.data, {
      circuits: new Set(this.network.circuits.map((c) => c.circuit.id)),
      managedDevices: new Set(this.network.devices.keys()),
    });
    return missing ? { ok: false, error: missing } : { ok: true, fault: parsed.data };
  }

  /** Starts a checked fault now, in simulated time. */
  inject(fault: Fault): { id: number; atMs: number } {
    const result = this.network.inject(fault);
    this.tick();
    return result;
  }

  status() {
    const now = this.clock.now();
    this.network.advance(now);
    return {
      simTime: new Date(now).toISOString(),
      speed: this.clock.speed,
      seed: this.seed,
      devices: Object.fromEntries(
        [...this.network.devices.values()].map((d) => [
          d.device.id,
          { answering: !this.network.isSilent(d), rebooting: d.rebooting, uptimeSeconds: Math.floor(this.network.sysUpTime(d, now) / 100) },
        ]),
      ),
      linksDown: this.network.circuits.filter((c) => !c.up).map((c) => c.circuit.id),
      faults: [...this.network.active.values()].map((f) => ({
        id: f.id,
        ...f.fault,
        since: new Date(f.startMs).toISOString(),
        until: f.endMs === null ? null : new Date(f.endMs).toISOString(),
      })),
      traps: { sent: this.traps.sent, failed: this.traps.failed },
      requests: [...this.agents.values()].reduce((s, a) => s + a.requests, 0),
    };
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.network.flush(this.clock.now());
    await Promise.all([...this.agents.values(), ...(this.echoes ? [this.echoes] : [])].map((a) => a.close()));
    this.traps.close();
    await this.truth.close();
  }

  /** Moves the engine to now and sleeps until the next boundary. */
  private tick(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.network.advance(this.clock.now());
    const delay = this.clock.realDelayMs(this.network.nextBoundary());
    this.#timer = setTimeout(() => this.tick(), Math.max(1, Math.min(delay, 60_000)));
  }

  private sendLinkTraps(c: CircuitState, up: boolean, atMs: number): void {
    for (const iface of [c.a, c.z]) {
      if (iface && !this.network.isSilent(iface.device) && this.agents.has(iface.device.device.id)) this.traps.linkChange(iface, up, atMs);
    }
  }

  private onBoot(device: DeviceState, atMs: number, renumbered: boolean): void {
    if (renumbered) this.agents.get(device.device.id)?.rebuildInterfaces();
    if (this.agents.has(device.device.id)) this.traps.coldStart(device, atMs);
  }
}
