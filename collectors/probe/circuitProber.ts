/**
 * Measures every circuit's far end from the network control centre: rounds
 * of echoes (fping for ICMP, or UDP echo for the demo), one process or socket
 * per round for all circuits that share a method and cadence. Each round is
 * written as a circuit_quality point and put in the live state, where the
 * alarm engine judges it.
 *
 * A round's verdict (did it break the SLA?) waits for the circuit's next
 * poll: a line that went down during the round loses its echoes too, and
 * that time is an outage, counted once, as down, never also as degraded.
 */
import type { LiveState, QualityLive } from '../../shared/live/liveState.ts';
import type { Logger } from '../../shared/log.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { Circuit, ProbeMethod } from '../../shared/model/types.ts';
import { formatHostPort } from '../../shared/net/managementAddress.ts';
import { qualityBreaches, type QualityRound } from '../../shared/quality/circuitQuality.ts';
import { startOffset } from '../scheduler/pollScheduler.ts';
import type { PointSink } from '../collector.ts';
import { circuitTags } from '../write/circuitTags.ts';
import type { Point } from '../write/lineProtocol.ts';
import { fpingRounds, type ProbeRoundResult, type ProbeRoundSpec } from './fpingProbe.ts';
import { roundFigures } from './roundFigures.ts';
import { echoTargetKey, type EchoTarget } from './udpEchoProbe.ts';
import { UdpEchoThread } from './udpEchoThread.ts';
import type { TargetCheck } from '../snmp/udpMux.ts';

/** Longest wait for an answer, however long the period: past it, an echo is lost. */
const MAX_TIMEOUT_MS = 2000;

export interface CircuitProberOptions {
  topology: Topology;
  live: LiveState;
  sink: PointSink | null;
  log: Logger;
  /** The network safety rule for probe targets (targetPolicy.probeTargetCheck). */
  check: TargetCheck;
  /**
   * The demo: where each simulated device answers UDP echo. Every probe then
   * goes there by udp-echo, whatever topology.yaml says for the real network.
   */
  simulatedEcho?: ReadonlyMap<string, EchoTarget>;
  /** Overrides every circuit's round interval (tests). */
  intervalMs?: number;
  /** Probe only these circuits (a city poller's share). */
  circuits?: ReadonlySet<string>;
  /** How long a verdict waits for the circuit's next poll before it is given on what is known. */
  verdictWaitMs?: number;
  fping?: string;
  now?: () => number;
}

interface Probed {
  circuit: Circuit;
  method: ProbeMethod;
  /** fping's target text, or echoTargetKey. */
  key: string;
  echo: EchoTarget | null;
}

interface Group {
  method: ProbeMethod;
  count: number;
  intervalMs: number;
  circuits: Probed[];
  timer: NodeJS.Timeout | null;
  running: boolean;
  /** The next round came due while this one ran: it starts as soon as this one ends. */
  owed: boolean;
}

export interface ProberStats {
  rounds: number;
  roundsFailed: number;
  overruns: number;
  lastRoundMs: number;
  /** Echoes left out because the prober's thread was held up (stallWatch), since start. */
  unmeasured: number;
  /** Circuits' rounds given no figures at all: fewer than a quarter of their echoes were timed. */
  roundsUnmeasured: number;
}

/** How often the prober says it is being held up, at most. */
const STALL_NOTICE_MS = 10 * 60_000;

export class CircuitProber {
  /** Circuits with a probe that cannot be run, and why (refused target, not simulated). */
  readonly unprobed = new Map<string, string>();
  readonly stats: ProberStats = { rounds: 0, roundsFailed: 0, overruns: 0, lastRoundMs: 0, unmeasured: 0, roundsUnmeasured: 0 };
  #stallNoticeAtMs = -Infinity;
  readonly #groups: Group[] = [];
  readonly #pending: Array<{ round: QualityRound; dueMs: number }> = [];
  readonly #now: () => number;
  #verdictTimer: NodeJS.Timeout | null = null;
  #stopped = true;
  #inFlight = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  readonly #echoThread = new UdpEchoThread();

