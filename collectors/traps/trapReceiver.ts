/**
 * Listens for linkDown, linkUp, coldStart and warmStart (SNMPv1, v2c, and v3
 * with the devices' users), maps each to its device and circuit, and hands
 * it on at once (to the alarm service, and from a city poller to the bus);
 * the collector is asked to confirm it with a poll.
 *
 * A trap is trusted only from a device in the model: by its UDP source
 * address, or, when it comes from loopback (the simulator, a local relay), by
 * the snmpTrapAddress.0 (v2c/v3) or agent-addr (v1) it carries. Anything else,
 * and anything malformed, is counted and logged, never acted on.
 */
import snmp from 'net-snmp';
import type { Logger } from '../../shared/log.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { isLoopback } from '../../shared/net/loopback.ts';
import { netSnmpUser, type SnmpCredentials } from '../../shared/snmp/credentials.ts';
import { IF_COLUMNS, IF_TABLE, IFX_COLUMNS, IFX_TABLE, TRAPS } from '../../shared/snmp/oids.ts';
import type { TrapObservation } from '../../shared/alarms/types.ts';

const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
const WARM_START = '1.3.6.1.6.3.1.1.5.2';
const BY_TRAP_OID: Record<string, TrapObservation['kind']> = {
  [TRAPS.coldStart]: 'coldStart',
  [WARM_START]: 'warmStart',
  [TRAPS.linkDown]: 'linkDown',
  [TRAPS.linkUp]: 'linkUp',
};
/** SNMPv1 generic-trap numbers (RFC 1157). */
const BY_GENERIC: Record<number, TrapObservation['kind']> = { 0: 'coldStart', 1: 'warmStart', 2: 'linkDown', 3: 'linkUp' };

export interface TrapReceiverOptions {
  topology: Topology;
  /** A poller's share: traps from other devices of the model are not its to hear. */
  devices?: ReadonlySet<string>;
  /** Credentials per managed device: communities and v3 users the receiver accepts. */
  credentials: ReadonlyMap<string, SnmpCredentials>;
  /** The circuit at a device's ifIndex as the poller last resolved it (fallback when the trap names no ifName). */
  circuitAtIfIndex: (deviceId: string, ifIndex: number) => string | null;
  onTrap: (trap: TrapObservation) => void;
  /** Asks the poller to look at a device now. */
  confirm: (deviceId: string) => void;
  log: Logger;
  port: number;
  address?: string;
  now?: () => number;
}

export class TrapReceiver {
  /** refused: unknown community or user, or not a readable SNMP message; ignored: other notifications. */
  readonly stats = { accepted: 0, unknownSource: 0, refused: 0, ignored: 0 };
  readonly #receiver: ReturnType<typeof snmp.createReceiver>;
  #binding = true;
  readonly #byAddress = new Map<string, string>();
  /** Per device, its circuit ends by interface name. */
  readonly #byIfName = new Map<string, Map<string, string>>();

