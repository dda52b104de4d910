/**
 * Alarm history for InfluxDB: each state change as an alarm_event point,
 * written through the same spooling writer as the samples, so an InfluxDB
 * outage loses none of it. The words stay in the journal; tags are ids only.
 */
import type { AlarmEvent } from '../../shared/alarms/types.ts';
import type { Point } from '../../collectors/write/lineProtocol.ts';
import type { Topology } from '../../shared/model/topology.ts';

export function alarmEventPoint(e: AlarmEvent, atMs: number, topology: Topology): Point {
  const a = e.alarm;
  const circuit = a.subject.type === 'circuit' ? topology.circuitById.get(a.subject.id) : undefined;
  return {
    measurement: 'alarm_event',
    tags: { ...(a.subject.type === 'circuit' ? { circuit: a.subject.id, ...(circuit ? { carrier: circuit.carrier } : {}) } : { device: a.subject.id }), kind: a.kind, severity: a.severity },
    fields: {
      active: a.clearedAtMs === null ? 1 : 0,
      acknowledged: a.ack ? 1 : 0,
      suppressed: e.type === 'absorbed' ? 1 : 0,
      impacted: a.impactedCircuits.length,
    },
    timeMs: atMs,
  };
}
