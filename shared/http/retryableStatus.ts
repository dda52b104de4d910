/**
 * Whether a failed HTTP request is worth sending again: no answer at all
 * (null), the server's own trouble (5xx), a timeout (408) or a rate limit
 * (429). Any other 4xx refuses the request itself, which no retry mends.
 */
export function isRetryableStatus(status: number | null): boolean {
  return status === null || status >= 500 || status === 408 || status === 429;
}
