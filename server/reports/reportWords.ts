/** The words of a report, Chinese first, and the notes that say how each figure is worked out. */
import { KIND_NAMES } from '../../shared/alarms/alarmWords.ts';
import type { AlarmKind } from '../../shared/alarms/types.ts';
import { CARRIER_NAMES } from '../../shared/model/types.ts';
import {
  ADVICE_MIN_COVERAGE_PCT,
  type CarrierScore,
  type OutageCharge,
  type OutageRow,
  type QualityEpisode,
  type Report,
} from '../../shared/reports/reportModel.ts';
import { formatLocalTime } from '../../shared/time/zonedTime.ts';

export type Lang = 'zh' | 'en';

export const W = {
  title: { zh: '带宽与 SLA 报表', en: 'Bandwidth and SLA report' },
  period: { zh: '统计周期', en: 'Period' },
  timeZone: { zh: '时区', en: 'Time zone' },
  scope: { zh: '范围', en: 'Scope' },
  generated: { zh: '生成时间', en: 'Generated' },
  source: { zh: '数据来源', en: 'Data' },
  trafficCoverage: { zh: '流量数据覆盖率', en: 'Traffic data coverage' },
  availabilityCoverage: { zh: '可用性数据覆盖率', en: 'Availability data coverage' },
  summary: { zh: '概要', en: 'Summary' },
  circuits: { zh: '电路', en: 'Circuits' },
  circuit: { zh: '电路', en: 'Circuit' },
  name: { zh: '名称', en: 'Name' },
  carrier: { zh: '运营商', en: 'Carrier' },
  carrierNo: { zh: '电路编号', en: 'Carrier circuit no.' },
  contract: { zh: '合同带宽 (bit/s)', en: 'Contract (bit/s)' },
  inMean: { zh: '入平均 (bit/s)', en: 'In mean (bit/s)' },
  inPeak: { zh: '入峰值 (bit/s)', en: 'In peak (bit/s)' },
  inP95: { zh: '入95值 (bit/s)', en: 'In 95th (bit/s)' },
  outMean: { zh: '出平均 (bit/s)', en: 'Out mean (bit/s)' },
  outPeak: { zh: '出峰值 (bit/s)', en: 'Out peak (bit/s)' },
  outP95: { zh: '出95值 (bit/s)', en: 'Out 95th (bit/s)' },
  utilMean: { zh: '平均利用率 %', en: 'Mean utilization %' },
  utilPeak: { zh: '峰值利用率 %', en: 'Peak utilization %' },
  utilP95: { zh: '95值利用率 %', en: '95th utilization %' },
  coverage: { zh: '数据覆盖率 %', en: 'Data coverage %' },
  availability: { zh: '可用率 %', en: 'Availability %' },
  target: { zh: 'SLA 目标 %', en: 'SLA target %' },
  met: { zh: '达标', en: 'Met' },
  yes: { zh: '是', en: 'yes' },
  no: { zh: '否', en: 'no' },
  unknown: { zh: '未知', en: 'unknown' },
  downtime: { zh: '中断时长 (秒)', en: 'Downtime (s)' },
  unknownTime: { zh: '无数据时长 (秒)', en: 'Unknown time (s)' },
  outages: { zh: '中断次数', en: 'Outages' },
  mttr: { zh: '平均修复时间 (秒)', en: 'MTTR (s)' },
  mttrMin: { zh: '平均修复时间 (分钟)', en: 'MTTR (min)' },
  advice: { zh: '扩容建议', en: 'Capacity advice' },
  upgrade: { zh: '建议扩容', en: 'upgrade' },
  downgrade: { zh: '可考虑降速', en: 'downgrade candidate' },
  'too-little-data': { zh: '数据不足，暂不建议', en: 'too little data to advise' },
  chargedTo: { zh: '责任方', en: 'Charged to' },
  upstreamDown: { zh: '上游导致中断 (秒)', en: 'Down from upstream (s)' },
  servicePct: { zh: '用户实际可用率 %', en: 'Service availability %' },
  knockOn: { zh: '连带中断的下级电路', en: 'Circuits taken down with it' },
  ownEquipment: { zh: '本方设备', en: 'own equipment' },
  issuer: { zh: '出具', en: 'Issued by' },
  page: { zh: '页', en: 'Page' },
  trend: { zh: '环比 (95值)', en: 'Trend (95th) vs previous' },
  previousMean: { zh: '上期平均 (bit/s)', en: 'Previous mean (bit/s)' },
  previousP95: { zh: '上期95值 (bit/s)', en: 'Previous 95th (bit/s)' },
  outageList: { zh: '中断明细', en: 'Outages' },
  start: { zh: '开始', en: 'Start' },
  end: { zh: '结束', en: 'End' },
  durationMin: { zh: '时长 (分钟)', en: 'Duration (min)' },
  cause: { zh: '原因', en: 'Cause' },
  ongoing: { zh: '未恢复', en: 'ongoing' },
  carriers: { zh: '运营商考核', en: 'Carrier scorecard' },
  breaches: { zh: '未达 SLA 的电路', en: 'Circuits below their SLA' },
  busiestHours: { zh: '忙时', en: 'Busiest hours' },
  hourProfile: { zh: '分时段平均流量（入+出）', en: 'Mean traffic by hour of day (in + out)' },
  topBusiest: { zh: '最繁忙电路（95值利用率）', en: 'Busiest circuits (95th utilization)' },
  leastUsed: { zh: '最空闲电路（峰值利用率）', en: 'Least used circuits (peak utilization)' },
  totalTraffic: { zh: '总流量', en: 'Total traffic' },
  methods: { zh: '计算方法', en: 'How the figures are computed' },
  none: { zh: '无', en: 'none' },
  network: { zh: '全网', en: 'Whole network' },
  rollup: { zh: '5 分钟汇总数据', en: '5-minute rollup' },
  raw: { zh: '原始采样数据', en: 'raw samples' },
  rttMedian: { zh: '时延中位数 (ms)', en: 'Median RTT (ms)' },
  rttP95: { zh: '时延95值 (ms)', en: '95th RTT (ms)' },
  lossPct: { zh: '丢包率 %', en: 'Loss %' },
  jitterMedian: { zh: '抖动中位数 (ms)', en: 'Median jitter (ms)' },
  qualityMet: { zh: '质量达标', en: 'Quality met' },
  degradedMin: { zh: '劣化时长 (分钟)', en: 'Degraded (min)' },
  qualityBreaches: { zh: '质量劣化（时延/丢包/抖动）', en: 'Quality breaches (delay, loss, jitter)' },
} as const;

