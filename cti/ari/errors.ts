/**
 * ari-client replaces an HTTP error by `new Error(<response body>)`, dropping the status; the body
 * text is all that is left, so Asterisk's messages are classified here, in one place.
 */
export type AriErrorKind = 'gone' | 'conflict' | 'allocation-failed' | 'unavailable' | 'other';

export class AriError extends Error {
  constructor(
    readonly kind: AriErrorKind,
    readonly operation: string,
    message: string,
  ) {
    super(`${operation}: ${message}`);
    this.name = 'AriError';
  }
}

export function classifyAriError(operation: string, err: unknown): AriError {
  if (err instanceof AriError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  let text = raw;
  try {
    const body = JSON.parse(raw) as { message?: string; error?: string };
    text = body.message ?? body.error ?? raw;
  } catch {
    // not JSON: a network error or a plain-text body
  }
  const kind: AriErrorKind = /not found|not in this bridge/i.test(text)
    ? 'gone'
    : /already (been )?claimed|already exists/i.test(text)
      ? 'conflict'
      : /allocation failed/i.test(text)
        ? 'allocation-failed'
        : /ECONNREFUSED|ECONNRESET|socket hang up|timed out|Service Unavailable|503/i.test(text)
          ? 'unavailable'
          : 'other';
  return new AriError(kind, operation, text);
}
