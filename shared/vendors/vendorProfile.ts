/**
 * What nms knows about one vendor's devices, as data: how they introduce
 * themselves (sysObjectID, sysDescr), where they report CPU and memory, and
 * what their counters can do. The collector polls by it and the simulator
 * answers by it, so the two cannot disagree. A new vendor is one file here,
 * named in vendorProfiles.ts.
 */

/**
 * Where a device reports CPU and memory load. `memory` is either a
 * percentage OID or a used/free (or used/size) pair the collector turns into
 * a percentage.
 */
export interface HealthOids {
  cpuPct: string;
  memory: { kind: 'pct'; oid: string } | { kind: 'usedFree'; used: string; free: string } | { kind: 'usedSize'; used: string; size: string; unit: string };
}

export interface VendorProfile {
  enterpriseOid: string;
  /** sysObjectID by model, with a fallback for models not listed. */
  objectIds: Record<string, string>;
  defaultObjectId: string;
  /** What the platform puts in sysDescr, for the simulator. */
  sysDescr(model: string): string;
  /** Interfaces every device of this vendor has besides its circuit ends (the simulator's). */
  spareInterfaces: { management: string; spare: string; loopback: string; nullIf: string };
  /** The first OIDs the collector reads CPU and memory at. */
  health: HealthOids;
  /**
   * The health OIDs are HOST-RESOURCES-MIB's, found by walking as that MIB
   * intends (every processor, the RAM row of hrStorage), not fixed instances.
   */
  hostResources: boolean;
  /**
   * Interfaces slower than this keep no 64-bit (HC) counters: Cisco's below
   * 20 Mbit/s, so a 2M serial line shows only 32-bit counters there.
   */
  hcMinSpeedBps: number;
}
