/**
 * SNMP credentials resolved from a profile's references, ready to use. Shared
 * by the collectors (which send them) and the simulator (which checks them).
 * Keys and communities stay Secret until the one call that needs the text.
 */
import snmp from 'net-snmp';
import type { SnmpProfile } from '../model/types.ts';
import { resolveSecret, type Secret, type SecretSources } from '../secret.ts';

export type SnmpCredentials =
  | { version: '1' | '2c'; community: Secret }
  | {
      version: '3';
      username: string;
      level: 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';
      authProtocol: NonNullable<Extract<SnmpProfile, { version: '3' }>['authProtocol']> | null;
      authKey: Secret | null;
      privProtocol: NonNullable<Extract<SnmpProfile, { version: '3' }>['privProtocol']> | null;
      privKey: Secret | null;
    };

/**
 * @throws Error naming the profile and the reference that is not set.
 */
export function resolveCredentials(profile: SnmpProfile, sources: SecretSources): SnmpCredentials {
  try {
    if (profile.version !== '3') return { version: profile.version, community: resolveSecret(profile.community, sources) };
    return {
      version: '3',
      username: profile.username,
      level: profile.level,
      authProtocol: profile.authProtocol,
      authKey: profile.authKey ? resolveSecret(profile.authKey, sources) : null,
      privProtocol: profile.privProtocol,
      privKey: profile.privKey ? resolveSecret(profile.privKey, sources) : null,
    };
  } catch (err) {
    throw new Error(`snmp profile ${profile.name}: ${(err as Error).message}`, { cause: err });
  }
}

const AUTH: Record<string, snmp.AuthProtocols> = {
  md5: snmp.AuthProtocols.md5,
  sha: snmp.AuthProtocols.sha,
  sha224: snmp.AuthProtocols.sha224,
  sha256: snmp.AuthProtocols.sha256,
  sha384: snmp.AuthProtocols.sha384,
  sha512: snmp.AuthProtocols.sha512,
};
const PRIV: Record<string, snmp.PrivProtocols> = {
  des: snmp.PrivProtocols.des,
  aes: snmp.PrivProtocols.aes,
  aes256b: snmp.PrivProtocols.aes256b,
  aes256r: snmp.PrivProtocols.aes256r,
};

/** The net-snmp user for SNMPv3 credentials; the one place keys leave their Secret. */
export function netSnmpUser(c: Extract<SnmpCredentials, { version: '3' }>): snmp.User {
  return {
    name: c.username,
    level: snmp.SecurityLevel[c.level],
    ...(c.authProtocol && c.authKey ? { authProtocol: AUTH[c.authProtocol], authKey: c.authKey.reveal() } : {}),
    ...(c.privProtocol && c.privKey ? { privProtocol: PRIV[c.privProtocol], privKey: c.privKey.reveal() } : {}),
  } as snmp.User;
}

/** net-snmp's version constant for a credential. */
export function netSnmpVersion(c: SnmpCredentials): 0 | 1 | 3 {
  return c.version === '1' ? snmp.Version1 : c.version === '2c' ? snmp.Version2c : snmp.Version3;
}
