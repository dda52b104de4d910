/**
 * The network safety rule in code: outside production, packets go only to
 * loopback. Management addresses in topology.yaml are a real network
 * elsewhere and are never a target in tests or the demo.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return h === 'localhost';
}

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses "host:port" and insists on loopback.
 * @throws Error saying what was wrong with the text.
 */
export function parseLoopbackHostPort(text: string, what: string): HostPort {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new Error(`${what} "${text}" is not host:port`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  if (!isLoopback(host)) throw new Error(`${what} "${text}" is not on loopback; the simulator sends only to 127.0.0.0/8 or ::1`);
  return { host, port };
}
