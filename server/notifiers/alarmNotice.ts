/**
 * Words an alarm for on-call staff: Chinese by default, English by config.
 * Every notice names the circuit, the carrier and its circuit number, the
 * county, how long it has lasted, what it takes down, and links to the
 * console. Times are in the network's zone (Asia/Shanghai).
 */
import { evidenceText, KIND_NAMES, SEVERITY_NAMES } from '../../shared/alarms/alarmWords.ts';
import type { Alarm } from '../../shared/alarms/types.ts';
import { formatLocalTime as formatTime } from '../../shared/time/zonedTime.ts';
import { CARRIER_NAMES } from '../../shared/model/types.ts';
import type { Topology } from '../../shared/model/topology.ts';
import { formatRate } from '../../shared/model/units.ts';
import { pushId, type PushReason } from '../alarms/alarmJournal.ts';
import type { AlarmNotice } from './notifier.ts';

type Lang = 'zh' | 'en';

const SEVERITY = SEVERITY_NAMES;
const WHAT = KIND_NAMES;

const REASON: Record<Exclude<PushReason, 'escalated'>, Record<Lang, string>> = {
  raised: { zh: '', en: '' },
  cleared: { zh: '【已恢复】', en: '[CLEARED] ' },
};

/** How many impacted departments a notice names before it says "and N more". */
const NAMED_SITES = 8;

export interface NoticeOptions {
  language: Lang;
  /** The console's base URL, e.g. http://nms.example:8080 */
  consoleUrl: string;
  nowMs: number;
  /** Escalation level (1 for the first to hear). */
  level?: number;
  mentions?: AlarmNotice['mentions'];
}