  constructor(private readonly o: CircuitProberOptions) {
    this.#now = o.now ?? Date.now;
    const groups = new Map<string, Group>();
    for (const circuit of o.topology.circuits) {
      const p = circuit.probe;
      if (!p || (o.circuits && !o.circuits.has(circuit.id))) continue;
      let probed: Probed;
      if (o.simulatedEcho) {
        const echo = p.deviceId ? o.simulatedEcho.get(p.deviceId) : undefined;
        if (!echo) {
          this.unprobed.set(circuit.id, `circuit ${circuit.id}: its probe address ${p.address} is no simulated device`);
          continue;
        }
        probed = { circuit, method: 'udp-echo', key: echoTargetKey(echo), echo };
      } else {
        const echo = p.method === 'udp-echo' ? { host: p.address, port: p.port! } : null;
        probed = { circuit, method: p.method, key: echo ? echoTargetKey(echo) : p.address, echo };
      }
      const refusal = probed.echo ? o.check(probed.echo.host, probed.echo.port) : o.check(p.address, 0);
      if (refusal) {
        this.unprobed.set(circuit.id, `circuit ${circuit.id}: probe ${probed.method}: ${refusal}`);
        continue;
      }
      const intervalMs = o.intervalMs ?? p.intervalSeconds * 1000;
      const gkey = `${probed.method}|${p.count}|${intervalMs}`;
      let g = groups.get(gkey);
      if (!g) groups.set(gkey, (g = { method: probed.method, count: p.count, intervalMs, circuits: [], timer: null, running: false, owed: false }));
      g.circuits.push(probed);
    }
    this.#groups = [...groups.values()];
    for (const reason of this.unprobed.values()) o.log.error(reason);
  }

  /** Circuits measured, for --check and the console. */
  get probedCount(): number {
    return this.#groups.reduce((n, g) => n + g.circuits.length, 0);
  }

