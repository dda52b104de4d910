/**
 * Reads what `fping -C N -q` writes to stderr (the prober's invocation): per
 * target one line of N round-trip times in send order ("-" for no answer),
 * written when the run ends; "duplicate for [i]" lines as duplicate replies
 * arrive; ICMP error lines ("ICMP Host Unreachable from X for ICMP Echo sent
 * to Y"); and fping's own complaints. Pure: text in, per-target results out.
 * Lines it does not know are kept as notes, never thrown: a newer fping
 * must not stop the prober.
 */

export interface FpingTargetResult {
  /** Round-trip times in ms, in send order; null where no answer came. */
  rtts: Array<number | null>;
  duplicates: number;
  /** ICMP errors that named this target, as fping printed them. */
  errors: string[];
}

export interface FpingOutput {
  targets: Map<string, FpingTargetResult>;
  /** Lines that named no target fping was asked about, or that this parser does not know. */
  notes: string[];
}

const SUMMARY = /^(\S+)\s+:((?:\s+(?:\d+(?:\.\d+)?|-))+)\s*$/;
const DUPLICATE = /^(\S+)\s+: duplicate for \[(\d+)\]/;
const ICMP_ERROR = /^(ICMP .+?) from (\S+) for ICMP Echo sent to (\S+)/;
// e.g. "198.18.1.9: error while sending ping: No route to host" or "10.0.0.1 address not found"
const SEND_ERROR = /^(\S+?):? (error while sending ping: .+|address not found.*)$/;

/**
 * @param targets the addresses fping was given, in the form given: a target
 * fping printed nothing for (it could not even send) is reported with every
 * packet lost, so a round always has an answer for every circuit.
 */
export function parseFpingOutput(stderr: string, targets: readonly string[], count: number): FpingOutput {
  const results = new Map<string, FpingTargetResult>();
  const entry = (t: string) => {
    let r = results.get(t);
    if (!r) results.set(t, (r = { rtts: [], duplicates: 0, errors: [] }));
    return r;
  };
  const asked = new Set(targets);
  const notes: string[] = [];
  for (const raw of stderr.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    let m: RegExpExecArray | null;
    if ((m = DUPLICATE.exec(line)) && asked.has(m[1]!)) entry(m[1]!).duplicates++;
    else if ((m = ICMP_ERROR.exec(line)) && asked.has(m[3]!)) entry(m[3]!).errors.push(`${m[1]} from ${m[2]}`);
    else if ((m = SEND_ERROR.exec(line)) && asked.has(m[1]!)) entry(m[1]!).errors.push(m[2]!);
    else if ((m = SUMMARY.exec(line)) && asked.has(m[1]!)) {
      entry(m[1]!).rtts = m[2]!
        .trim()
        .split(/\s+/)
        .map((v) => (v === '-' ? null : Number(v)));
    } else notes.push(line);
  }
  for (const t of targets) {
    const r = entry(t);
    // Short or missing: what was not reported was not answered.
    if (r.rtts.length > count) r.rtts.length = count;
    while (r.rtts.length < count) r.rtts.push(null);
  }
  return { targets: results, notes };
}
