/**
 * Reports made and sent without anyone asking: daily at 08:00 for the day
 * before, weekly on Monday, monthly on the 1st, in the network's time zone
 * (node-cron). Each run's files are stored under the data folder for
 * download, then sent to the schedule's channels: email with the files
 * attached, webhooks with links. A run missed while the server was down is
 * made at start-up; a send that failed is tried again every ten minutes.
 * What was made and what is still owed are kept in a file, replaced
 * atomically, so a restart loses neither.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import cron from 'node-cron';
import type { ReportSchedule } from '../../shared/config/config.ts';
import type { Logger } from '../../shared/log.ts';
import { lastComplete, previousPeriod, type ReportPeriod } from '../../shared/time/reportPeriod.ts';
import type { Channel } from '../notifiers/notifierRegistry.ts';
import { writeFileAtomicSync } from '../storage/atomicFile.ts';
import { buildReport, type ReportSources } from './reportBuilder.ts';
import { resolveScope } from './reportScope.ts';
import type { ReportFormat } from '../../shared/reports/reportFormats.ts';
import { CONTENT_TYPES, renderReport, reportFileName } from './render/renderReport.ts';
import { w } from './reportWords.ts';

const CRON: Record<ReportSchedule['every'], string> = { daily: '0 8 * * *', weekly: '0 8 * * 1', monthly: '0 8 1 * *' };
const KIND = { daily: 'day', weekly: 'week', monthly: 'month' } as const;
/** Reports are made at 08:00 local time after their period ends. */
const RUN_AFTER_END_MS = 8 * 3_600_000;
/** After a long stop, at most this many missed runs of one schedule are made. */
const MAX_CATCH_UP = 40;
const RETRY_MS = 10 * 60_000;
const MAX_ATTEMPTS = 12;
const STATE = 'state.json';

interface Owed {
  id: string;
  schedule: string;
  period: string;
  channel: string;
  files: string[];
  attempts: number;
  lastError: string | null;
}

interface State {
  firstStartMs: number;
  done: Record<string, { period: string; toMs: number }>;
  owed: Owed[];
}

export interface StoredReport {
  schedule: string;
  file: string;
  format: string;
  sizeBytes: number;
  createdAtMs: number;
}

export class ScheduleConfigError extends Error {}

export interface ReportSchedulerOptions {
  schedules: readonly ReportSchedule[];
  sources: ReportSources;
  /** Where stored reports and the schedule state live (var/reports). */
  dir: string;
  channels: readonly Channel[];
  /** The console's address, for download links. */
  consoleUrl: string;
  timeZone: string;
  log: Logger;
}

/** @throws ScheduleConfigError naming the schedule and what is wrong, before anything starts. */
export function checkSchedules(schedules: readonly ReportSchedule[], sources: Pick<ReportSources, 'topology'>, channels: readonly Channel[]): void {
  const problems: string[] = [];
  schedules.forEach((s, i) => {
    const at = `reports.schedules[${i}] (${s.name})`;
    try {
      resolveScope(sources.topology, s.scope);
    } catch (err) {
      problems.push(`${at}.scope: ${(err as Error).message}`);
    }
    for (const name of s.channels) {
      const c = channels.find((x) => x.settings.name === name);
      if (!c) problems.push(`${at}.channels: no channel "${name}" under alarms.channels`);
      else if (!c.notifier.sendReport) problems.push(`${at}.channels: "${name}" is a ${c.settings.kind} channel; reports go to email or webhook channels`);
    }
  });
  if (problems.length) throw new ScheduleConfigError(`report schedules:\n  ${problems.join('\n  ')}`);
}

