import { inspect } from 'node:util';
import type { SecretRef } from './secretRef.ts';

export type { SecretRef };

const REDACTED = '<secret>';

/**
 * A credential (SNMP community, v3 key, robot token). It prints, logs and
 * serialises as `<secret>`, so a log line or an API response cannot leak it by
 * accident; only `reveal()` gives the value, at the one place that sends it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

export function describeSecretRef(ref: SecretRef): string {
  return 'env' in ref ? `environment variable ${ref.env}` : `secrets-file entry "${ref.secret}"`;
}

export interface SecretSources {
  env: Readonly<Record<string, string | undefined>>;
  /** Entries of the secrets file, if one was loaded. */
  file?: Readonly<Record<string, string>>;
  fileName?: string;
  /** Generated demo values by refKey(), consulted last; only in demo mode. */
  demo?: Readonly<Record<string, string>>;
}

/** A stable key for a reference: "env:NAME" or "secret:name". */
export function refKey(ref: SecretRef): string {
  return 'env' in ref ? `env:${ref.env}` : `secret:${ref.secret}`;
}

/**
 * Resolves a reference to its value.
 * @throws Error naming the reference (never the value) when it is not set.
 */
export function resolveSecret(ref: SecretRef, sources: SecretSources): Secret {
  const value = ('env' in ref ? sources.env[ref.env] : sources.file?.[ref.secret]) || sources.demo?.[refKey(ref)];
  if (value === undefined || value === '') {
    const hint = 'env' in ref ? `export ${ref.env}=...` : `add "${ref.secret}: ..." to ${sources.fileName ?? 'the secrets file'}`;
    throw new Error(`${describeSecretRef(ref)} is not set (${hint})`);
  }
  return new Secret(value);
}
