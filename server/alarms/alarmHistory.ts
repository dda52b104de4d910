/**
 * Alarm history for InfluxDB: each state change as an alarm_event point,
 * written through the same spooling writer as the samples, so an InfluxDB
 * outage loses none of it. The words stay in the journal; tags are ids only.
 */
import type { AlarmEvent, AlarmSubject } from '../../shared/alarms/types.ts';
import type { Point } from '../../collectors/write/lineProtocol.ts';
import type { Topology } from '../../shared/model/topology.ts';

export function alarmEventPoint(e: AlarmEvent, atMs: number, topology: Topology): Point {
  const a = e.alarm;
  const circuit = a.subject.type === 'circuit' ? topology.circuitById.get(a.subject.id) : undefined;
  return {
    measurement: 'alarm_event',
    tags: { ...subjectTags(a.subject, circuit?.carrier), kind: a.kind, severity: a.severity },
    fields: {
      active: a.clearedAtMs === null ? 1 : 0,
      acknowledged: a.ack ? 1 : 0,
      suppressed: e.type === 'absorbed' ? 1 : 0,
      impacted: a.impactedCircuits.length,
    },
    timeMs: atMs,
  };
}

function subjectTags(subject: AlarmSubject, carrier: string | undefined): Record<string, string> {
  if (subject.type === 'circuit') return { circuit: subject.id, ...(carrier ? { carrier } : {}) };
  return subject.type === 'device' ? { device: subject.id } : { poller: subject.id };
}
