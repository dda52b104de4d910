/**
 * An SnmpClient for an agent in this same process, asked directly rather
 * than over UDP: the demo's first run polls a simulated month in a minute
 * with the product's own poller, engine and writer, where the wire would
 * take a quarter of an hour. Only for simulated agents; a real device is
 * always read over SNMP.
 */
import { snmpValueOf, SnmpError, type GetList, type SnmpClient } from './snmpClient.ts';
import type { SnmpValue } from './snmpValue.ts';

/** What such an agent answers: per OID, null where it has no such instance; 'silent' when it would not answer at all. */
export interface InProcessAgent {
  read(oids: readonly string[]): Array<{ type: number; value: unknown } | null> | 'silent';
  walk(column: string): Array<{ oid: string; value: { type: number; value: unknown } }> | 'silent';
}

export class InProcessClient implements SnmpClient {
  readonly maxVarbinds = Number.MAX_SAFE_INTEGER;
  readonly stats = { requests: 0, varbinds: 0 };

  constructor(
    private readonly name: string,
    private readonly agent: InProcessAgent,
  ) {}

  prepare(oids: readonly string[]): GetList & { oids: readonly string[] } {
    return { size: oids.length, oids: [...oids] };
  }

  async get(what: readonly string[] | GetList): Promise<Array<SnmpValue | null>> {
    const oids = Array.isArray(what) ? (what as readonly string[]) : (what as ReturnType<InProcessClient['prepare']>).oids;
    this.stats.requests++;
    this.stats.varbinds += oids.length;
    const values = this.agent.read(oids);
    if (values === 'silent') throw this.timeout(`getting ${oids.length} objects`);
    return values.map((v) => (v === null ? null : snmpValueOf(v.type, v.value)));
  }

  async walk(column: string): Promise<Array<{ oid: string; value: SnmpValue }>> {
    this.stats.requests++;
    const rows = this.agent.walk(column);
    if (rows === 'silent') throw this.timeout(`walking ${column}`);
    this.stats.varbinds += rows.length;
    return rows.map((r) => ({ oid: r.oid, value: snmpValueOf(r.value.type, r.value.value) }));
  }

  close(): void {}

  private timeout(what: string): SnmpError {
    return new SnmpError('timeout', `${this.name}: ${what}: no answer (simulated device silent)`);
  }
}