export class ReportScheduler {
  #state: State;
  readonly #tasks: Array<{ stop(): void | Promise<void> }> = [];
  #retry: NodeJS.Timeout | null = null;
  #running: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: ReportSchedulerOptions) {
    mkdirSync(o.dir, { recursive: true });
    this.#state = this.load();
  }

  /** Runs on the schedules, and meanwhile makes what was missed while the server was down (start-up does not wait for it). */
  start(): void {
    void this.runDue();
    for (const s of this.o.schedules) {
      this.#tasks.push(cron.schedule(CRON[s.every], () => void this.runDue(), { timezone: this.o.timeZone, name: `report-${s.name}`, noOverlap: true }));
    }
    this.#retry = setInterval(() => void this.serialised(() => this.deliverOwed()), RETRY_MS);
    this.#retry.unref();
  }

  async stop(): Promise<void> {
    for (const t of this.#tasks.splice(0)) await t.stop();
    if (this.#retry) clearInterval(this.#retry);
    await this.#running;
  }

  /** Every period whose run time has passed and which has not been made, oldest first; then what is owed is sent. */
  runDue(): Promise<void> {
    return this.serialised(async () => {
      const now = this.o.sources.now();
      for (const s of this.o.schedules) {
        for (const period of this.duePeriods(s, now)) {
          try {
            await this.make(s, period);
          } catch (err) {
            // This period is tried again on the next run; the others go on.
            this.o.log.error(`report schedule ${s.name}: ${period.label}: ${(err as Error).message}`);
            break;
          }
        }
      }
      await this.deliverOwed();
    });
  }

  /** The reports made so far, newest first. */
  stored(): StoredReport[] {
    const out: StoredReport[] = [];
    for (const s of this.o.schedules) {
      const dir = join(this.o.dir, s.name);
      let files: string[] = [];
      try {
        files = readdirSync(dir);
      } catch {
        continue;
      }
      for (const file of files) {
        if (file.endsWith('.tmp')) continue;
        const st = statSync(join(dir, file));
        out.push({ schedule: s.name, file, format: file.slice(file.lastIndexOf('.') + 1), sizeBytes: st.size, createdAtMs: st.mtimeMs });
      }
    }
    return out.sort((a, b) => b.createdAtMs - a.createdAtMs);
  }

  /** The path of a stored report, or null: names are checked against what is there, never joined blindly. */
  storedPath(schedule: string, file: string): string | null {
    return this.stored().some((r) => r.schedule === schedule && r.file === file) ? join(this.o.dir, schedule, file) : null;
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#running.then(fn, fn);
    this.#running = next.catch(() => undefined);
    return next;
  }

  private duePeriods(s: ReportSchedule, now: number): ReportPeriod[] {
    const kind = KIND[s.every];
    const done = this.#state.done[s.name];
    // Nothing from before this installation first ran: a new schedule starts with the next period.
    const after = done?.toMs ?? this.#state.firstStartMs;
    const out: ReportPeriod[] = [];
    let p = lastComplete(kind, now, this.o.timeZone);
    if (p.toMs + RUN_AFTER_END_MS > now) p = previousPeriod(p);
    while (p.toMs > after && out.length < MAX_CATCH_UP) {
      out.unshift(p);
      p = previousPeriod(p);
    }
    return out;
  }

  private async make(s: ReportSchedule, period: ReportPeriod): Promise<void> {
    const report = await buildReport(this.o.sources, period, resolveScope(this.o.sources.topology, s.scope));
    const dir = join(this.o.dir, s.name);
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const format of s.formats) {
      const file = reportFileName(report, format);
      writeFileAtomicSync(join(dir, file), await renderReport(report, format, s.language));
      files.push(file);
    }
    this.#state.done[s.name] = { period: period.label, toMs: period.toMs };
    for (const channel of s.channels)
      this.#state.owed.push({
        id: `report:${s.name}:${period.label}:${channel}`,
        schedule: s.name,
        period: period.label,
        channel,
        files,
        attempts: 0,
        lastError: null,
      });
    this.save();
    this.o.log.info(`report ${s.name} for ${period.label} made: ${files.join(', ')}`);
  }

  private async deliverOwed(): Promise<void> {
    for (const owed of [...this.#state.owed]) {
      const channel = this.o.channels.find((c) => c.settings.name === owed.channel);
      const schedule = this.o.schedules.find((x) => x.name === owed.schedule);
      if (!channel?.notifier.sendReport || !schedule) {
        this.drop(owed, 'its schedule or channel is no longer configured');
        continue;
      }
      const lang = schedule.language;
      const base = this.o.consoleUrl.replace(/\/$/, '');
      try {
        await channel.notifier.sendReport({
          id: owed.id,
          title: `${w(lang, 'title')} ${owed.period} (${schedule.scope === 'network' ? w(lang, 'network') : schedule.scope})`,
          lines: [`${w(lang, 'period')}: ${owed.period} (${this.o.timeZone})`, `${w(lang, 'scope')}: ${schedule.scope}`],
          links: owed.files.map((f) => ({
            format: f.slice(f.lastIndexOf('.') + 1),
            url: `${base}/api/reports/stored/${encodeURIComponent(owed.schedule)}/${encodeURIComponent(f)}`,
          })),
          attachments: owed.files.map((f) => ({
            filename: f,
            content: readFileSync(join(this.o.dir, owed.schedule, f)),
            contentType: CONTENT_TYPES[f.slice(f.lastIndexOf('.') + 1) as ReportFormat],
          })),
        });
        this.#state.owed = this.#state.owed.filter((x) => x !== owed);
        this.save();
        this.o.log.info(`report ${owed.schedule} for ${owed.period} sent to ${owed.channel}`);
      } catch (err) {
        owed.attempts++;
        owed.lastError = (err as Error).message;
        if (owed.attempts >= MAX_ATTEMPTS) this.drop(owed, `${owed.attempts} attempts failed, the last: ${owed.lastError}`);
        else {
          this.save();
          this.o.log.warn(`report ${owed.schedule} for ${owed.period} to ${owed.channel}: ${owed.lastError}; trying again in ${RETRY_MS / 60_000} min`);
        }
      }
    }
  }

  private drop(owed: Owed, why: string): void {
    this.#state.owed = this.#state.owed.filter((x) => x !== owed);
    this.save();
    this.o.log.error(`report ${owed.schedule} for ${owed.period} not sent to ${owed.channel}: ${why}; it stays stored for download`);
  }

  private load(): State {
    try {
      return JSON.parse(readFileSync(join(this.o.dir, STATE), 'utf8')) as State;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(`report schedules ${join(this.o.dir, STATE)}: ${(err as Error).message}`, { cause: err });
      const fresh: State = { firstStartMs: this.o.sources.now(), done: {}, owed: [] };
      writeFileAtomicSync(join(this.o.dir, STATE), JSON.stringify(fresh));
      return fresh;
    }
  }

  private save(): void {
    writeFileAtomicSync(join(this.o.dir, STATE), JSON.stringify(this.#state, null, 1));
  }
}