  start(): void {
    this.#stopped = false;
    for (const g of this.#groups) {
      // Groups start apart, as the pollers' devices do, so rounds do not all begin together.
      const first = Math.floor(startOffset(`${g.method}|${g.count}|${g.intervalMs}`) * Math.min(g.intervalMs, 10_000));
      // A round ends about when the next is due; one that ends a little late has the next
      // follow it at once, so rounds cover the time end to end. Two behind, one is skipped.
      const begin = (): void => {
        const run = this.runRound(g).finally(() => {
          this.#inFlight.delete(run);
          if (g.owed && !this.#stopped) {
            g.owed = false;
            begin();
          }
        });
        this.#inFlight.add(run);
      };
      const tick = () => {
        if (this.#stopped) return;
        g.timer = setTimeout(tick, g.intervalMs);
        if (!g.running) return begin();
        if (g.owed) this.stats.overruns++;
        g.owed = true;
      };
      g.timer = setTimeout(tick, first);
    }
    this.#verdictTimer = setInterval(() => this.giveVerdicts(), 1000);
    this.#verdictTimer.unref();
  }

  /** Stops at once: rounds running are abandoned (half a round is no measurement); verdicts owed are given on what is known. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    for (const g of this.#groups) if (g.timer) clearTimeout(g.timer);
    await Promise.all(this.#inFlight);
    await this.#echoThread.close();
    if (this.#verdictTimer) clearInterval(this.#verdictTimer);
    this.giveVerdicts(true);
  }

  /**
   * Hands over to a prober of a new model (`nms reload`): no new round
   * starts, rounds running are finished (so the line's quality has no hole
   * at the hand-over) and give their figures for the circuits the new model
   * still has; then it closes.
   */
  async retire(keep: ReadonlySet<string>): Promise<void> {
    this.#keep = keep;
    this.#stopped = true;
    for (const g of this.#groups) if (g.timer) clearTimeout(g.timer);
    await Promise.all(this.#inFlight);
    await this.stop();
  }

  /** Set by retire: the circuits whose rounds still count. */
  #keep: ReadonlySet<string> | null = null;

  /** One round of a group now; its rounds wait for their verdicts like any other. */
  private async runRound(g: Group): Promise<void> {
    g.running = true;
    const periodMs = g.intervalMs / g.count;
    const spec: ProbeRoundSpec = {
      targets: [...new Set(g.circuits.map((c) => c.key))],
      count: g.count,
      periodMs,
      // The last echo's wait ends before the next round is due.
      timeoutMs: Math.min(periodMs * 0.9, MAX_TIMEOUT_MS),
    };
    let result: ProbeRoundResult;
    try {
      result =
        g.method === 'icmp'
          ? await fpingRounds(spec, g.intervalMs * 1.5 + MAX_TIMEOUT_MS * 2, this.#abort.signal, this.o.fping, this.#now)
          : await this.#echoThread.round(spec, new Map(g.circuits.map((c) => [c.key, c.echo!])), this.#abort.signal);
    } catch (err) {
      if (this.#abort.signal.aborted) return;
      this.stats.roundsFailed++;
      this.o.log.error(`probe round (${g.method}, ${g.circuits.length} circuits): ${(err as Error).message}`);
      return;
    } finally {
      g.running = false;
    }
    this.stats.rounds++;
    this.stats.lastRoundMs = result.endedAtMs - result.startedAtMs;
    for (const note of result.notes.slice(0, 3)) this.o.log.warn(`probe round (${g.method}): ${note}`);
    let unmeasured = 0;
    for (const c of g.circuits) {
      if (this.#keep && !this.#keep.has(c.circuit.id)) continue;
      const r = result.targets.get(c.key)!;
      unmeasured += r.unmeasured;
      // Too few echoes timed to say anything of the line: no round, rather than a guess.
      if (r.rtts.length * 4 < g.count) {
        this.stats.roundsUnmeasured++;
        continue;
      }
      const round: QualityRound = {
        circuitId: c.circuit.id,
        method: c.method,
        target: c.echo ? formatHostPort(c.echo.host, c.echo.port) : c.key,
        startedAtMs: result.startedAtMs,
        endedAtMs: result.endedAtMs,
        ...roundFigures(r.rtts),
        unmeasured: r.unmeasured,
        duplicates: r.duplicates,
        errors: r.errors.slice(0, 3),
      };
      this.#pending.push({ round, dueMs: this.#now() + (this.o.verdictWaitMs ?? this.verdictWait(c.circuit)) });
    }
    this.noticeStalls(g, unmeasured);
    this.giveVerdicts();
  }

  private noticeStalls(g: Group, unmeasured: number): void {
    this.stats.unmeasured += unmeasured;
    if (unmeasured === 0 || this.#now() - this.#stallNoticeAtMs < STALL_NOTICE_MS) return;
    this.#stallNoticeAtMs = this.#now();
    this.o.log.warn(
      `probe round (${g.method}): ${unmeasured} echoes left out, in flight while the prober's thread was held up (a busy machine); ` +
        `${this.stats.unmeasured} since start, ${this.stats.roundsUnmeasured} circuit rounds without figures`,
    );
  }

  /** A poll interval and a half of the circuit's measured device: its next poll has come by then. */
  private verdictWait(c: Circuit): number {
    return this.o.topology.device(c.a.deviceId).pollIntervalSeconds * 1500 + 5000;
  }

  private giveVerdicts(all = false): void {
    const now = this.#now();
    for (let i = 0; i < this.#pending.length; ) {
      const { round, dueMs } = this.#pending[i]!;
      const seen = this.o.live.circuits.get(round.circuitId);
      if (all || now >= dueMs || (seen && seen.polledFromMs >= round.endedAtMs)) {
        this.#pending.splice(i, 1);
        this.deliver(round);
      } else i++;
    }
  }

  private deliver(round: QualityRound): void {
    const circuit = this.o.topology.circuit(round.circuitId);
    const tier = this.o.topology.slaTiers.get(circuit.slaTier);
    const down = this.downDuring(circuit, round);
    const breaches = tier && !down ? qualityBreaches(round, tier.quality) : [];
    const live: QualityLive = { ...round, breaches, downDuring: down };
    this.o.live.updateQuality(live);
    this.o.sink?.write([this.point(circuit, live)]);
  }

  /**
   * Whether the circuit, or anything on its path from the centre, was down
   * at some moment of the round: the round's losses are then the outage's.
   */
  private downDuring(circuit: Circuit, round: QualityRound): boolean {
    const seen = new Set<string>();
    const walk = (c: Circuit): boolean => {
      if (seen.has(c.id)) return false;
      seen.add(c.id);
      const live = this.o.live.circuits.get(c.id);
      if (live && (live.status === 'down' || (live.statusSinceMs !== null && live.statusSinceMs > round.startedAtMs))) return true;
      if (c.z.kind === 'device' && this.o.live.devices.get(c.z.deviceId)?.reachable === false) return true;
      return c.upstreamIds.some((id) => walk(this.o.topology.circuit(id)));
    };
    return walk(circuit);
  }

  private point(circuit: Circuit, q: QualityLive): Point {
    const roundS = (q.endedAtMs - q.startedAtMs) / 1000;
    return {
      measurement: 'circuit_quality',
      tags: { ...circuitTags(this.o.topology, circuit), method: q.method },
      fields: {
        sent: q.sent,
        received: q.received,
        unmeasured: q.unmeasured,
        duplicates: q.duplicates,
        loss_pct: q.lossPct,
        rtt_min_ms: q.rttMinMs,
        rtt_median_ms: q.rttMedianMs,
        rtt_mean_ms: q.rttMeanMs,
        rtt_max_ms: q.rttMaxMs,
        jitter_ms: q.jitterMs,
        round_s: roundS,
        degraded_s: q.breaches.length ? roundS : 0,
      },
      timeMs: q.startedAtMs,
    };
  }
}
