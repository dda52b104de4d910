/**
 * A scenario: what the simulated network does, on a timeline. For example
 *
 *     start: 2026-11-23T08:00:00+08:00   # simulated clock at start (default: now)
 *     speed: 60                          # 1 simulated hour per real minute
 *     seed: 734
 *     counters:                          # counter values at start, e.g. to force an early 32-bit wrap
 *       - { circuit: HY-HYX, end: a, start: 4294000000 }
 *     timeline:
 *       - { at: +10m, fault: link-down, circuit: HY-HYX, for: 15m }
 *       - { at: 2026-11-23T10:00:00+08:00, fault: reboot, device: hyx-rtr-1, renumber: true }
 *
 * Checked like topology.yaml: every problem at once, with file:line:column,
 * including a circuit or device the topology does not have.
 */
import { z } from 'zod';
import { InputFileError } from '../../shared/input/diagnostics.ts';
import { checkYaml, readInputFile } from '../../shared/input/validatedYaml.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { parseDuration } from '../../shared/model/units.ts';
import { faultSchema, unknownTarget, type Fault } from '../network/faults.ts';

/** "+10m" (after the simulated start) or an ISO time with its zone. */
const atSchema = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const text = String(v);
  const rel = /^\+(.+)$/.exec(text);
  if (rel) {
    const s = parseDuration(rel[1]!);
    if (s !== null) return { offsetMs: s * 1000 } as const;
  } else if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text) && !Number.isNaN(Date.parse(text))) {
    return { atMs: Date.parse(text) } as const;
  }
  ctx.issues.push({ code: 'custom', input: v, message: `"${text}" is not a time: write +10m (after the start) or 2026-11-23T09:30:00+08:00` });
  return z.NEVER;
});

const timelineItem = z.looseObject({ at: atSchema }).transform((value, ctx) => {
  const { at, ...rest } = value;
  const parsed = faultSchema.safeParse(rest, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.issues.push(issue as never);
    return z.NEVER;
  }
  return { at, fault: parsed.data };
});

const scenarioSchema = z.strictObject({
  start: z.iso.datetime({ offset: true, error: 'must be an ISO time with its zone, like 2026-11-23T08:00:00+08:00' }).optional(),
  speed: z.number().gt(0).max(100_000).optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  counters: z
    .array(
      z.strictObject({
        circuit: z.string().min(1),
        end: z.enum(['a', 'z']),
        start: z
          .number()
          .int()
          .min(0)
          .max(2 ** 53),
      }),
    )
    .optional(),
  timeline: z.array(timelineItem).optional(),
});

export interface ScheduledFault {
  /** Either an offset from the simulated start, or an absolute simulated time. */
  at: { offsetMs: number } | { atMs: number };
  fault: Fault;
}

export interface Scenario {
  file: string;
  startMs: number | null;
  speed: number | null;
  seed: number | null;
  counters: Array<{ circuit: string; end: 'a' | 'z'; value: number }>;
  timeline: ScheduledFault[];
}

/**
 * @throws InputFileError with every problem, unknown circuits and devices included.
 */
export async function loadScenario(file: string, topology: Topology): Promise<Scenario> {
  const text = await readInputFile(file, 'scenario file');
  const { data, problems, locator, raw } = checkYaml(text, file, scenarioSchema);
  const known = {
    circuits: new Set(topology.circuits.map((c) => c.id)),
    managedDevices: new Set(topology.devices.filter((d) => d.managed).map((d) => d.id)),
  };
  // Check targets on the raw items, so a bad target is reported even beside other problems.
  const items = (raw as { timeline?: unknown[]; counters?: unknown[] } | undefined) ?? {};
  (Array.isArray(items.timeline) ? items.timeline : []).forEach((item, i) => {
    const r = faultSchema.safeParse(Object.fromEntries(Object.entries((item ?? {}) as object).filter(([k]) => k !== 'at')));
    const missing = r.success ? unknownTarget(r.data, known) : null;
    if (missing) problems.push(locator.diagnostic(['timeline', i, 'circuit' in r.data! ? 'circuit' : 'device'], missing));
  });
  (Array.isArray(items.counters) ? items.counters : []).forEach((item, i) => {
    const circuit = (item as { circuit?: unknown })?.circuit;
    if (typeof circuit === 'string' && !known.circuits.has(circuit))
      problems.push(locator.diagnostic(['counters', i, 'circuit'], `unknown circuit "${circuit}"`));
  });
  if (problems.length > 0 || data === undefined) throw new InputFileError(file, problems);
  return {
    file,
    startMs: data.start ? Date.parse(data.start) : null,
    speed: data.speed ?? null,
    seed: data.seed ?? null,
    counters: (data.counters ?? []).map((c) => ({ circuit: c.circuit, end: c.end, value: c.start })),
    timeline: data.timeline ?? [],
  };
}
