/** Credentials the simulator tests give the network, and the same as client-side auth for Debian's tools. */
import type { SecretSources } from '../../shared/secret.ts';
import type { SnmpAuth } from './snmpTools.ts';

export const TEST_ENV = {
  NMS_SNMP_CORE_AUTH_KEY: 'core-auth-key-for-tests',
  NMS_SNMP_CORE_PRIV_KEY: 'core-priv-key-for-tests',
  NMS_SNMP_COUNTY_AUTH_KEY: 'county-auth-key-for-tests',
  NMS_SNMP_COUNTY_PRIV_KEY: 'county-priv-key-for-tests',
  NMS_SNMP_CPE_COMMUNITY: 'cpe-community-for-tests',
};
export const LEGACY_COMMUNITY = 'legacy-community-for-tests';

export const TEST_SECRETS: SecretSources = { env: TEST_ENV, file: { 'legacy-cpe-community': LEGACY_COMMUNITY } };

export const CORE: SnmpAuth = { version: '3', user: 'nms-ro', authKey: TEST_ENV.NMS_SNMP_CORE_AUTH_KEY, privKey: TEST_ENV.NMS_SNMP_CORE_PRIV_KEY };
export const COUNTY: SnmpAuth = { version: '3', user: 'nms-county', authKey: TEST_ENV.NMS_SNMP_COUNTY_AUTH_KEY, privKey: TEST_ENV.NMS_SNMP_COUNTY_PRIV_KEY };
export const CPE: SnmpAuth = { version: '2c', community: TEST_ENV.NMS_SNMP_CPE_COMMUNITY };
export const LEGACY: SnmpAuth = { version: '1', community: LEGACY_COMMUNITY };
