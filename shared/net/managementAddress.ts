/**
 * A device's management address as topology.yaml writes it: an IPv4 or IPv6
 * address, optionally with a port ("10.43.0.9:1161", "[2001:db8::9]:1161").
 * A port other than 161 is how agents behind NAT, on non-standard ports, or
 * replaying a recording are reached.
 */
import { isIPv4, isIPv6 } from 'node:net';

export const SNMP_PORT = 161;

export interface ManagementAddress {
  host: string;
  /** Null when the text names no port (the device's `port`, else 161, applies). */
  port: number | null;
}

/**
 * Parses the address text, returning the reason when it is not an address.
 * IPv6 hosts are returned in canonical lower-case form, so that the
 * allow-list and the replies' source addresses compare equal.
 */
export function parseManagementAddress(text: string): ManagementAddress | string {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const v4WithPort = /^([\d.]+):(\d{1,5})$/.exec(text);
  const host = bracketed ? bracketed[1]! : v4WithPort ? v4WithPort[1]! : text;
  const portText = bracketed ? bracketed[2] : v4WithPort?.[2];
  if (!isIPv4(host) && !isIPv6(host)) return 'must be an IPv4 or IPv6 address, optionally with a port: 10.43.0.9, 10.43.0.9:1161 or [2001:db8::9]:1161';
  if (bracketed && !isIPv6(host)) return 'only an IPv6 address goes in brackets';
  const port = portText === undefined ? null : Number(portText);
  if (port !== null && (port < 1 || port > 65535)) return `port ${portText} is not between 1 and 65535`;
  return { host: canonicalHost(host), port };
}

/** An IP address in the form the kernel reports a datagram's source in. */
export function canonicalHost(host: string): string {
  const h = host.replace(/^\[|\]$/g, '');
  if (!isIPv6(h)) return h;
  // URL parsing canonicalises IPv6 (zeros compressed, lower case) without a DNS lookup.
  return new URL(`udp://[${h}]`).hostname.replace(/^\[|\]$/g, '');
}

/** host:port for messages, with IPv6 in brackets. */
export function formatHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