export type WordKey = keyof typeof W;
export const w = (lang: Lang, k: WordKey) => W[k][lang];

/** The method notes every report carries, with its own thresholds filled in. */
export function methodNotes(r: Report, lang: Lang): string[] {
  const t = r.thresholds;
  return lang === 'zh'
    ? [
        `流量取自 ${r.source === 'raw' ? '原始采样' : '5 分钟汇总'}：每个 5 分钟区间的平均速率（bit/s）。方向以 A 端（网控中心一侧）为准：入 = Z→A，出 = A→Z。`,
        '平均值为各 5 分钟平均速率的平均；峰值为周期内最大的一次采样速率；95 值按运营商计费方式：将各 5 分钟平均速率排序，去掉最高的 5%，取余下的最大值（最近秩）。',
        '利用率 = 速率 ÷ 合同带宽，取入、出两个方向中较大者。',
        '数据覆盖率 = 有流量数据的 5 分钟区间数 ÷ 周期内 5 分钟区间总数。覆盖率不足时，各项数值只代表有数据的时段。',
        '可用率 = 已知正常时长 ÷（已知正常时长 + 中断时长）。无数据时段计为“未知”，既不算正常也不算中断；维护窗口内的时间不计入。上联电路（或其设备）中断导致的下级电路中断，计入上联电路及其运营商，不计入下级电路自身的可用率和运营商考核；“用户实际可用率”则包括这部分时间。',
        '平均修复时间 = 已恢复中断的平均时长。',
        `扩容建议：95 值利用率高于 ${t.upgradeP95Pct}% 建议扩容；峰值利用率低于 ${t.downgradePeakPct}% 可考虑降速。流量数据覆盖率低于 ${ADVICE_MIN_COVERAGE_PCT}% 的电路不给建议（数据太少，不足以代表整个周期）。`,
        '质量：网控中心每分钟向电路对端发送 20 个探测包（ICMP 或 UDP 回显），每轮得出丢包率、往返时延的中位数和抖动（相邻往返时延之差的平均，RFC 3550）。时延中位数和 95 值取各 5 分钟内各轮中位数的平均；丢包率 = 丢失数 ÷ 发送数。某轮超出 SLA 的时延、丢包或抖动限值且电路未中断时，计为劣化；电路中断期间只计中断，不计劣化。上联电路同时劣化的，劣化计入上联电路及其运营商。',
        `环比：与上一同类周期（${r.previousPeriod.label}）比较。`,
        `所有时间为 ${r.period.timeZone} 时间。`,
      ]
    : [
        `Traffic comes from the ${r.source === 'raw' ? 'raw samples' : '5-minute rollup'}: the mean rate (bit/s) of each 5-minute interval. Directions are as seen at the A end (the network control centre side): in = Z→A, out = A→Z.`,
        'Mean is the mean of the 5-minute means; peak is the highest single sample; the 95th percentile is as carriers bill: sort the 5-minute means, discard the top 5%, take the highest left (nearest rank).',
        'Utilization = rate ÷ contracted bandwidth, in the busier direction.',
        'Data coverage = 5-minute intervals with traffic data ÷ 5-minute intervals in the period. Where coverage is short, the figures speak only for the time with data.',
        'Availability = known up time ÷ (known up time + downtime). Time with no data is unknown, counted neither up nor down; planned maintenance is left out. A department circuit taken down by its uplink (or the uplink\'s router) is charged to that uplink and its carrier, not to its own availability or carrier; "service availability" includes that time.',
        'MTTR = the mean length of the outages that ended.',
        `Capacity advice: upgrade when the 95th-percentile utilization is above ${t.upgradeP95Pct}%; downgrade candidate when even the peak stays below ${t.downgradePeakPct}%. No advice for a circuit with traffic data for less than ${ADVICE_MIN_COVERAGE_PCT}% of the period: too little to speak for all of it.`,
        "Quality: the network control centre sends 20 echoes a minute to each circuit's far end (ICMP or UDP echo); each round gives loss, the median round trip and jitter (the mean difference of consecutive round trips, RFC 3550). Median and 95th RTT are of the 5-minute means of the rounds' medians; loss = lost ÷ sent. A round over the SLA's delay, loss or jitter limit while the circuit was up counts as degraded; time down counts as an outage only, never also as degraded. Where a circuit upstream was degraded at the same time, the breach is charged to it and its carrier.",
        `Trend: against the period before of the same kind (${r.previousPeriod.label}).`,
        `All times are in ${r.period.timeZone}.`,
      ];
}

