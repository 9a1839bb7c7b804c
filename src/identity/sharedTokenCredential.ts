/**
 * A credential wrapper that asks the identity once per scope at a time and reuses the token
 * until shortly before it expires.
 *
 * Why: `DefaultAzureCredential` does not coalesce concurrent requests, and two clusters ask for
 * the AKS token at the same moment (docs/performance.md, Identity).
 *
 * Callers share one request, but each waits for it only as long as its own `abortSignal`
 * allows (a cluster's time budget, the run). The shared request has its own time limit, and it
 * is cancelled when every caller has stopped waiting for it.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { systemClock, type Clock } from '../model/clock.js';
import { formatDuration } from '../util/duration.js';
import { untilAborted } from '../util/untilAborted.js';

/** Renew a token this long before it expires (as the SDKs' own token refreshers do). */
const RENEW_BEFORE_EXPIRY_MS = 2 * 60_000;
/** The longest a shared token request may take, retries included. */
export const SHARED_TOKEN_TIMEOUT_MS = 60_000;

interface SharedRequest {
  token: Promise<AccessToken | null>;
  /** Callers waiting for it; when the last one stops waiting early, the request is cancelled. */
  waiters: number;
  cancel: AbortController;
}

export function sharedTokenCredential(credential: TokenCredential, now: Clock = systemClock, timeoutMs: number = SHARED_TOKEN_TIMEOUT_MS): TokenCredential {
  const requests = new Map<string, SharedRequest>();
  const usable = (token: AccessToken | null): token is AccessToken =>
    token !== null && now() < Math.min(token.refreshAfterTimestamp ?? Number.POSITIVE_INFINITY, token.expiresOnTimestamp - RENEW_BEFORE_EXPIRY_MS);

  const start = (key: string, scopes: string | string[], options: GetTokenOptions): SharedRequest => {
    const cancel = new AbortController();
    const timer = setTimeout(() => cancel.abort(new Error(`the identity gave no token for ${[scopes].flat().join(' ')} within ${formatDuration(timeoutMs)}`)), timeoutMs);
    timer.unref();
    // No `requestOptions.timeout`: the HTTP client leaves its timer running when a request is
    // cancelled (see identityRequests.ts, which bounds each request itself).
    const asked = credential.getToken(scopes, { ...options, abortSignal: cancel.signal });
    const request: SharedRequest = { token: untilAborted(asked, cancel.signal), waiters: 0, cancel };
    requests.set(key, request);
    request.token.then(
      () => clearTimeout(timer),
      () => {
        clearTimeout(timer);
        if (requests.get(key) === request) requests.delete(key);
      },
    );
    return request;
  };

  const getToken = async (scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> => {
    // A request that needs something particular (claims after a challenge, another tenant) goes straight through.
    if (options.claims || options.tenantId) return credential.getToken(scopes, options);
    const key = `${[scopes].flat().join(' ')}\u0000${options.enableCae ? 'cae' : ''}`;
    const found = requests.get(key);
    if (found && !found.cancel.signal.aborted) {
      // Joining a request in flight shares its outcome, failure included; a failed request is forgotten.
      const token = await waitFor(found, options.abortSignal);
      if (usable(token)) return token;
      const current = requests.get(key);
      if (current && current !== found) return getToken(scopes, options); // renewed meanwhile
    }
    return waitFor(start(key, scopes, options), options.abortSignal);
  };
  return { getToken };
}

/** The shared request's answer, or the caller's own signal's reason as soon as it aborts. */
function waitFor(request: SharedRequest, signal: GetTokenOptions['abortSignal']): Promise<AccessToken | null> {
  const reason = (): unknown => (signal as { reason?: unknown } | undefined)?.reason ?? new Error('the token request was cancelled');
  if (signal?.aborted) return Promise.reject(reason());
  request.waiters += 1;
  if (!signal) return request.token.finally(() => (request.waiters -= 1));
  return new Promise<AccessToken | null>((resolve, reject) => {
    const stopWaiting = (): void => {
      request.waiters -= 1;
      if (request.waiters === 0) request.cancel.abort(new Error('no caller waits for this token any more'));
      reject(reason());
    };
    signal.addEventListener('abort', stopWaiting, { once: true });
    request.token.then(
      (token) => {
        signal.removeEventListener('abort', stopWaiting);
        request.waiters -= 1;
        resolve(token);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', stopWaiting);
        request.waiters -= 1;
        reject(error);
      },
    );
  });
}
