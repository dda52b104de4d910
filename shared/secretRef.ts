/**
 * Where a secret lives, never the secret itself: an environment variable, or
 * a named entry in the secrets file that stays out of git.
 */
export type SecretRef = { env: string } | { secret: string };
