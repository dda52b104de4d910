/**
 * One round of ICMP echo to many targets through Debian's fping, the way
 * Smokeping runs it: `-C count` packets per target spread `period` apart,
 * quiet (one summary line per target when the round ends), no retries and
 * no back-off, so every packet counts once. One process per round, whatever
 * the number of targets: fping paces them itself (-i, the gap between any
 * two packets).
 */
import { spawn } from 'node:child_process';
import { parseFpingOutput, type FpingTargetResult } from './fpingOutput.ts';

export interface ProbeRoundSpec {
  targets: readonly string[];
  count: number;
  /** Time between two packets to one target. */
  periodMs: number;
  /** How long an answer is waited for. */
  timeoutMs: number;
}

/** A target's echoes in a round, less any the prober could not time (udpEchoProbe, stallWatch). */
export interface TargetEchoes extends FpingTargetResult {
  unmeasured: number;
}

export interface ProbeRoundResult {
  targets: Map<string, TargetEchoes>;
  startedAtMs: number;
  endedAtMs: number;
  /** What the tool said that was not a result (a warning, a new message format). */
  notes: string[];
}

/** The gap between any two packets: fping's floor, fast enough for 1,100 targets a second. */
const GAP_MS = 1;

export function fpingArgs(spec: ProbeRoundSpec): string[] {
  return [
    '-C',
    String(spec.count),
    '-p',
    String(Math.round(spec.periodMs)),
    '-t',
    String(Math.round(spec.timeoutMs)),
    '-i',
    String(GAP_MS),
    '-B',
    '1',
    '-r',
    '0',
    '-q',
    ...spec.targets,
  ];
}

/**
 * One fping sends at most one packet per GAP_MS: a period has room for
 * period / GAP_MS targets. Half of that per process, so a sweep never runs
 * into the next and the round keeps to its interval; more targets are split
 * over processes that run side by side.
 */
export function fpingChunks(spec: ProbeRoundSpec): ProbeRoundSpec[] {
  const size = Math.max(1, Math.floor(spec.periodMs / GAP_MS / 2));
  const out: ProbeRoundSpec[] = [];
  for (let i = 0; i < spec.targets.length; i += size) out.push({ ...spec, targets: spec.targets.slice(i, i + size) });
  return out;
}

/** A round over any number of targets, in as many fping processes as fpingChunks says. */
export async function fpingRounds(
  spec: ProbeRoundSpec,
  deadlineMs: number,
  signal: AbortSignal,
  fping = 'fping',
  now: () => number = Date.now,
): Promise<ProbeRoundResult> {
  const parts = await Promise.all(fpingChunks(spec).map((chunk) => fpingRound(chunk, deadlineMs, signal, fping, now)));
  return {
    targets: new Map(parts.flatMap((p) => [...p.targets])),
    startedAtMs: Math.min(...parts.map((p) => p.startedAtMs)),
    endedAtMs: Math.max(...parts.map((p) => p.endedAtMs)),
    notes: parts.flatMap((p) => p.notes),
  };
}

/**
 * Runs one round. fping exits 1 when some target did not answer and 2 for an
 * unknown address; only a failure to run at all, or a kill, is an error.
 * @throws Error saying what failed (fping missing, killed, or past `deadlineMs`).
 */
export function fpingRound(
  spec: ProbeRoundSpec,
  deadlineMs: number,
  signal: AbortSignal,
  fping = 'fping',
  now: () => number = Date.now,
): Promise<ProbeRoundResult> {
  const startedAtMs = now();
  return new Promise((resolve, reject) => {
    // Stopping nms ends a round at once: a half round is not a measurement.
    const child = spawn(fping, fpingArgs(spec), { stdio: ['ignore', 'ignore', 'pipe'], signal, killSignal: 'SIGKILL' });
    const chunks: Buffer[] = [];
    child.stderr!.on('data', (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(signal.aborted ? new Error('stopped') : new Error(`running ${fping}: ${err.message}`));
    });
    child.once('close', (code, exitSignal) => {
      clearTimeout(timer);
      if (signal.aborted) return reject(new Error('stopped'));
      if (exitSignal) return reject(new Error(`${fping} was stopped by ${exitSignal}${exitSignal === 'SIGKILL' ? ` after ${deadlineMs / 1000} s` : ''}`));
      const text = Buffer.concat(chunks).toString('utf8');
      if (code !== 0 && code !== 1 && code !== 2) return reject(new Error(`${fping} exited with ${code}: ${text.trim().split('\n').slice(-1)[0] ?? ''}`));
      const parsed = parseFpingOutput(text, spec.targets, spec.count);
      // fping is a process of its own, timing with the kernel's clock: this process's stalls do not touch it.
      const targets = new Map([...parsed.targets].map(([t, r]) => [t, { ...r, unmeasured: 0 }]));
      resolve({ targets, startedAtMs, endedAtMs: now(), notes: parsed.notes });
    });
  });
}
