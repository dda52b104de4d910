/**
 * One simulated device as a live SNMP agent on its own loopback UDP port,
 * built on net-snmp's Agent. Every value is computed from the network engine
 * at the moment it is asked for, so counters move in simulated time.
 *
 * A "silent" device (unreachable, or rebooting) keeps its socket open and
 * drops requests, so a poller times out as it would on a real WAN rather than
 * getting a quick ICMP refusal from a closed loopback port.
 */
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import type { Logger } from '../../shared/log.ts';
import { netSnmpUser, type SnmpCredentials } from '../../shared/snmp/credentials.ts';
import { HOST_RESOURCES_DISCOVERY, IF_COLUMNS, IF_NUMBER, IF_STATUS, IF_TABLE, IFX_COLUMNS, IFX_TABLE, SYSTEM } from '../../shared/snmp/oids.ts';
import { VENDOR_PROFILES } from '../../shared/vendors/vendorProfiles.ts';
import type { DeviceState, IfaceState, SimNetwork } from '../network/simNetwork.ts';
import { deviceHealth } from './deviceHealth.ts';
import {
  createAgent,
  ErrorStatus,
  MaxAccess,
  MibProviderType,
  ObjectType,
  type Agent,
  type Mib,
  type MibNode,
  type MibRequest,
  type TableColumn,
} from './netSnmpAgent.ts';

const U32 = 2 ** 32;
const READ_ONLY = MaxAccess['read-only']!;
const NOT_ACCESSIBLE = MaxAccess['not-accessible']!;

/** A device's SNMPv3 engine ID: the same on every run, so v3 clients can cache it. */
export function engineIdFor(deviceId: string): string {
  return `8000b98380${createHash('sha256').update(deviceId).digest('hex').slice(0, 24)}`;
}

/**
 * The SNMP version of a message, read from its BER header (SEQUENCE, then
 * INTEGER version: 0 = v1, 1 = v2c, 3 = v3), or null if the header is not that.
 */
export function messageVersion(msg: Buffer): '1' | '2c' | '3' | null {
  if (msg[0] !== 0x30 || msg.length < 5) return null;
  const lengthBytes = msg[1]! & 0x80 ? msg[1]! & 0x7f : 0;
  const at = 2 + lengthBytes;
  if (msg[at] !== 0x02 || msg[at + 1] !== 0x01) return null;
  return ({ 0: '1', 1: '2c', 3: '3' } as Record<number, '1' | '2c' | '3'>)[msg[at + 2]!] ?? null;
}

function counter64(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(value))));
  return b;
}

/** A value as the agent holds it, with its ObjectType. */
export interface DirectValue {
  type: number;
  value: unknown;
}

type Column = { number: number; name: string; type: number; value: (iface: IfaceState, now: number) => unknown };

export interface DeviceAgentOptions {
  network: SimNetwork;
  device: DeviceState;
  credentials: SnmpCredentials;
  /** UDP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  log: Logger;
  now: () => number;
}

export class DeviceAgent {
  readonly #agent: Agent;
  readonly #mib: Mib;
  /** Cells answered, for the benchmark's requests-per-CPU figure. */
  requests = 0;

  private constructor(
    private readonly options: DeviceAgentOptions,
    agent: Agent,
    readonly port: number,
    /** Requests refused or unreadable (bad community, bad credentials, malformed packets), by error kind. */
    readonly errorCounts: Map<string, number>,
  ) {
    this.#agent = agent;
    this.#mib = agent.getMib();
  }

