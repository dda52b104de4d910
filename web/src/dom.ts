/**
 * Building the page by hand, safely: every string goes in as text
 * (textContent, attributes), never as HTML, so a device's ifAlias or sysName
 * cannot become markup. Times are shown in Asia/Shanghai whatever the
 * browser's own zone, as the NOC reads them.
 */
import { formatLocalTime } from '../../shared/time/zonedTime.ts';
import type { Lang } from './i18n.ts';

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

export { escapeHtml } from '../../shared/text/escapeHtml.ts';

/** A button that runs `action` on click. */
export function button(label: string, action: () => void, attrs: Record<string, string | undefined> = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', action);
  return b;
}

export const TIME_ZONE = 'Asia/Shanghai';

/** A measured rate, rounded for reading (contracts use shared formatRate, exact). */
export function formatTraffic(bps: number | null | undefined): string {
  if (bps === null || bps === undefined || !Number.isFinite(bps)) return '–';
  const [d, unit] = bps >= 1e9 ? [1e9, 'G'] : bps >= 1e6 ? [1e6, 'M'] : bps >= 1e3 ? [1e3, 'k'] : [1, ''];
  const v = bps / d;
  // Through Number, so trailing zeros go but a zero stays "0" (a down link reads 0bps, not "bps").
  return `${Number(v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2))}${unit}bps`;
}

/** yyyy-mm-dd hh:mm:ss in Asia/Shanghai. */
export function formatTime(ms: number | null, withSeconds = true): string {
  return ms === null ? '–' : formatLocalTime(ms, TIME_ZONE, withSeconds);
}

export function formatDuration(seconds: number, lang: Lang): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts =
    lang === 'zh'
      ? [d && `${d}天`, h && `${h}小时`, m && `${m}分`, !d && !h && `${s % 60}秒`]
      : [d && `${d}d`, h && `${h}h`, m && `${m}m`, !d && !h && `${s % 60}s`];
  return parts.filter(Boolean).join(lang === 'zh' ? '' : ' ');
}

/** A wall-clock time typed in Asia/Shanghai (a datetime-local field) as an ISO string with its zone. */
export function shanghaiInputToIso(value: string): string {
  return `${value.length === 16 ? `${value}:00` : value}+08:00`;
}

/** The same, the other way: ms → "yyyy-mm-ddThh:mm" for a datetime-local field. */
export function isoToShanghaiInput(ms: number): string {
  return formatTime(ms, false).replace(' ', 'T');
}
