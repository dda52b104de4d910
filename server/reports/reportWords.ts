/** The words of a report, Chinese first, and the notes that say how each figure is worked out. */
import type { Report } from '../../shared/reports/reportModel.ts';

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
        '可用率 = 已知正常时长 ÷（已知正常时长 + 中断时长）。无数据时段计为“未知”，既不算正常也不算中断；维护窗口内的时间不计入。上联中断时，其下各单位电路同样计中断。',
        '平均修复时间 = 已恢复中断的平均时长。',
        `扩容建议：95 值利用率高于 ${t.upgradeP95Pct}% 建议扩容；峰值利用率低于 ${t.downgradePeakPct}% 可考虑降速。`,
        `环比：与上一同类周期（${r.previousPeriod.label}）比较。`,
        `所有时间为 ${r.period.timeZone} 时间。`,
      ]
    : [
        `Traffic comes from the ${r.source === 'raw' ? 'raw samples' : '5-minute rollup'}: the mean rate (bit/s) of each 5-minute interval. Directions are as seen at the A end (the network control centre side): in = Z→A, out = A→Z.`,
        'Mean is the mean of the 5-minute means; peak is the highest single sample; the 95th percentile is as carriers bill: sort the 5-minute means, discard the top 5%, take the highest left (nearest rank).',
        'Utilization = rate ÷ contracted bandwidth, in the busier direction.',
        'Data coverage = 5-minute intervals with traffic data ÷ 5-minute intervals in the period. Where coverage is short, the figures speak only for the time with data.',
        'Availability = known up time ÷ (known up time + downtime). Time with no data is unknown, counted neither up nor down; planned maintenance is left out. An uplink outage is an outage of every department circuit behind it.',
        'MTTR = the mean length of the outages that ended.',
        `Capacity advice: upgrade when the 95th-percentile utilization is above ${t.upgradeP95Pct}%; downgrade candidate when even the peak stays below ${t.downgradePeakPct}%.`,
        `Trend: against the period before of the same kind (${r.previousPeriod.label}).`,
        `All times are in ${r.period.timeZone}.`,
      ];
}