  /**
   * Binds the agent and fills its MIB.
   * @throws Error naming the device when the port is taken.
   */
  static async start(options: DeviceAgentOptions): Promise<DeviceAgent> {
    const { device, network } = options;
    const id = device.device.id;
    let bound!: (port: number) => void;
    let failed!: (err: Error) => void;
    const listening = new Promise<number>((res, rej) => {
      bound = res;
      failed = rej;
    });
    // net-snmp binds asynchronously and reports bind errors only to its callback; a thin
    // dgram wrapper tells us the port (or the error), and drops requests while the device is silent.
    const dgramModule = {
      createSocket(type: string) {
        const socket = dgram.createSocket(type as dgram.SocketType);
        const on = socket.on.bind(socket) as (event: string, listener: (...args: never[]) => void) => dgram.Socket;
        (socket as unknown as { on: unknown }).on = (event: string, listener: (msg: Buffer, rinfo: dgram.RemoteInfo) => void) =>
          event === 'message'
            ? on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
                network.advance(options.now());
                if (network.isSilent(device)) return;
                // The device speaks the version its profile says; others go unanswered, as on a real one.
                const version = messageVersion(msg);
                if (version !== null && version !== options.credentials.version) return;
                listener(msg, rinfo);
              })
            : on(event, listener as never);
        const bind = socket.bind.bind(socket) as (port: number, address: string, cb: () => void) => dgram.Socket;
        // net-snmp turns port 0 into 161 (`port || 161`); bind the port we were asked for instead.
        (socket as unknown as { bind: unknown }).bind = (_port: number, address: string) => bind(options.port, address, () => bound(socket.address().port));
        socket.once('error', (err: NodeJS.ErrnoException) => {
          const what = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${err.code ?? err.message})`;
          failed(new Error(`device ${id}: UDP port 127.0.0.1:${options.port} ${what}`));
        });
        return socket;
      },
    };
    const errorCounts = new Map<string, number>();
    const agent = createAgent(
      {
        port: options.port,
        address: '127.0.0.1',
        transport: 'udp4',
        engineID: engineIdFor(id),
        disableAuthorization: false,
        accessControlModelType: 0,
        dgramModule,
      },
      (error) => {
        if (error) errorCounts.set(error.name || 'Error', (errorCounts.get(error.name || 'Error') ?? 0) + 1);
      },
    );
    let port: number;
    try {
      port = await listening;
    } catch (err) {
      agent.close();
      throw err;
    }
    const deviceAgent = new DeviceAgent(options, agent, port, errorCounts);
    deviceAgent.authorize();
    deviceAgent.buildMib();
    return deviceAgent;
  }

  close(): Promise<void> {
    return new Promise((res) => this.#agent.close(() => res()));
  }

  /**
   * What the agent would answer for one instance, without the wire: the
   * demo's month of history polls every device thousands of times, and
   * through UDP and BER that takes a quarter of an hour (measured: 97 ms a
   * round for 97 devices), against seconds this way. The same handlers give
   * the values, and the same MIB says which instances exist.
   * @returns per OID, null where the agent has no such instance; 'silent' when the device would not answer at all.
   */
  read(oids: readonly string[]): Array<DirectValue | null> | 'silent' {
    if (this.isSilentNow()) return 'silent';
    return oids.map((oid) => {
      const node = this.#mib.lookup(oid);
      return node ? this.valueOf(node, oid) : null;
    });
  }

  /** Every instance under one column, in order, as a walk would find them (see read). */
  walk(column: string): Array<{ oid: string; value: DirectValue }> | 'silent' {
    if (this.isSilentNow()) return 'silent';
    const out: Array<{ oid: string; value: DirectValue }> = [];
    const visit = (node: MibNode) => {
      const keys = Object.keys(node.children);
      if (keys.length === 0) {
        const oid = node.address.join('.');
        const value = this.valueOf(node, oid);
        if (value) out.push({ oid, value });
        return;
      }
      for (const key of keys.map(Number).sort((a, b) => a - b)) visit(node.children[key]!);
    };
    const root = this.#mib.lookup(column);
    if (root && Object.keys(root.children).length > 0) visit(root);
    return out;
  }

  private isSilentNow(): boolean {
    const { network, device } = this.options;
    network.advance(this.options.now());
    return network.isSilent(device);
  }

  /** An instance's value through its provider's handler, as a request over the wire gets it. */
  private valueOf(node: MibNode, oid: string): DirectValue | null {
    if (Object.keys(node.children).length > 0 || node.valueType === undefined) return null;
    const handler = node.getAncestorProvider()?.provider?.handler;
    if (!handler) return null;
    let failed = false;
    handler({ oid, operation: 0, instanceNode: node, done: (error) => (failed = error !== undefined) });
    return failed ? null : { type: node.valueType, value: node.value };
  }

  /** Rebuilds the interface tables, after a reboot renumbered ifIndex. */
  rebuildInterfaces(): void {
    for (const table of ['ifXTable', 'ifTable']) {
      for (const key of [...this.#rows]) this.#mib.deleteTableRow(table, [key]);
    }
    this.#rows.clear();
    this.addInterfaceRows();
  }

  readonly #rows = new Set<number>();

  private authorize(): void {
    const auth = this.#agent.getAuthorizer();
    const c = this.options.credentials;
    // A v3 device is given no community, so v1/v2c requests go unanswered, as on a real one.
    if (c.version === '3') auth.addUser(netSnmpUser(c));
    else auth.addCommunity(c.community.reveal());
  }

  private now(): number {
    const t = this.options.now();
    this.options.network.advance(t);
    return t;
  }

  /** Wraps a value function as a net-snmp handler that never throws into the agent. */
  private handler(value: (request: MibRequest, now: number) => unknown) {
    return (request: MibRequest) => {
      try {
        this.requests++;
        request.instanceNode.value = value(request, this.now());
        request.done();
      } catch (err) {
        this.options.log.error(`device ${this.options.device.device.id}: answering ${request.oid}: ${(err as Error).message}`);
        request.done({ errorStatus: ErrorStatus.GeneralError });
      }
    };
  }

  private buildMib(): void {
    const { device, network } = this.options;
    const d = device.device;
    const vendor = VENDOR_PROFILES[d.vendor];
    const model = d.model ?? d.vendor;
    const mib = this.#mib;
    const scalar = (name: string, oid: string, type: number, value: (now: number) => unknown) => {
      mib.registerProvider({ name, type: MibProviderType.Scalar, oid, scalarType: type, maxAccess: READ_ONLY, handler: this.handler((_, now) => value(now)) });
      mib.setScalarValue(name, value(this.options.now()));
    };
    scalar('sysDescr', SYSTEM.sysDescr, ObjectType.OctetString, () => vendor.sysDescr(model));
    scalar('sysObjectID', SYSTEM.sysObjectID, ObjectType.OID, () => vendor.objectIds[model] ?? vendor.defaultObjectId);
    scalar('sysUpTime', SYSTEM.sysUpTime, ObjectType.TimeTicks, (now) => network.sysUpTime(device, now));
    scalar('sysContact', SYSTEM.sysContact, ObjectType.OctetString, () => 'noc@hengyang.gov.cn');
    scalar('sysName', SYSTEM.sysName, ObjectType.OctetString, () => d.id);
    scalar('sysLocation', SYSTEM.sysLocation, ObjectType.OctetString, () => d.siteId);
    scalar('ifNumber', IF_NUMBER, ObjectType.Integer, () => device.interfaces.length);

    const ticksSinceBoot = (ms: number | null) => (ms === null || ms < device.bootMs ? 0 : network.sysUpTime(device, ms));
    const pkts = (iface: IfaceState, octets: number) => Math.floor(octets / (iface.circuit?.profile.packetBytes ?? 500));
    const operStatus = (i: IfaceState) => (i.def.adminUp && i.operUp && !device.rebooting ? IF_STATUS.up : IF_STATUS.down);
    const c = (i: IfaceState, now: number) => network.counters(i, now);

    const ifColumns: Column[] = [
      { number: IF_COLUMNS.ifIndex, name: 'ifIndex', type: ObjectType.Integer, value: (i) => i.ifIndex },
      { number: IF_COLUMNS.ifDescr, name: 'ifDescr', type: ObjectType.OctetString, value: (i) => i.def.ifDescr },
      { number: IF_COLUMNS.ifType, name: 'ifType', type: ObjectType.Integer, value: (i) => i.def.ifType },
      { number: IF_COLUMNS.ifMtu, name: 'ifMtu', type: ObjectType.Integer, value: () => 1500 },
      { number: IF_COLUMNS.ifSpeed, name: 'ifSpeed', type: ObjectType.Gauge, value: (i) => Math.min(i.def.speedBps, U32 - 1) },
      { number: IF_COLUMNS.ifPhysAddress, name: 'ifPhysAddress', type: ObjectType.OctetString, value: (i) => macOf(d.id, i) },
      { number: IF_COLUMNS.ifAdminStatus, name: 'ifAdminStatus', type: ObjectType.Integer, value: (i) => (i.def.adminUp ? IF_STATUS.up : IF_STATUS.down) },
      { number: IF_COLUMNS.ifOperStatus, name: 'ifOperStatus', type: ObjectType.Integer, value: operStatus },
      { number: IF_COLUMNS.ifLastChange, name: 'ifLastChange', type: ObjectType.TimeTicks, value: (i) => ticksSinceBoot(i.lastChangeMs) },
      { number: IF_COLUMNS.ifInOctets, name: 'ifInOctets', type: ObjectType.Counter, value: (i, n) => c(i, n).inOctets % U32 },
      { number: IF_COLUMNS.ifInUcastPkts, name: 'ifInUcastPkts', type: ObjectType.Counter, value: (i, n) => pkts(i, c(i, n).inOctets) % U32 },
      { number: IF_COLUMNS.ifInDiscards, name: 'ifInDiscards', type: ObjectType.Counter, value: () => 0 },
      { number: IF_COLUMNS.ifInErrors, name: 'ifInErrors', type: ObjectType.Counter, value: (i, n) => c(i, n).inErrors % U32 },
      { number: IF_COLUMNS.ifOutOctets, name: 'ifOutOctets', type: ObjectType.Counter, value: (i, n) => c(i, n).outOctets % U32 },
      { number: IF_COLUMNS.ifOutUcastPkts, name: 'ifOutUcastPkts', type: ObjectType.Counter, value: (i, n) => pkts(i, c(i, n).outOctets) % U32 },
      { number: IF_COLUMNS.ifOutDiscards, name: 'ifOutDiscards', type: ObjectType.Counter, value: () => 0 },
      { number: IF_COLUMNS.ifOutErrors, name: 'ifOutErrors', type: ObjectType.Counter, value: () => 0 },
    ];
    const ifxColumns: Column[] = [
      { number: IFX_COLUMNS.ifName, name: 'ifName', type: ObjectType.OctetString, value: (i) => i.def.ifName },
      { number: IFX_COLUMNS.ifHCInOctets, name: 'ifHCInOctets', type: ObjectType.Counter64, value: (i, n) => counter64(c(i, n).inOctets) },
      { number: IFX_COLUMNS.ifHCInUcastPkts, name: 'ifHCInUcastPkts', type: ObjectType.Counter64, value: (i, n) => counter64(pkts(i, c(i, n).inOctets)) },
      { number: IFX_COLUMNS.ifHCOutOctets, name: 'ifHCOutOctets', type: ObjectType.Counter64, value: (i, n) => counter64(c(i, n).outOctets) },
      { number: IFX_COLUMNS.ifHCOutUcastPkts, name: 'ifHCOutUcastPkts', type: ObjectType.Counter64, value: (i, n) => counter64(pkts(i, c(i, n).outOctets)) },
      { number: IFX_COLUMNS.ifHighSpeed, name: 'ifHighSpeed', type: ObjectType.Gauge, value: (i) => Math.round(i.def.speedBps / 1e6) },
      { number: IFX_COLUMNS.ifAlias, name: 'ifAlias', type: ObjectType.OctetString, value: (i) => Buffer.from(i.def.ifAlias, 'utf8') },
      {
        number: IFX_COLUMNS.ifCounterDiscontinuityTime,
        name: 'ifCounterDiscontinuityTime',
        type: ObjectType.TimeTicks,
        value: (i) => ticksSinceBoot(i.discontinuityMs),
      },
    ];
    this.#ifColumns = ifColumns;
    this.#ifxColumns = ifxColumns;

    const tableHandler = (entryOid: string, columns: Column[]) => {
      const byNumber = new Map(columns.map((col) => [col.number, col]));
      return this.handler((request, now) => {
        const [colPart, indexPart] = request.oid.slice(entryOid.length + 1).split('.');
        const column = byNumber.get(Number(colPart));
        const iface = device.byIfIndex.get(Number(indexPart));
        if (!column || !iface) throw new Error(`no such cell ${request.oid}`);
        return column.value(iface, now);
      });
    };
    const asTableColumns = (columns: Column[]): TableColumn[] =>
      columns.map((col) => ({ number: col.number, name: col.name, type: col.type, maxAccess: READ_ONLY }));
    mib.registerProvider({
      name: 'ifTable',
      type: MibProviderType.Table,
      oid: IF_TABLE,
      maxAccess: NOT_ACCESSIBLE,
      tableColumns: asTableColumns(ifColumns),
      tableIndex: [{ columnName: 'ifIndex' }],
      handler: tableHandler(IF_TABLE, ifColumns),
    });
    mib.registerProvider({
      name: 'ifXTable',
      type: MibProviderType.Table,
      oid: IFX_TABLE,
      maxAccess: NOT_ACCESSIBLE,
      tableColumns: asTableColumns(ifxColumns),
      tableAugments: 'ifTable',
      handler: tableHandler(IFX_TABLE, ifxColumns),
    });
    this.addInterfaceRows();
    this.addHealthTables();
  }

  #ifColumns: Column[] = [];
  #ifxColumns: Column[] = [];

  private addInterfaceRows(): void {
    const now = this.options.now();
    for (const iface of this.options.device.interfaces) {
      this.#mib.addTableRow(
        'ifTable',
        this.#ifColumns.map((col) => col.value(iface, now)),
      );
      this.#mib.addTableRow('ifXTable', [iface.ifIndex, ...this.#ifxColumns.map((col) => col.value(iface, now))]);
      this.#rows.add(iface.ifIndex);
      // As on a real Cisco below 20 Mbit/s, and on any SNMPv1-only device (v1 has no
      // Counter64): the HC cells simply do not exist.
      if (!iface.def.hasHcCounters || this.options.credentials.version === '1') {
        for (const n of [IFX_COLUMNS.ifHCInOctets, IFX_COLUMNS.ifHCInUcastPkts, IFX_COLUMNS.ifHCOutOctets, IFX_COLUMNS.ifHCOutUcastPkts]) {
          this.#mib.lookup(`${IFX_TABLE}.${n}.${iface.ifIndex}`)?.delete();
          // An emptied column node would look like a leaf to GetNext; remove it too.
          const column = this.#mib.lookup(`${IFX_TABLE}.${n}`);
          if (column && Object.keys(column.children).length === 0) column.pruneUpwards();
        }
      }
    }
  }

  /** CPU and memory at the vendor's own OIDs: a one-row table at each OID's entry. */
  private addHealthTables(): void {
    const { device } = this.options;
    const oids = VENDOR_PROFILES[device.device.vendor].health;
    const health = (now: number) => deviceHealth(device, now);
    const cells: Array<{ oid: string; type: number; value: (now: number) => unknown }> = [
      { oid: oids.cpuPct, type: ObjectType.Integer, value: (n) => health(n).cpuPct },
    ];
    const m = oids.memory;
    if (m.kind === 'pct') cells.push({ oid: m.oid, type: ObjectType.Integer, value: (n) => health(n).memPct });
    else if (m.kind === 'usedFree') {
      cells.push({ oid: m.used, type: ObjectType.Gauge, value: (n) => health(n).memUsedBytes });
      cells.push({ oid: m.free, type: ObjectType.Gauge, value: (n) => health(n).memTotalBytes - health(n).memUsedBytes });
    } else {
      // HOST-RESOURCES-MIB: the row's type says it is RAM, which is how a poller finds it.
      cells.push({ oid: `${HOST_RESOURCES_DISCOVERY.storageTypeColumn}.1`, type: ObjectType.OID, value: () => HOST_RESOURCES_DISCOVERY.storageRamType });
      cells.push({ oid: m.unit, type: ObjectType.Integer, value: () => 1024 });
      cells.push({ oid: m.size, type: ObjectType.Integer, value: (n) => Math.floor(health(n).memTotalBytes / 1024) });
      cells.push({ oid: m.used, type: ObjectType.Integer, value: (n) => Math.floor(health(n).memUsedBytes / 1024) });
    }
    // Group cells by table entry (the OID less its column and index) into one provider each.
    const entries = new Map<string, { index: number; columns: Map<number, { type: number; value: (now: number) => unknown }> }>();
    for (const cell of cells) {
      const parts = cell.oid.split('.');
      const index = Number(parts.pop());
      const column = Number(parts.pop());
      const entry = parts.join('.');
      if (!entries.has(entry)) entries.set(entry, { index, columns: new Map() });
      entries.get(entry)!.columns.set(column, cell);
    }
    let n = 0;
    for (const [entryOid, { index, columns }] of entries) {
      const name = `health${n++}`;
      const sorted = [...columns.entries()].sort((x, y) => x[0] - y[0]);
      this.#mib.registerProvider({
        name,
        type: MibProviderType.Table,
        oid: entryOid,
        maxAccess: NOT_ACCESSIBLE,
        // Column 1 is the not-accessible index (as in most of these MIBs), kept out of walks.
        tableColumns: [
          { number: 1, name: `${name}Index`, type: ObjectType.Integer, maxAccess: NOT_ACCESSIBLE },
          ...sorted.map(([num, cell]) => ({ number: num, name: `${name}c${num}`, type: cell.type, maxAccess: READ_ONLY })),
        ],
        tableIndex: [{ columnName: `${name}Index` }],
        handler: this.handler((request, now) => {
          const column = Number(request.oid.slice(entryOid.length + 1).split('.')[0]);
          return columns.get(column)!.value(now);
        }),
      });
      const now = this.options.now();
      this.#mib.addTableRow(name, [index, ...sorted.map(([, cell]) => cell.value(now))]);
    }
  }
}

function macOf(deviceId: string, iface: IfaceState): Buffer {
  if (iface.def.ifType !== 6 && iface.def.ifType !== 135) return Buffer.alloc(0);
  const h = createHash('md5').update(`${deviceId}/${iface.def.ifName}`).digest();
  h[0] = (h[0]! & 0xfe) | 0x02; // locally administered, unicast
  return h.subarray(0, 6);
}
