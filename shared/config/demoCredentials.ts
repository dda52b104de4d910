/**
 * The credential sources the demo uses: environment, secrets.yaml, and the
 * generated demo credentials (created when missing). The simulator and the
 * pollers both take their credentials from here, so they always agree.
 */
import { join } from 'node:path';
import type { Logger } from '../log.ts';
import type { Topology } from '../model/topology.ts';
import type { SecretSources } from '../secret.ts';
import { DEMO_SECRETS_FILE } from './defaults.ts';
import { withDemoSecrets } from './demoSecrets.ts';

export async function demoCredentialSources(topology: Topology, secrets: SecretSources, dataDir: string, log: Logger): Promise<SecretSources> {
  const file = join(dataDir, DEMO_SECRETS_FILE);
  const demo = await withDemoSecrets(topology, secrets, file);
  if (demo.generated > 0) log.info(`generated ${demo.generated} demo credentials in ${file}`);
  return demo.sources;
}
