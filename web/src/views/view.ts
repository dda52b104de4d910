/** What a page of the console is given, and what it gives back to be torn down when the user moves on. */
import type { SessionInfo } from '../api.ts';
import type { ConsoleData } from '../consoleData.ts';
import type { Lang } from '../i18n.ts';

export interface ViewContext {
  data: ConsoleData;
  session: SessionInfo;
  lang: Lang;
  /** Goes to another page (a hash route such as #/circuit/HY-HYX). */
  go(route: string): void;
}

export interface View {
  node: HTMLElement;
  dispose(): void;
}

export const circuitRoute = (id: string) => `#/circuit/${encodeURIComponent(id)}`;
export const siteRoute = (id: string) => `#/site/${encodeURIComponent(id)}`;
export const deviceRoute = (id: string) => `#/device/${encodeURIComponent(id)}`;

export const STATUS_COLOURS = { up: '#2e9d4f', down: '#e8453c', unknown: '#8a939b', degraded: '#f29d12' } as const;
export const SEVERITY_COLOURS = { critical: '#e8453c', major: '#f28b30', minor: '#f2c230', warning: '#6aa7e8' } as const;