export function buildNotice(topology: Topology, alarm: Alarm, reason: PushReason, channel: string, o: NoticeOptions): AlarmNotice {
  const L = o.language;
  const zone = topology.network.timezone;
  const name = (n: { zh: string; en: string }) => n[L];
  const lines: string[] = [];
  let subjectText: string;
  let county: string | null = null;
  let carrierText = '';
  if (alarm.subject.type === 'circuit') {
    const c = topology.circuit(alarm.subject.id);
    const owner = topology.site(c.ownerSiteId);
    county = owner.countyId ? name(topology.site(owner.countyId).name) : null;
    const role = c.level === 'department' ? (L === 'zh' ? '专线' : 'line') : L === 'zh' ? '上联' : 'uplink';
    subjectText = `${county ?? name(owner.name)} ${formatRate(c.bandwidthBps)} ${role}`;
    carrierText = ` (${name(CARRIER_NAMES[c.carrier])} ${L === 'zh' ? '电路编号' : 'circuit no.'} ${c.carrierCircuitId})`;
    lines.push(
      `${L === 'zh' ? '电路' : 'Circuit'}: ${c.id}${c.name ? ` ${name(c.name)}` : ''} (${name(CARRIER_NAMES[c.carrier])} ${L === 'zh' ? '电路编号' : 'circuit no.'} ${c.carrierCircuitId}), ${formatRate(c.bandwidthBps)}`,
    );
    lines.push(`${L === 'zh' ? '用户' : 'Owner'}: ${name(owner.name)}`);
  } else if (alarm.subject.type === 'device') {
    const d = topology.device(alarm.subject.id);
    const site = topology.site(d.siteId);
    county = site.countyId ? name(topology.site(site.countyId).name) : null;
    subjectText = `${name(site.name)} ${d.name ? name(d.name) : d.id}`;
    lines.push(`${L === 'zh' ? '设备' : 'Device'}: ${d.id}${d.model ? ` (${d.model})` : ''}, ${name(site.name)}`);
  } else {
    subjectText = `${L === 'zh' ? '采集节点' : 'poller'} ${alarm.subject.id}`;
    lines.push(`${L === 'zh' ? '采集节点' : 'Poller'}: ${alarm.subject.id}, ${L === 'zh' ? '线路' : 'lines'} ${alarm.impactedCircuits.length}`);
  }
  if (county) lines.push(`${L === 'zh' ? '区县' : 'County'}: ${county}`);
  const end = alarm.endedAtMs ?? o.nowMs;
  if (alarm.spurious && reason === 'cleared') {
    // A trap the poll contradicted: there was no outage, so no time back and no duration.
    lines.push(
      L === 'zh'
        ? `开始: ${formatTime(alarm.startedAtMs, zone)}，轮询未证实：误报（虚假陷阱），不计入可用率`
        : `Since: ${formatTime(alarm.startedAtMs, zone)}; not confirmed by the poll: a spurious trap, not counted as an outage`,
    );
  } else {
    lines.push(
      `${L === 'zh' ? '开始' : 'Since'}: ${formatTime(alarm.startedAtMs, zone)}${reason === 'cleared' ? `, ${L === 'zh' ? '恢复' : 'back'}: ${formatTime(end, zone)}` : ''} (${L === 'zh' ? '持续' : 'lasted'} ${formatDuration(end - alarm.startedAtMs, L)})`,
    );
  }
  if (alarm.impactedSites.length) {
    const sites = alarm.impactedSites.map((id) => name(topology.site(id).name));
    const named = sites.slice(0, NAMED_SITES).join(L === 'zh' ? '、' : ', ');
    const more = sites.length > NAMED_SITES ? (L === 'zh' ? ` 等` : ` and ${sites.length - NAMED_SITES} more`) : '';
    lines.push(
      L === 'zh'
        ? `受影响: ${sites.length} 个单位 (${alarm.impactedCircuits.length} 条电路): ${named}${more}`
        : `Impacted: ${sites.length} sites (${alarm.impactedCircuits.length} circuits): ${named}${more}`,
    );
  }
  lines.push(`${L === 'zh' ? '原因' : 'Evidence'}: ${evidenceText(alarm, L)}`);
  if (alarm.ack)
    lines.push(
      `${L === 'zh' ? '已确认' : 'Acknowledged'}: ${alarm.ack.by} ${formatTime(alarm.ack.atMs, zone)}${alarm.ack.comment ? ` (${alarm.ack.comment})` : ''}`,
    );
  const url = `${o.consoleUrl.replace(/\/$/, '')}/#/alarms/${encodeURIComponent(alarm.id)}`;
  lines.push(url);
  const affected = alarm.impactedSites.length
    ? L === 'zh'
      ? `; ${alarm.impactedSites.length} 个单位受影响`
      : `; ${alarm.impactedSites.length} sites affected`
    : '';
  const level = o.level ?? 1;
  const escalation =
    reason === 'escalated'
      ? L === 'zh'
        ? `【升级至第 ${level} 级，${formatDuration(o.nowMs - alarm.raisedAtMs, L)}未确认】`
        : `[ESCALATED to level ${level}: unacknowledged for ${formatDuration(o.nowMs - alarm.raisedAtMs, L)}] `
      : REASON[reason][L];
  const mentions = o.mentions ?? [];
  if (mentions.length) lines.splice(lines.length - 1, 0, `${L === 'zh' ? '值班' : 'On call'}: ${mentions.map((m) => m.name).join(', ')}`);
  const title = `${escalation}${L === 'zh' ? `【${SEVERITY[alarm.severity].zh}】` : `[${SEVERITY[alarm.severity].en}] `}${subjectText} ${WHAT[alarm.kind][L]}${carrierText}${affected}`;
  return { id: pushId(alarm.id, reason, channel, level), reason, alarm, title, lines, url, language: L, mentions };
}

export function formatDuration(ms: number, L: Lang): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (L === 'zh') return `${h ? `${h} 小时 ` : ''}${h || m ? `${m} 分 ` : ''}${sec} 秒`;
  return `${h ? `${h} h ` : ''}${h || m ? `${m} min ` : ''}${sec} s`;
}
