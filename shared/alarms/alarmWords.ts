/** What alarm severities and kinds are called, for pushes and for the console alike. */
import type { LocalizedName } from '../model/types.ts';
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
};
