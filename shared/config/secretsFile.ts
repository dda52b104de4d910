/**
 * The secrets file: a flat YAML map of names to values (community strings,
 * SNMPv3 keys, robot tokens), kept out of git and referenced from
 * topology.yaml and nms.yaml as { secret: name }.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { parseValidatedYaml, readInputFile } from '../input/validatedYaml.ts';
import type { SecretSources } from '../secret.ts';

// An empty file (null) is allowed: it holds no secrets yet.
const secretsSchema = z.record(z.string(), z.union([z.string(), z.number().transform(String)])).nullable();

/**
 * Secret sources for resolveSecret: the environment, plus the file when it exists.
 * @throws InputFileError when the file exists but is not a flat map.
 */
export async function loadSecretSources(file: string, env: SecretSources['env']): Promise<SecretSources> {
  if (!existsSync(file)) return { env, fileName: file };
  const entries = parseValidatedYaml(await readInputFile(file, 'secrets file'), file, secretsSchema, { inlineSecretsAllowed: true }) ?? {};
  return { env, file: entries, fileName: file };
}