  private constructor(private o: TrapReceiverOptions) {
    this.#receiver = snmp.createReceiver(
      { port: o.port, address: o.address ?? '127.0.0.1', disableAuthorization: false, includeAuthentication: true } as never,
      (error: Error | null, notification: unknown) => this.handle(error, notification),
    );
    this.index();
  }

  /**
   * Takes a new model without letting go of the port (`nms reload`): the
   * devices and interfaces traps are mapped to, and the communities and v3
   * users accepted, are the new model's from the next trap on.
   */
  setModel(model: Pick<TrapReceiverOptions, 'topology' | 'credentials'>): void {
    this.o = { ...this.o, ...model };
    this.index();
  }

  private index(): void {
    const o = this.o;
    const heard = (id: string) => !o.devices || o.devices.has(id);
    this.#byAddress.clear();
    this.#byIfName.clear();
    for (const d of o.topology.devices) if (d.address && heard(d.id)) this.#byAddress.set(d.address, d.id);
    for (const c of o.topology.circuits) {
      for (const end of [c.a, c.z]) {
        if (end.kind !== 'device' || !end.iface || end.iface.by !== 'ifName' || !heard(end.deviceId)) continue;
        let names = this.#byIfName.get(end.deviceId);
        if (!names) this.#byIfName.set(end.deviceId, (names = new Map()));
        names.set(end.iface.value, c.id);
      }
    }
    const authorizer = this.#receiver.getAuthorizer();
    const communities = new Set<string>();
    const users = new Map<string, SnmpCredentials & { version: '3' }>();
    for (const c of o.credentials.values()) {
      if (c.version !== '3') communities.add(c.community.reveal());
      else if (!users.has(c.username)) users.set(c.username, c);
    }
    for (const community of [...authorizer.getCommunities()]) if (!communities.has(community)) authorizer.deleteCommunity(community);
    for (const community of communities) authorizer.addCommunity(community);
    for (const user of [...authorizer.getUsers()]) if (!users.has(user.name)) authorizer.deleteUser(user.name);
    for (const c of users.values()) authorizer.addUser(netSnmpUser(c));
  }

  /**
   * Starts listening; resolves once bound. The port must be given (net-snmp
   * reads 0 as 161).
   * @throws Error naming the address and port when it cannot bind.
   */
  static async start(o: TrapReceiverOptions): Promise<TrapReceiver> {
    const self = new TrapReceiver(o);
    try {
      await self.bound();
    } catch (err) {
      await self.close();
      throw err;
    }
    return self;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.#receiver.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  /** net-snmp binds in the background and reports a bind failure as an error to the callback. */
  private async bound(): Promise<void> {
    const listener = (this.#receiver as unknown as { listener: { sockets: Record<string, import('node:dgram').Socket> } }).listener;
    await Promise.all(
      Object.values(listener.sockets).map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            s.once('listening', () => resolve());
            this.#bindFailed = (err) => reject(new Error(`trap receiver: cannot listen on ${this.o.address ?? '127.0.0.1'}:${this.o.port}: ${err.message}`));
          }),
      ),
    );
    this.#binding = false;
  }

  #bindFailed: (err: Error) => void = () => undefined;

  /** Refused traps per source address (at most MAX_REFUSAL_SOURCES are told apart). */
  readonly refusedBySource = new Map<string, number>();
  readonly #reasonsLogged = new Set<string>();

  /** A storm from one source logs each kind of refusal once, then every hundredth, with the count. */
  private shouldLog(from: string, reason: string, count: number): boolean {
    const key = `${from} ${reason.replace(/\d+/g, 'N')}`;
    if (this.#reasonsLogged.has(key) || this.#reasonsLogged.size >= MAX_REFUSAL_SOURCES) return count % 100 === 0;
    this.#reasonsLogged.add(key);
    return true;
  }

  private countRefusal(from: string): number {
    const key = this.refusedBySource.has(from) || this.refusedBySource.size < MAX_REFUSAL_SOURCES ? from : 'other sources';
    const n = (this.refusedBySource.get(key) ?? 0) + 1;
    this.refusedBySource.set(key, n);
    return n;
  }

  private handle(error: Error | null, notification: unknown): void {
    if (error && this.#binding && (error as NodeJS.ErrnoException).syscall === 'bind') {
      this.#bindFailed(error);
      return;
    }
    if (error) {
      const from = (error as { rinfo?: { address: string } }).rinfo?.address ?? 'unknown sender';
      this.stats.refused++;
      const reason = trapRefusal(error.message);
      const count = this.countRefusal(from);
      if (this.shouldLog(from, reason, count)) this.o.log.warn(`trap from ${from} refused: ${reason}${count > 1 ? ` (${count} refused from it so far)` : ''}`);
      return;
    }
    try {
      this.accept(notification as { pdu: TrapPdu; rinfo: { address: string } });
    } catch (err) {
      this.stats.refused++;
      this.o.log.warn(`trap could not be read: ${(err as Error).message}`);
    }
  }

  private accept({ pdu, rinfo }: { pdu: TrapPdu; rinfo: { address: string } }): void {
    const vbs = new Map((pdu.varbinds ?? []).map((v) => [v.oid, v.value]));
    const claimed = pdu.type === snmp.PduType.Trap ? pdu.agentAddr : (vbs.get(TRAPS.snmpTrapAddress) as string | undefined);
    const address = this.#byAddress.has(rinfo.address) || !isLoopback(rinfo.address) ? rinfo.address : String(claimed ?? '');
    const deviceId = this.#byAddress.get(address);
    if (!deviceId) {
      this.stats.unknownSource++;
      const count = this.countRefusal(rinfo.address);
      if (this.shouldLog(rinfo.address, 'unknown source', count)) {
        this.o.log.warn(
          `trap from ${rinfo.address}${claimed ? ` (claiming ${String(claimed).slice(0, 64)})` : ''}: not a device in the model; ignored${count > 1 ? ` (${count} refused from it so far)` : ''}`,
        );
      }
      return;
    }
    const kind = pdu.type === snmp.PduType.Trap ? BY_GENERIC[pdu.generic ?? -1] : BY_TRAP_OID[String(vbs.get(SNMP_TRAP_OID) ?? '')];
    if (!kind) {
      this.stats.ignored++;
      return;
    }
    let circuitId: string | null = null;
    if (kind === 'linkDown' || kind === 'linkUp') {
      const ifIndexOid = [...vbs.keys()].find((oid) => oid.startsWith(`${IF_TABLE}.${IF_COLUMNS.ifIndex}.`));
      const ifIndex = ifIndexOid ? Number(vbs.get(ifIndexOid)) : NaN;
      const nameOid = [...vbs.keys()].find((oid) => oid.startsWith(`${IFX_TABLE}.${IFX_COLUMNS.ifName}.`));
      const name = nameOid ? String(vbs.get(nameOid)) : null;
      circuitId =
        (name !== null ? this.#byIfName.get(deviceId)?.get(name) : undefined) ??
        (Number.isInteger(ifIndex) ? this.o.circuitAtIfIndex(deviceId, ifIndex) : null);
    }
    this.stats.accepted++;
    this.o.onTrap({ kind, deviceId, circuitId, atMs: (this.o.now ?? Date.now)() });
    this.o.confirm(deviceId);
  }
}

const MAX_REFUSAL_SOURCES = 1_000;

/**
 * Why net-snmp refused a trap, in words that carry nothing the sender chose
 * and nothing derived from our keys: its own messages quote the community
 * received (a near-miss of the real one), the v3 user name, and for a wrong
 * v3 key the digest computed with the real key.
 */
export function trapRefusal(netSnmpMessage: string): string {
  const community = /^Local community not found for message with community ([\s\S]*)$/.exec(netSnmpMessage);
  if (community) return `unknown community (${Buffer.byteLength(community[1]!, 'utf8')} bytes)`;
  if (netSnmpMessage.startsWith('Authentication digest')) return 'SNMPv3 authentication failed: wrong key or engine';
  if (/^Local user not found/.test(netSnmpMessage)) return 'unknown SNMPv3 user';
  if (/^Local user /.test(netSnmpMessage)) return 'SNMPv3 security level not allowed for that user';
  if (/decrypt|privacy/i.test(netSnmpMessage)) return 'SNMPv3 message could not be decrypted';
  return 'not a readable SNMP message';
}

interface TrapPdu {
  type: number;
  varbinds?: Array<{ oid: string; value: unknown }>;
  agentAddr?: string;
  generic?: number;
}
