/**
 * Credentials for the demo network. On embedded defaults nobody has set the
 * SNMP communities and v3 keys that topology.yaml references, yet the
 * simulator and the pollers must agree on them. Each reference that the
 * environment and secrets.yaml leave unset gets a random value, kept in a
 * git-ignored file (mode 0600) so every part of the demo reads the same one.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Topology } from '../model/topology.ts';
import { refKey, resolveSecret, type SecretRef, type SecretSources } from '../secret.ts';
import { loadSecretSources } from './secretsFile.ts';

/** Every secret reference the topology's SNMP profiles make. */
export function topologySecretRefs(topology: Topology): SecretRef[] {
  const refs: SecretRef[] = [];
  for (const p of topology.snmpProfiles.values()) {
    if (p.version === '3') refs.push(...[p.authKey, p.privKey].filter((r): r is SecretRef => r !== null));
    else refs.push(p.community);
  }
  return refs;
}

/**
 * Sources with demo values for every reference left unset, creating or
 * extending `file` as needed.
 * @returns the sources, and how many values were generated now.
 */
export async function withDemoSecrets(topology: Topology, sources: SecretSources, file: string): Promise<{ sources: SecretSources; generated: number }> {
  const existing = (await loadSecretSources(file, {})).file ?? {};
  const demo: Record<string, string> = { ...existing };
  let generated = 0;
  for (const ref of topologySecretRefs(topology)) {
    try {
      resolveSecret(ref, { ...sources, demo });
    } catch {
      // v3 keys need at least 8 characters; 18 random bytes give 24.
      demo[refKey(ref)] = randomBytes(18).toString('base64url');
      generated++;
    }
  }
  if (generated > 0) {
    await mkdir(dirname(file), { recursive: true });
    const body = Object.entries(demo)
      .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join('\n');
    await writeFile(file, `# Generated demo credentials for the simulated network; not for real devices.\n${body}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  return { sources: { ...sources, demo }, generated };
}
