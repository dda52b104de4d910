/**
 * Sends the notifications a real router sends when a link changes state or
 * it boots: linkDown, linkUp and coldStart, in the device's own SNMP version
 * and credentials. Every simulated device sends from 127.0.0.1, so each trap
 * carries snmpTrapAddress.0 with the device's management address, which the
 * receiver maps back to the device.
 */
import snmp from 'net-snmp';
import type { Logger } from '../../shared/log.ts';
import type { HostPort } from '../../shared/net/loopback.ts';
import { netSnmpUser, netSnmpVersion, type SnmpCredentials } from '../../shared/snmp/credentials.ts';
import { IF_COLUMNS, IF_STATUS, IF_TABLE, IFX_COLUMNS, IFX_TABLE, TRAPS } from '../../shared/snmp/oids.ts';
import type { DeviceState, IfaceState, SimNetwork } from '../network/simNetwork.ts';
import { engineIdFor } from './deviceAgent.ts';

type Session = ReturnType<typeof snmp.createSession>;

export class TrapSender {
  readonly #sessions = new Map<string, Session>();
  sent = 0;
  failed = 0;

  constructor(
    private readonly targets: readonly HostPort[],
    private readonly network: SimNetwork,
    private readonly credentials: ReadonlyMap<string, SnmpCredentials>,
    private readonly log: Logger,
  ) {}

  linkChange(iface: IfaceState, up: boolean, atMs: number): void {
    const i = iface.ifIndex;
    this.send(iface.device, up ? snmp.TrapType.LinkUp : snmp.TrapType.LinkDown, atMs, [
      { oid: `${IF_TABLE}.${IF_COLUMNS.ifIndex}.${i}`, type: snmp.ObjectType.Integer, value: i },
      { oid: `${IF_TABLE}.${IF_COLUMNS.ifAdminStatus}.${i}`, type: snmp.ObjectType.Integer, value: iface.def.adminUp ? IF_STATUS.up : IF_STATUS.down },
      { oid: `${IF_TABLE}.${IF_COLUMNS.ifOperStatus}.${i}`, type: snmp.ObjectType.Integer, value: up ? IF_STATUS.up : IF_STATUS.down },
      { oid: `${IFX_TABLE}.${IFX_COLUMNS.ifName}.${i}`, type: snmp.ObjectType.OctetString, value: iface.def.ifName },
    ]);
  }

  coldStart(device: DeviceState, atMs: number): void {
    this.send(device, snmp.TrapType.ColdStart, atMs, []);
  }

  close(): void {
    for (const s of this.#sessions.values()) s.close();
    this.#sessions.clear();
  }

  private send(device: DeviceState, type: number, atMs: number, varbinds: snmp.Varbind[]): void {
    const creds = this.credentials.get(device.device.id);
    if (!creds || this.targets.length === 0) return;
    const address = device.device.address ?? '0.0.0.0';
    const all: snmp.Varbind[] = [...varbinds, { oid: TRAPS.snmpTrapAddress, type: snmp.ObjectType.IpAddress, value: address }];
    const options = { upTime: this.network.sysUpTime(device, atMs), agentAddr: address };
    for (const target of this.targets) {
      const session = this.session(device, creds, target);
      session.trap(type, all, options, (error: Error | null) => {
        if (error) {
          this.failed++;
          this.log.warn(`device ${device.device.id}: sending trap to ${target.host}:${target.port}: ${error.message}`);
        } else {
          this.sent++;
        }
      });
    }
  }

  private session(device: DeviceState, creds: SnmpCredentials, target: HostPort): Session {
    const key = `${device.device.id}|${target.host}|${target.port}`;
    let s = this.#sessions.get(key);
    if (!s) {
      const options = { trapPort: target.port, version: netSnmpVersion(creds), transport: target.host.includes(':') ? 'udp6' : 'udp4' };
      s =
        creds.version === '3'
          ? snmp.createV3Session(target.host, netSnmpUser(creds), { ...options, engineID: engineIdFor(device.device.id) } as snmp.SessionOptionsV3)
          : snmp.createSession(target.host, creds.community.reveal(), options as snmp.SessionOptions);
      s.on('error', (err: Error) => this.log.warn(`device ${device.device.id}: trap session: ${err.message}`));
      this.#sessions.set(key, s);
    }
    return s;
  }
}