/** Who answers for an outage, as a manager writes it to a carrier: the carrier and its circuit number, or our own equipment. */
export function chargeText(c: OutageCharge, lang: Lang): string {
  return c.type === 'circuit' ? `${CARRIER_NAMES[c.carrier][lang]} ${c.carrierCircuitId}` : `${w(lang, 'ownEquipment')} ${c.id}`;
}

/** Why a circuit was out, in the report's language: never the ledger's code. */
export function causeText(o: OutageRow, lang: Lang): string {
  const kind = (KIND_NAMES as Record<string, { zh: string; en: string } | undefined>)[o.causeKind as AlarmKind]?.[lang] ?? o.causeKind;
  const by = o.chargedTo;
  if (o.own) return lang === 'zh' ? `本电路${kind}` : `circuit ${kind}`;
  if (by.type === 'circuit')
    return lang === 'zh'
      ? `上联电路 ${by.id}（${CARRIER_NAMES[by.carrier].zh} ${by.carrierCircuitId}）${kind}`
      : `uplink ${by.id} (${CARRIER_NAMES[by.carrier].en} ${by.carrierCircuitId}) ${kind}`;
  return lang === 'zh' ? `${by.type === 'device' ? '设备' : '站点'} ${by.id} ${kind}` : `${by.type} ${by.id} ${kind}`;
}

/** One quality breach as evidence for a carrier: when, how long, and the figures. */
export function episodeText(e: QualityEpisode, r: Report, lang: Lang): string {
  const when = `${formatLocalTime(e.startMs, r.period.timeZone, false)}${lang === 'zh' ? '起' : ' for'} ${Math.max(1, Math.round(e.degradedS / 60))} ${lang === 'zh' ? '分钟' : 'min'}`;
  const figures = [
    e.worstRttMs === null ? null : `${lang === 'zh' ? '时延' : 'RTT'} ${e.worstRttMs.toFixed(1)} ms`,
    `${lang === 'zh' ? '丢包' : 'loss'} ${e.lossPct.toFixed(1)}%`,
    e.worstJitterMs === null ? null : `${lang === 'zh' ? '抖动' : 'jitter'} ${e.worstJitterMs.toFixed(1)} ms`,
  ]
    .filter(Boolean)
    .join(lang === 'zh' ? '，' : ', ');
  return lang === 'zh'
    ? `${e.circuitId}（${e.chargedTo.carrierCircuitId}）${when}：${figures}`
    : `${e.circuitId} (${e.chargedTo.carrierCircuitId}) ${when}: ${figures}`;
}

export const breachText = (b: CarrierScore['breaches'][number]) => `${b.circuitId} (${b.carrierCircuitId}) ${b.availabilityPct.toFixed(3)}% < ${b.targetPct}%`;

/** One uplink outage and the circuits behind it, as evidence for the uplink's carrier. */
export function knockOnText(k: CarrierScore['knockOn'][number], r: Report, lang: Lang): string {
  const when = `${formatLocalTime(k.startMs, r.period.timeZone, false)}${lang === 'zh' ? '起' : ' for'} ${(k.durationS / 60).toFixed(0)} ${lang === 'zh' ? '分钟' : 'min'}`;
  const ids = k.impacted.map((i) => i.circuitId).join(', ');
  return lang === 'zh'
    ? `${k.rootCircuitId}（${k.carrierCircuitId}）${when}，连带 ${k.impacted.length} 条：${ids}`
    : `${k.rootCircuitId} (${k.carrierCircuitId}) ${when}, taking down ${k.impacted.length}: ${ids}`;
}
