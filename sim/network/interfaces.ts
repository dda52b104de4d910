/**
 * The interfaces each simulated device has: one per circuit end it holds,
 * named as topology.yaml names them, plus the ports every real router also
 * shows (management, a spare shut-down port, loopback, null).
 */
import type { Topology } from '../../shared/model/topology.ts';
import { CARRIER_NAMES, type Circuit, type Device } from '../../shared/model/types.ts';
import { VENDOR_PROFILES } from '../../shared/vendors/vendorProfiles.ts';

export type CircuitEndName = 'a' | 'z';

export interface SimInterface {
  /** Position on the device; ifIndex is assigned from it (and renumbered after some reboots). */
  position: number;
  ifName: string;
  ifDescr: string;
  /** Untrusted text a device operator typed; may hold anything, HTML included. */
  ifAlias: string;
  ifType: number;
  /** ifSpeed says what the port can do, not what the carrier's contract allows. */
  speedBps: number;
  hasHcCounters: boolean;
  adminUp: boolean;
  circuit: { id: string; end: CircuitEndName } | null;
}

/** An ifAlias a careless or hostile operator might set; the console must show it as text. */
export const HOSTILE_ALIAS = '<img src=x onerror="alert(\'ifAlias\')"><script>alert(1)</script>';

const IF_TYPE = { other: 1, ethernet: 6, ppp: 23, loopback: 24, l2vlan: 135 } as const;

function portCharacter(name: string): { type: number; speedBps: number } {
  if (/^(NULL|Null|null)/.test(name)) return { type: IF_TYPE.other, speedBps: 0 };
  if (/^(LoopBack|Loopback|loopback|lo$)/.test(name)) return { type: IF_TYPE.loopback, speedBps: 0 };
  if (/^(Serial|ce1_)/.test(name)) return { type: IF_TYPE.ppp, speedBps: 2_048_000 };
  if (/^(FastEthernet|MEth|mng|eth)/.test(name)) return { type: IF_TYPE.ethernet, speedBps: 100_000_000 };
  const speed = 1_000_000_000;
  return { type: name.includes('.') ? IF_TYPE.l2vlan : IF_TYPE.ethernet, speedBps: speed };
}

function circuitAlias(topology: Topology, c: Circuit): string {
  const owner = topology.site(c.ownerSiteId).name.zh;
  return `${c.id} ${CARRIER_NAMES[c.carrier].zh} ${c.carrierCircuitId} ${owner}`;
}

/**
 * The interface list of one device, in a stable order.
 * @param hostileAlias put HOSTILE_ALIAS on this device's spare port.
 */
export function deviceInterfaces(topology: Topology, device: Device, hostileAlias: boolean): SimInterface[] {
  const vendor = VENDOR_PROFILES[device.vendor];
  const make = (name: string, fields: Partial<SimInterface>): SimInterface => {
    const { type, speedBps } = portCharacter(name);
    return {
      position: 0,
      ifName: name,
      ifDescr: name,
      ifAlias: '',
      ifType: type,
      speedBps,
      hasHcCounters: speedBps >= vendor.hcMinSpeedBps,
      adminUp: true,
      circuit: null,
      ...fields,
    };
  };
  const list: SimInterface[] = [];
  for (const c of topology.circuitsOnDevice(device.id)) {
    for (const end of ['a', 'z'] as const) {
      const e = c[end];
      if (e.kind !== 'device' || e.deviceId !== device.id) continue;
      const alias = circuitAlias(topology, c);
      const ref = e.iface;
      // Name the port the way the topology refers to it; invent the rest the way the vendor would.
      const name = ref?.by === 'ifName' || ref?.by === 'ifDescr' ? ref.value : `${vendor.spareInterfaces.spare}.${list.length + 1}`;
      list.push(make(name, { ifAlias: ref?.by === 'ifAlias' ? ref.value : alias, circuit: { id: c.id, end } }));
    }
  }
  const spare = vendor.spareInterfaces;
  const extras = [
    make(spare.management, { ifAlias: 'management' }),
    make(spare.spare, { adminUp: false, ifAlias: hostileAlias ? HOSTILE_ALIAS : '' }),
    make(spare.loopback, {}),
    make(spare.nullIf, {}),
  ];
  // A circuit may already use a port the vendor profile would have left spare.
  const taken = new Set(list.map((i) => i.ifName));
  list.push(...extras.filter((i) => !taken.has(i.ifName)));
  return list.map((iface, position) => ({ ...iface, position }));
}
