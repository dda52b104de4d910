/**
 * A device's own account of itself, read on demand for the console: its
 * system strings and every interface with its description (ifAlias). All of
 * these strings come from the device and are untrusted: shown as text, never
 * as markup, and cut to a sane length by the collector.
 */
export interface DeviceInventory {
  deviceId: string;
  readAtMs: number;
  sysName: string | null;
  sysDescr: string | null;
  interfaces: Array<{
    ifIndex: number;
    ifName: string | null;
    ifAlias: string | null;
    adminUp: boolean | null;
    operUp: boolean | null;
    speedMbps: number | null;
    /** The circuit whose end this is, from the model. */
    circuitId: string | null;
  }>;
}
