/**
 * Which end of a circuit stands for it, and the frame its traffic is told
 * in. nms reads a circuit at its A end when it polls that device, else at
 * its Z end; traffic is always given as the A end sees it (out is A→Z), so
 * a Z-end reading is turned round. The collector, the alarm engine and the
 * console all ask here.
 */
import type { Circuit } from './types.ts';
import type { Topology } from './topology.ts';

export type CircuitEndName = 'a' | 'z';

/** The end whose readings stand for the circuit: A when its device is polled (or Z is not a device), else Z. */
export function measuredEnd(topology: Topology, c: Circuit): CircuitEndName {
  return topology.device(c.a.deviceId).managed || c.z.kind !== 'device' ? 'a' : 'z';
}

/** The device whose interface stands for the circuit. */
export function measuredDeviceId(topology: Topology, c: Circuit): string {
  return measuredEnd(topology, c) === 'z' && c.z.kind === 'device' ? c.z.deviceId : c.a.deviceId;
}

/** A reading's in and out, as the A end sees them: a Z end's in is the circuit's out. */
export function inCircuitFrame<T>(end: CircuitEndName, inValue: T, outValue: T): [inValue: T, outValue: T] {
  return end === 'a' ? [inValue, outValue] : [outValue, inValue];
}
