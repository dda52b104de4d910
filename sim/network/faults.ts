/**
 * The faults the simulator can inject, as one shape shared by the scenario
 * file, the control API and the CLI, validated by one schema. Times are
 * simulated; `for` bounds a fault, and without it a link stays down (or a
 * device silent) until a matching link-up (or reachable) arrives.
 */
import { z } from 'zod';
import { durationSchema } from '../../shared/model/unitSchemas.ts';

const duration = durationSchema;
const percent = z.number().gt(0).max(100);
const circuitId = z.string().min(1);
const deviceId = z.string().min(1);
const end = z.enum(['a', 'z']);

/** "5%" or 5. */
const lossPercent = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\s*\d+(\.\d+)?\s*%\s*$/, { error: 'must be a percentage such as 5%' })
      .transform((v) => Number.parseFloat(v)),
  ])
  .pipe(z.number().min(0).max(100));
/** "80ms" or 80. */
const milliseconds = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\s*\d+(\.\d+)?\s*ms\s*$/, { error: 'must be milliseconds such as 80ms' })
      .transform((v) => Number.parseFloat(v)),
  ])
  .pipe(z.number().min(0).max(10_000));

export const faultSchema = z.discriminatedUnion('fault', [
  z.strictObject({ fault: z.literal('link-down'), circuit: circuitId, for: duration.optional() }),
  z.strictObject({ fault: z.literal('link-up'), circuit: circuitId }),
  z.strictObject({
    fault: z.literal('flap'),
    circuit: circuitId,
    count: z.number().int().min(1).max(1000),
    period: duration,
  }),
  z.strictObject({ fault: z.literal('unreachable'), device: deviceId, for: duration.optional() }),
  z.strictObject({ fault: z.literal('reachable'), device: deviceId }),
  z.strictObject({ fault: z.literal('reboot'), device: deviceId, renumber: z.boolean().optional(), downtime: duration.optional() }),
  z.strictObject({ fault: z.literal('counter-reset'), device: deviceId }),
  z.strictObject({
    fault: z.literal('loss'),
    circuit: circuitId,
    direction: z.enum(['a2z', 'z2a', 'both']).optional(),
    percent,
    for: duration,
  }),
  z.strictObject({
    fault: z.literal('errors'),
    circuit: circuitId,
    end,
    perSecond: z.number().int().min(1).max(1_000_000),
    for: duration,
  }),
  z
    .strictObject({
      fault: z.literal('degrade'),
      circuit: circuitId,
      loss: lossPercent.optional(),
      delay: milliseconds.optional(),
      jitter: milliseconds.optional(),
      for: duration,
    })
    .refine((f) => (f.loss ?? 0) > 0 || (f.delay ?? 0) > 0 || (f.jitter ?? 0) > 0, { message: 'a degrade needs some --loss, --delay or --jitter' }),
]);

export type Fault = z.output<typeof faultSchema>;
export type FaultKind = Fault['fault'];
export const FAULT_KINDS = faultSchema.options.map((o) => o.shape.fault.value) as FaultKind[];

/** Default time a rebooting device stays silent with its links down. */
export const DEFAULT_REBOOT_DOWNTIME_S = 90;

/**
 * Names a fault's circuit or device that the topology lacks, or null.
 * The schema checks shape; this checks the fault against the network.
 */
export function unknownTarget(fault: Fault, known: { circuits: ReadonlySet<string>; managedDevices: ReadonlySet<string> }): string | null {
  if ('circuit' in fault && !known.circuits.has(fault.circuit)) return `unknown circuit "${fault.circuit}"`;
  if ('device' in fault && !known.managedDevices.has(fault.device)) return `unknown or unmanaged device "${fault.device}"`;
  return null;
}
