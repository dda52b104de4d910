/** What alarm severities and kinds are called, for pushes and for the console alike. */
import type { LocalizedName } from '../model/types.ts';
import type { QualityBreach, QualityMeasure } from '../quality/circuitQuality.ts';
import type { AlarmKind, Severity } from './types.ts';

export const SEVERITY_NAMES: Record<Severity, LocalizedName> = {
  critical: { zh: '紧急', en: 'CRITICAL' },
  major: { zh: '重要', en: 'MAJOR' },
  minor: { zh: '次要', en: 'MINOR' },
  warning: { zh: '提示', en: 'WARNING' },
};

export const KIND_NAMES: Record<AlarmKind, LocalizedName> = {
  circuit_down: { zh: '中断', en: 'down' },
  device_unreachable: { zh: '设备不可达', en: 'unreachable' },
  device_rebooted: { zh: '设备重启', en: 'rebooted' },
  utilization: { zh: '带宽利用率过高', en: 'utilization high' },
  errors: { zh: '误码/丢包', en: 'errors and discards' },
  flapping: { zh: '链路震荡', en: 'flapping' },
  sla_budget: { zh: 'SLA 可用率预算告急', en: 'SLA budget at risk' },
  circuit_degraded: { zh: '质量劣化', en: 'degraded' },
  poller_silent: { zh: '采集节点失联', en: 'poller silent' },
};

const MEASURE_WORDS: Record<QualityMeasure, { zh: string; en: string; unit: string }> = {
  latency: { zh: '时延中位数', en: 'median round trip', unit: ' ms' },
  loss: { zh: '丢包率', en: 'loss', unit: '%' },
  jitter: { zh: '抖动', en: 'jitter', unit: ' ms' },
};

/** "时延中位数 95.2 ms（SLA ≤ 30 ms）", one per measure broken. */
export function breachText(breaches: readonly QualityBreach[], lang: 'zh' | 'en'): string {
  return breaches
    .map((b) => {
      const w = MEASURE_WORDS[b.measure];
      const figure = (v: number) => `${v.toFixed(1)}${w.unit}`;
      return lang === 'zh' ? `${w.zh} ${figure(b.value)}（SLA ≤ ${figure(b.limit)}）` : `${w.en} ${figure(b.value)} (SLA ≤ ${figure(b.limit)})`;
    })
    .join(lang === 'zh' ? '，' : ', ');
}

/**
 * Why an alarm was raised, in both languages: the console shows the
 * reader's, pushes the configured one. The English also goes to the
 * journal and logs as `detail`.
 */
export const EVIDENCE = {
  operDown: (measured: string): LocalizedName => ({ zh: `${measured} 接口状态 (ifOperStatus) 为 down`, en: `ifOperStatus down at ${measured}` }),
  noAnswer: (error: string | null): LocalizedName => (error ? { zh: `SNMP 无应答：${error}`, en: error } : { zh: 'SNMP 无应答', en: 'no SNMP answer' }),
  uptimeFell: (fromS: number, toS: number): LocalizedName => ({
    zh: `sysUpTime 从 ${fromS} 秒回落到 ${toS} 秒`,
    en: `sysUpTime fell from ${fromS} s to ${toS} s`,
  }),
  rebootTrap: (kind: string): LocalizedName => ({ zh: `收到 ${kind} 陷阱`, en: `${kind} trap` }),
  flapping: (changes: number, windowMin: number): LocalizedName => ({
    zh: `${windowMin} 分钟内状态变化 ${changes} 次`,
    en: `${changes} changes of state in ${windowMin} min`,
  }),
  utilization: (warnPct: number, minutes: number, peakPct: number): LocalizedName => ({
    zh: `带宽利用率持续 ${minutes} 分钟不低于合同带宽的 ${warnPct}%（峰值 ${peakPct.toFixed(1)}%）`,
    en: `utilization at or above ${warnPct}% of the contract for ${minutes} min (peak ${peakPct.toFixed(1)}%)`,
  }),
  errors: (perS: number | null): LocalizedName => ({ zh: `每秒 ${perS?.toFixed(1)} 个错包和丢弃`, en: `${perS?.toFixed(1)} errors and discards per second` }),
  budgetSpent: (usedMin: number, allowedMin: number, targetPct: number): LocalizedName => ({
    zh: `本月已中断 ${usedMin} 分钟，超过 ${targetPct}% 目标允许的 ${allowedMin} 分钟`,
    en: `down ${usedMin} min this month, over the ${allowedMin} min the ${targetPct}% target allows`,
  }),
  budgetPace: (usedMin: number, projectedMin: number, allowedMin: number, targetPct: number): LocalizedName => ({
    zh: `本月已中断 ${usedMin} 分钟；按此速度月底将达 ${projectedMin} 分钟，超过 ${targetPct}% 目标允许的 ${allowedMin} 分钟`,
    en: `down ${usedMin} min this month; at this pace ${projectedMin} min by the month's end, over the ${allowedMin} min the ${targetPct}% target allows`,
  }),
  degraded: (carrier: LocalizedName, carrierCircuitId: string, breaches: readonly QualityBreach[], windowS: number, target: string): LocalizedName => {
    const [zhSpan, enSpan] = windowS % 60 === 0 ? [`${windowS / 60} 分钟`, `${windowS / 60} min`] : [`${windowS} 秒`, `${windowS} s`];
    return {
      zh: `${carrier.zh} ${carrierCircuitId}：近 ${zhSpan}${breachText(breaches, 'zh')}（探测 ${target}）`,
      en: `${carrier.en} ${carrierCircuitId}: over the last ${enSpan} ${breachText(breaches, 'en')} (probing ${target})`,
    };
  },
  pollerSilent: (poller: string, sites: readonly LocalizedName[], silentS: number): LocalizedName => ({
    zh: `采集节点 ${poller} 已 ${silentS} 秒无消息，${sites.map((s) => s.zh).join('、')}的线路状态未知`,
    en: `poller ${poller} unheard for ${silentS} s; the lines of ${sites.map((s) => s.en).join(', ')} are unknown`,
  }),
  spurious: (status: string, deviceId: string): LocalizedName => ({
    zh: `未经确认：轮询发现链路在陷阱之前已是 ${status}（${deviceId} 的虚假陷阱）`,
    en: `not confirmed: the poll found the link ${status} since before the trap (spurious trap from ${deviceId})`,
  }),
};

/** An alarm's evidence in one language; alarms journaled before evidence had two languages have their English detail. */
export const evidenceText = (a: { detail: string; evidence?: LocalizedName }, lang: 'zh' | 'en'): string => a.evidence?.[lang] ?? a.detail;
